using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;

namespace Gateway.Api.Hosting;

/// <summary>
/// Where the gateway listens, by ASP.NET Core's own settings: <c>--urls</c>, <c>ASPNETCORE_URLS</c>,
/// <c>ASPNETCORE_HTTP_PORTS</c>/<c>ASPNETCORE_HTTPS_PORTS</c>, <c>Urls</c> in a settings file or
/// <c>Kestrel:Endpoints</c>. Only when none of them is set does the gateway use its default, loopback
/// only (a default in appsettings.json would win over the ASPNETCORE_ variables, which are read first).
/// </summary>
internal static class ListenAddresses
{
    public const string Default = "https://127.0.0.1:5443;http://127.0.0.1:5080";

    /// <summary>The host settings that choose the addresses, as ASP.NET Core reads them (without the ASPNETCORE_ prefix).</summary>
    private static readonly string[] HostKeys = ["urls", "https_ports", "http_ports"];

    /// <summary>What a message says when the default was used: none of the settings was given.</summary>
    public const string DefaultOrigin = "the gateway's default: none of --urls, ASPNETCORE_URLS, Urls, ASPNETCORE_HTTP_PORTS, ASPNETCORE_HTTPS_PORTS and Kestrel:Endpoints is set";

    public static void ApplyDefault(WebApplicationBuilder builder)
    {
        if (!HostKeys.Any(k => !string.IsNullOrWhiteSpace(builder.Configuration[k])) && !builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            // A source of its own rather than UseUrls (which writes the value into every provider), so
            // that a message can tell the default from a setting the operator gave.
            ((IConfigurationBuilder)builder.Configuration).Add(new DefaultSource());
        }
    }

    /// <summary>
    /// Where the addresses came from (<c>set by --urls</c>, or <see cref="DefaultOrigin"/>) and the setting
    /// that changes them, the way an operator would write them (for messages).
    /// </summary>
    public static (string Origin, string Remedy) DescribeSetting(IConfiguration? configuration)
    {
        if (configuration is null)
        {
            return Given("--urls");
        }

        if (configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            return Given("Kestrel:Endpoints");
        }

        if (configuration is IConfigurationRoot root)
        {
            foreach (var key in HostKeys)
            {
                foreach (var provider in root.Providers.Reverse())
                {
                    if (provider.TryGet(key, out var value) && !string.IsNullOrWhiteSpace(value))
                    {
                        return provider is DefaultProvider ? (DefaultOrigin, "--urls or ASPNETCORE_URLS") : Given(Describe(provider, key));
                    }
                }
            }
        }

        return Given("--urls, ASPNETCORE_URLS or Urls");
    }

    private static (string Origin, string Remedy) Given(string setting) => ("set by " + setting, setting);

    private static string Describe(IConfigurationProvider provider, string key) => provider switch
    {
        CommandLineConfigurationProvider => "--" + key,
        EnvironmentVariablesConfigurationProvider when $"{provider}".Contains("'ASPNETCORE_'", StringComparison.Ordinal) => "ASPNETCORE_" + key.ToUpperInvariant(),
        EnvironmentVariablesConfigurationProvider when $"{provider}".Contains("'DOTNET_'", StringComparison.Ordinal) => "DOTNET_" + key.ToUpperInvariant(),
        EnvironmentVariablesConfigurationProvider => "the environment variable " + (key == "urls" ? "Urls" : key.ToUpperInvariant()),
        JsonConfigurationProvider json => $"{(key == "urls" ? "Urls" : key)} in {json.Source.Path}",
        _ => key == "urls" ? "Urls" : key,
    };

    /// <summary>The default addresses, a source of their own, added only when nothing else sets the addresses.</summary>
    private sealed class DefaultSource : IConfigurationSource
    {
        public IConfigurationProvider Build(IConfigurationBuilder builder) => new DefaultProvider();
    }

    private sealed class DefaultProvider : ConfigurationProvider
    {
        public override void Load() => Data["urls"] = Default;
    }
}
