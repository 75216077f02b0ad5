namespace Gateway.Engine.Transport;

/// <summary>A failed connect: what happened, and for HTTP answers the status, body and <c>channel-id</c>.</summary>
internal sealed record ConnectFailure(ConnectFailureKind Kind, string Message, int? StatusCode = null, string? Body = null, string? ChannelId = null)
{
    public bool IsFinal => Kind == ConnectFailureKind.Rejected;

    public override string ToString() => StatusCode is null
        ? Message
        : $"{Message} (HTTP {StatusCode}{(string.IsNullOrEmpty(Body) ? string.Empty : $": \"{Body}\"")}{(ChannelId is null ? string.Empty : $", channel-id {ChannelId}")})";
}
