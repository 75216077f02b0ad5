namespace Gateway.Engine.Relay;

/// <summary>
/// The relay's answer to an upgrade request: either accept with a subprotocol, or a complete HTTP
/// error (status and a body saying what is wrong). 4xx means the caller must change something;
/// 5xx means try again later. Both carry the <c>channel-id</c> the relay assigned.
/// </summary>
public sealed class RelayHandshakeResult
{
    private RelayHandshakeResult(int statusCode, string? reason, string channelId, string? subprotocol, RelayAdmission? admission)
    {
        StatusCode = statusCode;
        Reason = reason;
        ChannelId = channelId;
        Subprotocol = subprotocol;
        Admission = admission;
    }

    /// <summary>True when the upgrade is accepted: answer 101 and pass the socket to <see cref="TunnelRelay.RunConnectionAsync"/>.</summary>
    public bool Accepted => Admission is not null;

    /// <summary>101 when accepted, else the HTTP status to answer with.</summary>
    public int StatusCode { get; }

    /// <summary>The response body for a rejection.</summary>
    public string? Reason { get; }

    /// <summary>The id the relay gave this connection attempt (a GUID), to answer in the <c>channel-id</c> header; the relay's log names it too.</summary>
    public string ChannelId { get; }

    /// <summary>The <c>Sec-WebSocket-Protocol</c> value to answer with (one the client offered).</summary>
    public string? Subprotocol { get; }

    internal RelayAdmission? Admission { get; }

    internal static RelayHandshakeResult Reject(int statusCode, string reason, string channelId) =>
        new(statusCode, reason, channelId, null, null);

    internal static RelayHandshakeResult Accept(RelayAdmission admission) =>
        new(101, null, admission.ChannelId, admission.Subprotocol, admission);
}
