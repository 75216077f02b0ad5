namespace Gateway.Api.Relay;

/// <summary>The two sessions a <c>connect</c> started, and the ports the source listens on (service id -> port).</summary>
public sealed record ConnectedSessions(string SourceSessionId, string DestinationSessionId, IReadOnlyDictionary<string, int> SourcePorts);
