using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Gateway.Bench.Infrastructure;

/// <summary>
/// The built gateway (Gateway.Api.dll) as a separate process on 127.0.0.1 ports chosen by the OS,
/// with its own temporary data directory and a random admin API key; used as the relay when the
/// sessions live in another process.
/// </summary>
internal sealed partial class GatewayProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly HttpClient _client;

    private GatewayProcess(ChildProcess process, string dataDirectory, string apiKey, string httpsBase, string httpBase)
    {
        _process = process;
        DataDirectory = dataDirectory;
        ApiKey = apiKey;
        HttpsBase = httpsBase;
        HttpBase = httpBase;
        var trusted = File.ReadAllText(Path.Combine(dataDirectory, "tls", "gateway.crt"));
        using var expected = X509Certificate2.CreateFromPem(trusted);
        var raw = expected.RawData;
        _client = new HttpClient(new SocketsHttpHandler
        {
            // Exactly this gateway's own certificate, nothing else.
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(raw) },
        })
        {
            BaseAddress = new Uri(httpsBase),
            Timeout = TimeSpan.FromSeconds(60),
        };
        _client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
    }

    public int Pid => _process.Pid;

    public string DataDirectory { get; }

    public string ApiKey { get; }

    public string HttpsBase { get; }

    public string HttpBase { get; }

    public string WsEndpoint => HttpBase.Replace("http://", "ws://", StringComparison.Ordinal).TrimEnd('/');

    public string CaDirectory => Path.Combine(DataDirectory, "tls", "ca");

    public string WssEndpoint => HttpsBase.Replace("https://", "wss://", StringComparison.Ordinal).TrimEnd('/');

    public static async Task<GatewayProcess> StartAsync()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("gateway-bench-relay-").FullName;
        var apiKey = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        var process = new ChildProcess(Paths.GatewayDll, [], new Dictionary<string, string>
        {
            ["Gateway__DataDirectory"] = dataDirectory,
            ["Auth__AdminApiKey"] = apiKey,
            ["Auth__AdminPassword"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)),
            ["Urls"] = "https://127.0.0.1:0;http://127.0.0.1:0",

            // The plain ws:// runs (what TLS costs) need the relay on the HTTP listener too.
            ["Relay__AllowPlainHttp"] = "true",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
            ["Logging__Console__FormatterName"] = "simple",
        });
        try
        {
            var https = await process.WaitForLineAsync(HttpsLine(), TimeSpan.FromSeconds(60));
            var http = await process.WaitForLineAsync(HttpLine(), TimeSpan.FromSeconds(10));
            return new GatewayProcess(process, dataDirectory, apiKey, https.Groups[1].Value, http.Groups[1].Value);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates a relay tunnel through the REST API; returns its id and the two tokens.</summary>
    public async Task<(string Id, string SourceToken, string DestinationToken)> CreateTunnelAsync(string service, CancellationToken cancellationToken)
    {
        using var response = await _client.PostAsJsonAsync("/api/relay/tunnels", new { services = new[] { service }, description = "bench" }, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var root = body.RootElement;
        return (root.GetProperty("tunnelId").GetString()!, root.GetProperty("sourceAccessToken").GetString()!, root.GetProperty("destinationAccessToken").GetString()!);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _process.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [GeneratedRegex(@"Now listening on: (https://127\.0\.0\.1:\d+)")]
    private static partial Regex HttpsLine();

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex HttpLine();
}
