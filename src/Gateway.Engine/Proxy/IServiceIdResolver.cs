namespace Gateway.Engine.Proxy;

/// <summary>
/// Looks up service ids that SERVICE_IDS names but the session's own map does not (the reference's
/// <c>--config-dir</c>, docs/protocol.md section 8.1 step 4). Return null for an unknown id.
/// </summary>
public interface IServiceIdResolver
{
    ServiceEndpoint? Resolve(string serviceId);
}
