namespace Gateway.Engine.Sessions;

/// <summary>One problem with a spec. <see cref="Field"/> is the camelCase property path, e.g. <c>services</c> or <c>settings.pingPeriodMs</c>.</summary>
public sealed record SpecError(string Field, string Message);
