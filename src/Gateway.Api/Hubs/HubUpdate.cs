using Gateway.Engine.Sessions;

namespace Gateway.Api.Hubs;

/// <summary>One entry of the broadcaster's ordered queue: an engine event, a log line or the flush tick.</summary>
internal readonly record struct HubUpdate(HubUpdateKind Kind, string SessionId, SessionSnapshot? Session = null, SessionLogLine? Line = null)
{
    public static readonly HubUpdate Flush = new(HubUpdateKind.Flush, string.Empty);
}
