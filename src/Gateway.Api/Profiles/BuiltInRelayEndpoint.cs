using System.Net;
using Gateway.Api.Hosting;
using Gateway.Api.Tls;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Profiles;

/// <summary>
/// Where a session reaches this gateway's own relay: <c>wss://127.0.0.1:&lt;HTTPS port&gt;</c> from the
/// addresses Kestrel listens on, trusting the CA directory of the generated certificate.
/// </summary>
/// <remarks>
/// The addresses are only known once the server listens (after <c>IHostApplicationLifetime.ApplicationStarted</c>);
/// before, and on a gateway without HTTPS, <see cref="Endpoint"/> is null. A gateway bound to one
/// non-loopback address is reached on that address, which its certificate must then name.
/// </remarks>
internal sealed class BuiltInRelayEndpoint(IServer server, IOptions<GatewayOptions> options)
{
    /// <summary>The relay's WebSocket URL (path /tunnel is the default), or null when no HTTPS address is known.</summary>
    public string? Endpoint
    {
        get
        {
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            string? best = null;
            int bestRank = int.MaxValue;
            foreach (var address in addresses)
            {
                if (!address.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                BindingAddress binding;
                try
                {
                    binding = BindingAddress.Parse(address);
                }
                catch (FormatException)
                {
                    continue;
                }

                if (binding.Port <= 0)
                {
                    continue;
                }

                var (host, rank) = ReachableHost(binding.Host);
                if (rank < bestRank)
                {
                    (best, bestRank) = ($"wss://{host}:{binding.Port}", rank);
                }
            }

            return best;
        }
    }

    /// <summary>
    /// <c>&lt;data&gt;/tls/ca</c> when the gateway made its own certificate (that directory exists); null
    /// with a configured certificate, which the system's trust store is expected to cover.
    /// </summary>
    public string? CaDirectory
    {
        get
        {
            var gateway = options.Value;
            if (!string.IsNullOrWhiteSpace(gateway.Tls.CertificatePath))
            {
                return null;
            }

            string directory = SelfSignedCertificate.CaDirectory(Path.Combine(gateway.ResolveDataDirectory(), "tls"));
            return Directory.Exists(directory) ? directory : null;
        }
    }

    // Loopback and wildcard bindings are reached on 127.0.0.1 (the generated certificate names it);
    // an IPv6-only loopback on [::1]; anything else on itself.
    private static (string Host, int Rank) ReachableHost(string host)
    {
        string bare = host.Trim('[', ']');
        if (bare is "127.0.0.1" or "localhost" or "0.0.0.0" or "*" or "+" or "::")
        {
            return ("127.0.0.1", 0);
        }

        if (IPAddress.TryParse(bare, out var ip) && IPAddress.IsLoopback(ip))
        {
            return ip.Equals(IPAddress.IPv6Loopback) ? ("[::1]", 1) : (bare, 1);
        }

        return (host, 2);
    }
}
