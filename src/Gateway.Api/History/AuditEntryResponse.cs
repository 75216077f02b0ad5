namespace Gateway.Api.History;

/// <summary>One mutating API call.</summary>
public sealed record AuditEntryResponse(long Id, DateTimeOffset At, string Actor, string Method, string Path, int Status, string? Target, string? RemoteAddress);
