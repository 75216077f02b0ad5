namespace Gateway.Api.Data;

/// <summary>
/// A session that runs, kept so that the next start of the gateway resumes it. The whole spec,
/// tokens included, is one Data Protection blob; the other columns are for listing and cleanup.
/// </summary>
public sealed class RunningSessionEntity
{
    /// <summary>The session's id, kept across restarts.</summary>
    public string Id { get; set; } = string.Empty;

    public string? Name { get; set; }

    public string Mode { get; set; } = string.Empty;

    /// <summary>The spec as JSON (see SessionSpecStorage), protected with Data Protection.</summary>
    public string ProtectedSpec { get; set; } = string.Empty;

    public string? StartedBy { get; set; }

    public string? ProfileId { get; set; }

    /// <summary>The cloud the session's tunnel is on, when the gateway knows it.</summary>
    public string? Cloud { get; set; }

    public string? TunnelId { get; set; }

    /// <summary>Stopping the session closes its tunnel on the cloud.</summary>
    public bool CloseTunnelOnStop { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
