namespace Gateway.Api.Profiles;

/// <summary>
/// Takes the password out of a web proxy address (<c>[http|https]://[user[:password]@]host[:port]</c>) and
/// puts it back: a profile stores the address without it and the password encrypted beside it, so that
/// reading a profile never shows it. The password stays as written (percent-encoded), so that putting it
/// back gives the address that was validated.
/// </summary>
internal static class ProxyPassword
{
    /// <summary><c>http://u:p@h:1</c> -> (<c>http://u@h:1</c>, <c>p</c>); an address without a password is returned as it is, with null.</summary>
    public static (string? Address, string? Password) Split(string? httpsProxy)
    {
        if (httpsProxy is null || !TryFindUserInfo(httpsProxy, out int start, out int at))
        {
            return (httpsProxy, null);
        }

        int colon = httpsProxy.IndexOf(':', start, at - start);
        if (colon < 0)
        {
            return (httpsProxy, null);
        }

        string password = httpsProxy[(colon + 1)..at];
        return (httpsProxy[..colon] + httpsProxy[at..], password.Length == 0 ? null : password);
    }

    /// <summary>Puts <paramref name="password"/> back after the user name of <paramref name="address"/> (which has one and no password).</summary>
    public static string Join(string address, string password)
    {
        ArgumentNullException.ThrowIfNull(address);
        return TryFindUserInfo(address, out _, out int at) ? address[..at] + ":" + password + address[at..] : address;
    }

    /// <summary>Whether the address names a proxy user (a stored password is only kept for one).</summary>
    public static bool HasUser(string? address) => address is not null && TryFindUserInfo(address, out _, out _);

    /// <summary>Where the user info of the authority starts, and the index of its closing '@'.</summary>
    private static bool TryFindUserInfo(string address, out int start, out int at)
    {
        int scheme = address.IndexOf("://", StringComparison.Ordinal);
        start = scheme < 0 ? 0 : scheme + 3;
        int end = address.IndexOfAny(['/', '?', '#'], start);
        end = end < 0 ? address.Length : end;
        at = end > start ? address.LastIndexOf('@', end - 1, end - start) : -1;
        return at >= 0;
    }
}
