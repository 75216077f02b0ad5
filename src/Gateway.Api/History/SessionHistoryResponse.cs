using System.Text.Json;

namespace Gateway.Api.History;

/// <summary>One past (or running) session as the history lists it; its spec holds no token.</summary>
public sealed record SessionHistoryResponse(
    string Id,
    string? Name,
    string? ProfileId,
    string Mode,
    string Endpoint,
    JsonElement Spec,
    string? StartedBy,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    string? EndState,
    string? EndReason,
    long BytesToTunnel,
    long BytesFromTunnel);
