namespace Gateway.Api.Data;

/// <summary>One mutating API call: who, what, the outcome. Never holds a request body (tokens).</summary>
public sealed class AuditEntryEntity
{
    public long Id { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>User name, <c>key:NAME</c> for an API key, or <c>anonymous</c>.</summary>
    public string Actor { get; set; } = string.Empty;

    public string Method { get; set; } = string.Empty;

    public string Path { get; set; } = string.Empty;

    public int Status { get; set; }

    /// <summary>What was acted on, e.g. a session or profile id, when the endpoint says.</summary>
    public string? Target { get; set; }

    public string? RemoteAddress { get; set; }
}
