namespace Gateway.Web.Tests.Infrastructure;

/// <summary>A gateway whose relay allows <see cref="MaxOpenTunnels"/> open tunnels, so that a test can reach the quota.</summary>
public sealed class RelayQuotaGatewayFixture() : GatewayFixture(new Dictionary<string, string?> { ["Relay:MaxOpenTunnels"] = MaxOpenTunnels.ToString(System.Globalization.CultureInfo.InvariantCulture) })
{
    public const int MaxOpenTunnels = 3;
}
