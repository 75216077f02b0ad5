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

    public static void ApplyDefault(WebApplicationBuilder builder)
    {
        if (!HostKeys.Any(k => !string.IsNullOrWhiteSpace(builder.Configuration[k])) && !builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            builder.WebHost.UseUrls(Default);
        }
    }

    /// <summary>The setting that chose the addresses, the way an operator would write it (for messages).</summary>
    public static string DescribeSetting(IConfiguration? configuration)
    {
        if (configuration is null)
        {
            return "--urls";
        }

        if (configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            return "Kestrel:Endpoints";
        }

        if (configuration is IConfigurationRoot root)
        {
            foreach (var key in HostKeys)
            {
                foreach (var provider in root.Providers.Reverse())
                {
                    if (provider.TryGet(key, out var value) && !string.IsNullOrWhiteSpace(value))
                    {
                        return Describe(provider, key);
                    }
                }
            }
        }

        return "--urls, ASPNETCORE_URLS or Urls";
    }

    private static string Describe(IConfigurationProvider provider, string key) => provider switch
    {
        CommandLineConfigurationProvider => "--" + key,
        EnvironmentVariablesConfigurationProvider when $"{provider}".Contains("'ASPNETCORE_'", StringComparison.Ordinal) => "ASPNETCORE_" + key.ToUpperInvariant(),
        EnvironmentVariablesConfigurationProvider when $"{provider}".Contains("'DOTNET_'", StringComparison.Ordinal) => "DOTNET_" + key.ToUpperInvariant(),
        EnvironmentVariablesConfigurationProvider => "the environment variable " + (key == "urls" ? "Urls" : key.ToUpperInvariant()),
        JsonConfigurationProvider json => $"{(key == "urls" ? "Urls" : key)} in {json.Source.Path}",
        _ => key == "urls" ? "Urls" : key,
    };
}
