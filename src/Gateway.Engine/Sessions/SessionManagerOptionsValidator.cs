using Microsoft.Extensions.Options;

namespace Gateway.Engine.Sessions;

/// <summary>
/// Checks <see cref="SessionManagerOptions"/> once, at start: with <c>AddTunnelEngine()</c> the host refuses
/// to start on a bad value (a manager constructed by hand takes its options as given).
/// </summary>
internal sealed class SessionManagerOptionsValidator : IValidateOptions<SessionManagerOptions>
{
    public ValidateOptionsResult Validate(string? name, SessionManagerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = Errors(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static List<string> Errors(SessionManagerOptions o)
    {
        var errors = new List<string>();
        if (o.CounterInterval < TimeSpan.FromMilliseconds(10) || o.CounterInterval > TimeSpan.FromMinutes(1))
        {
            errors.Add($"SessionManagerOptions.CounterInterval must be 10 ms to 1 minute; {o.CounterInterval} was given.");
        }

        if (o.ConnectTimeout <= TimeSpan.Zero || o.ConnectTimeout > TimeSpan.FromMinutes(10))
        {
            errors.Add($"SessionManagerOptions.ConnectTimeout must be positive and at most 10 minutes; {o.ConnectTimeout} was given.");
        }

        if (o.MaxFinishedSessions < 0)
        {
            errors.Add($"SessionManagerOptions.MaxFinishedSessions must not be negative; {o.MaxFinishedSessions} was given.");
        }

        return errors;
    }
}
