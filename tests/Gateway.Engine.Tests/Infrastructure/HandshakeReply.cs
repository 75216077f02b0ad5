namespace Gateway.Engine.Tests.Infrastructure;

/// <summary>
/// How <see cref="FakeTunnelService"/> answers a WebSocket upgrade request.
/// Create one with <see cref="Accept"/>, <see cref="AcceptWithSubprotocol"/> or <see cref="Reject"/>.
/// </summary>
public sealed class HandshakeReply
{
    /// <summary>The <c>channel-id</c> a rejection carries unless told otherwise.</summary>
    public const string DefaultRejectChannelId = "00000000-0000-0000-0000-000000000000";

    private HandshakeReply(bool isRejection, int statusCode, string body, string? channelId, bool echoOfferedSubprotocol, string? subprotocol)
    {
        IsRejection = isRejection;
        StatusCode = statusCode;
        Body = body;
        ChannelId = channelId;
        EchoOfferedSubprotocol = echoOfferedSubprotocol;
        Subprotocol = subprotocol;
    }

    /// <summary>True for a non-101 answer (complete HTTP response with Content-Length, then the TCP connection is closed).</summary>
    public bool IsRejection { get; }

    /// <summary>101 for an upgrade, otherwise the rejection status.</summary>
    public int StatusCode { get; }

    /// <summary>Rejection body (UTF-8); empty for an upgrade.</summary>
    public string Body { get; }

    /// <summary>
    /// For a rejection: the <c>channel-id</c> header value, null = no header.
    /// For an upgrade this is always null: every accepted connection gets a fresh GUID.
    /// </summary>
    public string? ChannelId { get; }

    /// <summary>Upgrade only: answer with the first value of the offered <c>Sec-WebSocket-Protocol</c> (omitted if none was offered).</summary>
    public bool EchoOfferedSubprotocol { get; }

    /// <summary>Upgrade only, when <see cref="EchoOfferedSubprotocol"/> is false: the header value to send, null = omit the header.</summary>
    public string? Subprotocol { get; }

    /// <summary>101, echoing the offered subprotocol, with a fresh <c>channel-id: &lt;guid&gt;</c>. The default.</summary>
    public static HandshakeReply Accept() => new(false, 101, string.Empty, null, true, null);

    /// <summary>101 with <c>Sec-WebSocket-Protocol: <paramref name="value"/></c>; null omits the header.</summary>
    public static HandshakeReply AcceptWithSubprotocol(string? value) => new(false, 101, string.Empty, null, false, value);

    /// <summary>A complete <paramref name="status"/> response with Content-Length and <paramref name="body"/>, then the connection is closed.</summary>
    public static HandshakeReply Reject(int status, string body, string? channelId = DefaultRejectChannelId)
    {
        if (status is < 200 or > 599 or 101)
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "A rejection needs a final non-101 status (200-599).");
        }

        ArgumentNullException.ThrowIfNull(body);
        return new HandshakeReply(true, status, body, channelId, false, null);
    }

    /// <inheritdoc />
    public override string ToString() => IsRejection
        ? $"Reject {StatusCode} \"{Body}\" channel-id={ChannelId ?? "(none)"}"
        : EchoOfferedSubprotocol ? "Accept (echo subprotocol)" : $"Accept (subprotocol {Subprotocol ?? "omitted"})";
}
