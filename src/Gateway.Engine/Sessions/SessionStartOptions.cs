using Gateway.Engine.Protocol;
using Gateway.Engine.Proxy;

namespace Gateway.Engine.Sessions;

/// <summary>How <see cref="SessionManager.Start(SessionSpec, SessionStartOptions)"/> starts a session, beyond its spec.</summary>
public sealed record SessionStartOptions
{
    /// <summary>
    /// The session's id (1 to 64 of <c>[a-zA-Z0-9_-]</c>), e.g. to resume a session under the id it had
    /// before a restart; generated when null. A finished session with this id is replaced; a running one
    /// refuses the start.
    /// </summary>
    public string? Id { get; init; }

    /// <summary>Maps the service ids the service announces onto local services (a config directory).</summary>
    public IServiceIdResolver? Resolver { get; init; }

    /// <summary>
    /// Asked for a new access token when the service refuses the current one (HTTP 401 or 403, or a 400
    /// saying it was used before), e.g. by rotating it on the tunnel's control plane. Once per refusal:
    /// a new token that is refused too ends the session. Null: a refused token ends the session.
    /// </summary>
    public AccessTokenRenewer? TokenRenewer { get; init; }
}

/// <summary>Gives a new access token for a session whose token the service refused, or null when it has none.</summary>
public delegate ValueTask<AccessTokenRenewal?> AccessTokenRenewer(AccessTokenRefusal refusal, CancellationToken cancellationToken);

/// <summary>A new access token, and how it was had in words for the session's log (never the token).</summary>
/// <param name="AccessToken">The new access token; null or empty counts as none.</param>
/// <param name="How">How it was had, in words for the log (such as which tunnel's token was rotated); null to say nothing.</param>
public sealed record AccessTokenRenewal(string AccessToken, string? How = null)
{
    /// <summary>Never the token.</summary>
    public override string ToString() => $"AccessTokenRenewal {{ How = {How} }}";
}

/// <summary>The service refused a session's access token: the handshake's HTTP status and body.</summary>
/// <param name="SessionId">The session whose token was refused.</param>
/// <param name="Mode">The session's tunnel end, so the renewer knows which token to rotate.</param>
/// <param name="StatusCode">The HTTP status of the refused handshake; 0 when there was none.</param>
/// <param name="Body">The response body of the refusal, tokens cut out; null when there was none.</param>
public sealed record AccessTokenRefusal(string SessionId, SessionMode Mode, int StatusCode, string? Body)
{
    /// <summary>True when the body says the token was used before (single-use tokens, no matching client token; AWS answers 400).</summary>
    public bool IsSpent => Body?.Contains("previously used", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>The token itself was refused: unknown, revoked or expired (401, 403), or spent.</summary>
    public bool IsTokenRefusal => StatusCode is 401 or 403 || IsSpent;
}
