namespace Gateway.Engine.Relay;

/// <summary>Result of <see cref="RelayHandshakeRules.Check"/>: a failure, or the parsed request.</summary>
public readonly record struct HandshakeCheck(
    int FailureStatus,
    string? FailureReason,
    TunnelEnd End,
    string Subprotocol,
    string AccessToken,
    string? ClientToken)
{
    public bool Failed => FailureReason is not null;

    public static HandshakeCheck Fail(int status, string reason) => new(status, reason, default, string.Empty, string.Empty, null);
}
