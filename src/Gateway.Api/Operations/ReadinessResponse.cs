namespace Gateway.Api.Operations;

/// <summary>The body of a ready <c>/readyz</c>: <c>{"status":"ready","checks":{"database":"ok","engine":"ok"}}</c>.</summary>
internal sealed record ReadinessResponse(string Status, IReadOnlyDictionary<string, string> Checks);
