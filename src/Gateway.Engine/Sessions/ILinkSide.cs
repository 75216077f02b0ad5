using Gateway.Engine.Protocol.Wire;
using Gateway.Engine.Proxy;

namespace Gateway.Engine.Sessions;

/// <summary>
/// What differs between the two ends of a tunnel on one link: who starts streams and what a
/// service does once SERVICE_IDS named it. <see cref="SourceSide"/> listens and starts streams;
/// <see cref="DestinationSide"/> connects to local services when the peer starts one.
/// </summary>
internal interface ILinkSide
{
    /// <summary>A STREAM_START (<paramref name="isStreamStart"/>) or CONNECTION_START from the peer.</summary>
    void OnStart(Message message, bool isStreamStart);

    /// <summary>SERVICE_IDS was applied to these services. Returns an error that ends the link, or null.</summary>
    string? OnServicesReady(IReadOnlyList<ServiceChannel> channels);
}
