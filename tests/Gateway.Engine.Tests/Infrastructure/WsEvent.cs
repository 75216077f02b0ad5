using System.Text;

namespace Gateway.Engine.Tests.Infrastructure;

/// <summary>
/// One thing the fake service received from the client.
/// </summary>
/// <param name="Kind">What arrived.</param>
/// <param name="Payload">The unmasked payload (for data messages: all fragments concatenated; for Close: the raw close payload; empty for Disconnected).</param>
/// <param name="CloseCode">For Close: the status code, when the payload carried one.</param>
/// <param name="CloseReason">For Close: the UTF-8 reason, when the payload carried a code.</param>
/// <param name="FrameSizes">Payload lengths of the WebSocket frames that made up this message, in order (one entry for control frames, none for Disconnected).</param>
/// <param name="ReceivedAt">When the last frame of the message was parsed.</param>
public sealed record WsEvent(
    WsEventKind Kind,
    byte[] Payload,
    ushort? CloseCode,
    string? CloseReason,
    IReadOnlyList<int> FrameSizes,
    DateTimeOffset ReceivedAt)
{
    /// <summary>The payload decoded as UTF-8 (e.g. the ASCII millisecond timestamp of a ping).</summary>
    public string PayloadText => Encoding.UTF8.GetString(Payload);

    /// <inheritdoc />
    public override string ToString()
    {
        var text = $"{Kind} [{Payload.Length} bytes: {Hex.Preview(Payload)}] frames=[{string.Join(",", FrameSizes)}]";
        if (Kind == WsEventKind.Close)
        {
            text += $" code={CloseCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} reason=\"{CloseReason}\"";
        }

        return text;
    }
}
