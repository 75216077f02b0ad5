namespace Gateway.Api.Agents;

/// <summary>What became of a tunnel notification.</summary>
internal enum NotificationResult
{
    /// <summary>Its destination session started.</summary>
    Started,

    /// <summary>An exact repeat of the previous one: ignored.</summary>
    Duplicate,

    /// <summary>Well formed, but names a service the agent does not map.</summary>
    Refused,

    /// <summary>Not a notification: malformed, oversized, wrong types or values.</summary>
    Invalid,

    /// <summary>Accepted, but its session could not start.</summary>
    Failed,

    /// <summary>Accepted, but a newer one for the same thing came before its session started (a flood: the newest wins).</summary>
    Superseded,
}
