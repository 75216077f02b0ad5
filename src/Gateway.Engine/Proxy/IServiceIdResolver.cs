using Gateway.Engine.Settings;

namespace Gateway.Engine.Proxy;

/// <summary>
/// Looks up service ids that SERVICE_IDS names but the session's own map does not (the reference's
/// <c>--config-dir</c>, docs/protocol.md section 8.1 step 4). Return null for an unknown id.
/// </summary>
public interface IServiceIdResolver
{
    /// <summary>
    /// The local endpoint of <paramref name="serviceId"/>, or null when it has none. Asked for each id of
    /// SERVICE_IDS when the session's service map is empty; a source session listens on an ephemeral
    /// port for an id this returns null for, a destination session fails the link.
    /// </summary>
    /// <param name="serviceId">A service id as the tunnel's SERVICE_IDS lists it, such as <c>SSH</c>.</param>
    ServiceEndpoint? Resolve(string serviceId);
}
