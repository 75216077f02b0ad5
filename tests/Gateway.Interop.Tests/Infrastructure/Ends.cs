using System.Text.Json;
using System.Text.RegularExpressions;

namespace Gateway.Interop.Tests.Infrastructure;

/// <summary>
/// Starts tunnel ends of every <see cref="EndKind"/> on a gateway's relay and waits until each is ready:
/// a destination connected (it then handles SERVICE_IDS before anything the source sends, both
/// arrive on its one WebSocket in order), a source listening on every service's port.
/// </summary>
internal static partial class Ends
{
    /// <param name="mapping">The <c>-d</c> / <c>services</c> text, e.g. <c>SSH=127.0.0.1:PORT</c>.</param>
    public static async Task<TunnelEnd> StartDestinationAsync(EndKind kind, TestGateway gateway, string accessToken, string mapping, ITestOutputHelper output, EndOptions? options = null)
    {
        options ??= EndOptions.Default;
        if (kind == EndKind.Engine)
        {
            string id = await gateway.StartDestinationSessionAsync(accessToken, mapping, Settings(options), options.ClientToken);
            await gateway.WaitForSessionAsync(id, TestGateway.IsReady);
            return new TunnelEnd(kind, gateway, output, null, id, new Dictionary<string, int>());
        }

        var process = StartProcess(kind, gateway, accessToken, ["-d", mapping], output, options);
        try
        {
            if (kind == EndKind.Reference)
            {
                await process.WaitForLineAsync(ReferenceConnected());
            }
            else
            {
                await process.WaitReadyAsync();
            }
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }

        return new TunnelEnd(kind, gateway, output, process, null, new Dictionary<string, int>());
    }

    /// <param name="serviceIds">The services to listen for, each on a free port; an empty id is the unnamed V1-style form (<c>-s PORT</c>).</param>
    public static async Task<TunnelEnd> StartSourceAsync(EndKind kind, TestGateway gateway, string accessToken, IReadOnlyList<string> serviceIds, ITestOutputHelper output, EndOptions? options = null)
    {
        options ??= EndOptions.Default;
        if (kind == EndKind.Engine)
        {
            var ports = new Dictionary<string, int>(); // filled by the attempt that succeeded
            var (id, _) = await gateway.StartSourceSessionAsync(
                accessToken,
                port => Mapping(serviceIds, port, ports),
                options.DestinationClientType,
                Settings(options),
                options.ClientToken);
            await gateway.WaitForSessionAsync(id, TestGateway.IsReady);
            return new TunnelEnd(kind, gateway, output, null, id, ports);
        }

        // A port taken between choosing and binding makes either program fail at start: try again.
        for (int attempt = 0; ; attempt++)
        {
            var ports = new Dictionary<string, int>();
            string mapping = Mapping(serviceIds, Tcp.FreePort(), ports);
            var process = StartProcess(kind, gateway, accessToken, ["-s", mapping, "-b", "127.0.0.1"], output, options);
            try
            {
                if (kind == EndKind.Reference)
                {
                    foreach (int port in ports.Values)
                    {
                        await process.WaitForLineAsync(new Regex($@"Listening for new connection on port {port}\b"));
                    }
                }
                else
                {
                    await process.WaitReadyAsync();
                }

                return new TunnelEnd(kind, gateway, output, process, null, ports);
            }
            catch (InvalidOperationException) when (attempt < 3 && process.HasExited)
            {
                await process.DisposeAsync();
            }
            catch
            {
                await process.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Starts a reference or CLI process on the relay (token in the environment, never on the command line).</summary>
    public static LocalProxyProcess StartProcess(EndKind kind, TestGateway gateway, string accessToken, IEnumerable<string> modeArgs, ITestOutputHelper output, EndOptions? options = null)
    {
        options ??= EndOptions.Default;
        var args = new List<string>(gateway.EndpointArgs());
        args.AddRange(modeArgs);
        if (options.ClientToken is not null)
        {
            args.AddRange(["-i", options.ClientToken]);
        }

        if (options.DestinationClientType is not null)
        {
            args.AddRange(["-y", options.DestinationClientType]);
        }

        if (options.SettingsJson is not null)
        {
            string file = Path.Combine(Directory.CreateTempSubdirectory("interop-settings-").FullName, "settings.json");
            File.WriteAllText(file, options.SettingsJson);
            args.AddRange(["--settings-json", file]);
        }

        args.AddRange(options.ExtraArgs);
        return LocalProxyProcess.Start(
            args,
            new Dictionary<string, string?> { ["AWSIOT_TUNNEL_ACCESS_TOKEN"] = accessToken },
            executable: kind == EndKind.Reference ? ReferenceProxy.Executable : null,
            log: output.WriteLine);
    }

    /// <summary>The reference's line once its WebSocket is up (SERVICE_IDS follows on the same socket).</summary>
    [GeneratedRegex(@"\[info\] Successfully established websocket connection with proxy server")]
    public static partial Regex ReferenceConnected();

    private static JsonElement? Settings(EndOptions options) =>
        options.SettingsJson is null ? null : JsonDocument.Parse(options.SettingsJson).RootElement.Clone();

    /// <summary><c>SSH=p,WEB=p+1</c> (or <c>p</c> alone for the unnamed service), filling <paramref name="ports"/>.</summary>
    private static string Mapping(IReadOnlyList<string> serviceIds, int firstPort, Dictionary<string, int> ports)
    {
        ports.Clear();
        var parts = new List<string>();
        for (int i = 0; i < serviceIds.Count; i++)
        {
            int port = i == 0 ? firstPort : Tcp.FreePort();
            ports[serviceIds[i]] = port;
            parts.Add(serviceIds[i].Length == 0 ? $"{port}" : $"{serviceIds[i]}={port}");
        }

        return string.Join(',', parts);
    }
}
