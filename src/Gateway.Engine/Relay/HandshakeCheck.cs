namespace Gateway.Engine.Relay;

/// <summary>Result of <see cref="RelayHandshakeRules.Check"/>: a failure, or the parsed request.</summary>
/// <param name="FailureStatus">The HTTP status to refuse the upgrade with (400, 401 or 431); 0 on success.</param>
/// <param name="FailureReason">The response body saying what is wrong; null on success.</param>
/// <param name="End">The tunnel end the proxy asked to be (<c>local-proxy-mode</c>).</param>
/// <param name="Subprotocol">The subprotocol chosen among those offered, to answer in <c>Sec-WebSocket-Protocol</c>.</param>
/// <param name="AccessToken">The access token sent, from the header or the cookie; not yet looked up.</param>
/// <param name="ClientToken">The client token sent, syntax checked; null when none was sent.</param>
internal readonly record struct HandshakeCheck(
    int FailureStatus,
    string? FailureReason,
    TunnelEnd End,
    string Subprotocol,
    string AccessToken,
    string? ClientToken)
{
    /// <summary>True when the request breaks a rule and must be refused with <see cref="FailureStatus"/>.</summary>
    public bool Failed => FailureReason is not null;

    /// <summary>A failed check.</summary>
    /// <param name="status">The HTTP status to refuse the upgrade with.</param>
    /// <param name="reason">The response body, for the person reading the proxy's log.</param>
    public static HandshakeCheck Fail(int status, string reason) => new(status, reason, default, string.Empty, string.Empty, null);
}
