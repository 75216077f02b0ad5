namespace Gateway.Engine.Settings;

/// <summary>One problem with a spec. <see cref="Field"/> is the camelCase property path, e.g. <c>services</c> or <c>settings.pingPeriodMs</c>.</summary>
/// <param name="Field">The field at fault, such as <c>accessToken</c> or <c>settings.pingPeriodMs</c>.</param>
/// <param name="Message">What is wrong and what is allowed; never a token's value.</param>
public sealed record SpecError(string Field, string Message);
