namespace Gateway.Api.History;

/// <summary>One mutating API call; <paramref name="Action"/> says what it did in words (<c>Stop session</c>), from its method and path.</summary>
public sealed record AuditEntryResponse(long Id, DateTimeOffset At, string Actor, string Method, string Path, int Status, string? Target, string? RemoteAddress, string Action);
