using Gateway.Engine.Protocol;
using Microsoft.Extensions.Options;

namespace Gateway.Engine.Relay;

/// <summary>
/// Checks <see cref="RelayOptions"/> once, at start: with <c>AddTunnelRelay()</c> the host refuses to start
/// on a bad value (a relay constructed by hand takes its options as given). Each failure names the option
/// (as <c>Relay:Name</c>, its configuration key in the gateway) and the range it must be in.
/// </summary>
internal sealed class RelayOptionsValidator : IValidateOptions<RelayOptions>
{
    /// <summary>One whole tunnel frame (length prefix and the largest body) must fit in a message.</summary>
    public const int MinMessageSize = 2 + FrameReader.MaxFrameBodyLength;

    /// <summary>The relay judges the request line and headers; below this no client's upgrade request fits.</summary>
    public const int MinUpgradeRequestBytes = 1024;

    public ValidateOptionsResult Validate(string? name, RelayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = Errors(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static List<string> Errors(RelayOptions o)
    {
        var errors = new List<string>();
        if (o.MaxLifetimeMinutes < 1)
        {
            errors.Add($"Relay:MaxLifetimeMinutes must be at least 1; {o.MaxLifetimeMinutes} was given.");
        }

        if (o.DefaultLifetimeMinutes < 1 || o.DefaultLifetimeMinutes > Math.Max(1, o.MaxLifetimeMinutes))
        {
            errors.Add($"Relay:DefaultLifetimeMinutes must be 1 to Relay:MaxLifetimeMinutes ({o.MaxLifetimeMinutes}); {o.DefaultLifetimeMinutes} was given.");
        }

        if (o.MaxServicesPerTunnel is < 1 or > 1024)
        {
            errors.Add($"Relay:MaxServicesPerTunnel must be 1 to 1024; {o.MaxServicesPerTunnel} was given.");
        }

        if (o.MaxMessageSize < MinMessageSize)
        {
            errors.Add($"Relay:MaxMessageSize must be at least {MinMessageSize} bytes (one whole tunnel frame); {o.MaxMessageSize} was given.");
        }

        if (o.MaxUpgradeRequestBytes < MinUpgradeRequestBytes)
        {
            errors.Add($"Relay:MaxUpgradeRequestBytes must be at least {MinUpgradeRequestBytes}; {o.MaxUpgradeRequestBytes} was given.");
        }

        if (o.OutboundQueueCapacity < 1)
        {
            errors.Add($"Relay:OutboundQueueCapacity must be at least 1; {o.OutboundQueueCapacity} was given.");
        }

        if (o.MaxOpenTunnels < 1)
        {
            errors.Add($"Relay:MaxOpenTunnels must be at least 1; {o.MaxOpenTunnels} was given.");
        }

        if (o.ClosedTunnelRetention < TimeSpan.Zero)
        {
            errors.Add($"Relay:ClosedTunnelRetention must not be negative; {o.ClosedTunnelRetention} was given.");
        }

        if (string.IsNullOrWhiteSpace(o.Region) || o.Region.AsSpan().IndexOfAnyExcept("abcdefghijklmnopqrstuvwxyz0123456789-") >= 0)
        {
            errors.Add($"Relay:Region must be a region name such as us-east-1 (lower-case letters, digits and '-'); '{o.Region}' was given.");
        }

        if (o.AccountId is not { Length: 12 } || o.AccountId.AsSpan().IndexOfAnyExceptInRange('0', '9') >= 0)
        {
            errors.Add($"Relay:AccountId must be 12 digits; '{o.AccountId}' was given.");
        }

        if (o.CloseTimeout <= TimeSpan.Zero)
        {
            errors.Add($"Relay:CloseTimeout must be positive; {o.CloseTimeout} was given.");
        }

        if (o.RejectedHandshakeLogLimit < 0)
        {
            errors.Add($"Relay:RejectedHandshakeLogLimit must not be negative; {o.RejectedHandshakeLogLimit} was given.");
        }

        if (o.RejectedHandshakeLogWindow <= TimeSpan.Zero)
        {
            errors.Add($"Relay:RejectedHandshakeLogWindow must be positive; {o.RejectedHandshakeLogWindow} was given.");
        }

        if (o.RejectedHandshakeLogMaxAddresses < 1)
        {
            errors.Add($"Relay:RejectedHandshakeLogMaxAddresses must be at least 1; {o.RejectedHandshakeLogMaxAddresses} was given.");
        }

        return errors;
    }
}
