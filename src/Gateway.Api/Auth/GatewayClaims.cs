namespace Gateway.Api.Auth;

/// <summary>Claims the gateway puts on its principals.</summary>
internal static class GatewayClaims
{
    /// <summary><c>cookie</c> or <c>apikey</c>: cookie-authenticated mutations need an anti-forgery token.</summary>
    public const string Method = "tg:auth_method";

    public const string KeyId = "tg:key_id";

    /// <summary>The server-side login (<c>Logins</c> table) a cookie belongs to.</summary>
    public const string LoginId = "tg:login";

    public const string CookieMethod = "cookie";

    public const string ApiKeyMethod = "apikey";
}
