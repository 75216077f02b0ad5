namespace Gateway.Api.Data;

/// <summary>One session's life: who started it, what it ran (no secrets), how it ended, bytes each way.</summary>
public sealed class SessionHistoryEntity
{
    /// <summary>The engine's session id.</summary>
    public string Id { get; set; } = string.Empty;

    public string? Name { get; set; }

    public string? ProfileId { get; set; }

    public string Mode { get; set; } = string.Empty;

    public string Endpoint { get; set; } = string.Empty;

    /// <summary>The spec as JSON without tokens.</summary>
    public string SpecJson { get; set; } = "{}";

    public string? StartedBy { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>Closed, Failed, Stopped; null while running.</summary>
    public string? EndState { get; set; }

    public string? EndReason { get; set; }

    public long BytesToTunnel { get; set; }

    public long BytesFromTunnel { get; set; }
}
