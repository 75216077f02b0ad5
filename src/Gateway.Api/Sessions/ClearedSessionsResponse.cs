namespace Gateway.Api.Sessions;

/// <summary>Answer of <c>DELETE /api/tunnels/ended</c>: the ids of the ended sessions removed from the list (their history stays).</summary>
public sealed record ClearedSessionsResponse(IReadOnlyList<string> Removed);
