using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Hosting;

/// <summary>
/// Finds the operator's problem in an exception that stopped the start, however the host wrapped it,
/// as one line and the process's exit code (docs/deployment.md, "Exit codes").
/// </summary>
internal static partial class StartupProblem
{
    /// <summary>The configuration or the data directory must be fixed.</summary>
    public const int ConfigurationExitCode = 1;

    /// <summary>A listen address is taken by another process (or is not an address of this host).</summary>
    public const int AddressExitCode = 2;

    public static (string Message, int ExitCode)? Find(Exception exception, IConfiguration? configuration = null)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is GatewayStartupException or OptionsValidationException)
            {
                return (current.Message, ConfigurationExitCode);
            }

            if (current is IOException { InnerException: AddressInUseException or SocketException } bind)
            {
                return (BindProblem(bind, configuration), AddressExitCode);
            }

            if (current is AggregateException { InnerExceptions.Count: 1 } aggregate)
            {
                return Find(aggregate.InnerExceptions[0], configuration);
            }
        }

        return null;
    }

    /// <summary>Kestrel says "Failed to bind to address URL: ..."; the port and the setting it came from are what the operator needs.</summary>
    private static string BindProblem(IOException bind, IConfiguration? configuration)
    {
        var (origin, remedy) = ListenAddresses.DescribeSetting(configuration);
        string address = BindAddress().Match(bind.Message) is { Success: true } match ? match.Groups[1].Value : "a listen address";
        string port = Uri.TryCreate(address.Replace("*", "localhost", StringComparison.Ordinal).Replace("+", "localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri) ? $"port {uri.Port}" : address;
        string why = bind.InnerException is AddressInUseException || bind.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }
            ? "is already in use by another process"
            : $"cannot be bound ({bind.InnerException!.Message})";
        return $"{port} ({address}, {origin}) {why}: stop that process or choose another address with {remedy}.";
    }

    [GeneratedRegex(@"Failed to bind to address (\S+?):? ")]
    private static partial Regex BindAddress();
}
