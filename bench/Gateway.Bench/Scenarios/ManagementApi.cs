using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gateway.Bench.Infrastructure;
using Gateway.Api.Aws;
using Gateway.Engine.Aws;

namespace Gateway.Bench.Scenarios;

/// <summary>
/// Figure 8: the AWS management API. OpenTunnel + CloseTunnel pairs, each call signed with SigV4
/// (as the CLI signs) and verified by the gateway, one pair at a time over one HTTPS connection:
/// pairs per second and the latency of a pair.
/// </summary>
internal static class ManagementApi
{
    private const string ContentType = "application/x-amz-json-1.1";

    public static async Task RunAsync(BenchContext context)
    {
        int pairs = context.Options.Smoke ? 20 : 500;
        var gateway = context.Gateway;
        var endpoint = new Uri($"https://127.0.0.1:{gateway.HttpsPort}/");

        // Loopback only, to the gateway this process started with its own self-signed certificate.
        using var http = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == gateway.CertificateHash },
        })
        { BaseAddress = endpoint, Timeout = TimeSpan.FromSeconds(30) };
        var credentials = await CreateKeyAsync(http, gateway);

        for (int i = 0; i < 10; i++)
        {
            await PairAsync(http, endpoint, credentials, context.Cancellation);
        }

        var samples = new double[pairs];
        var all = Stopwatch.StartNew();
        for (int i = 0; i < pairs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await PairAsync(http, endpoint, credentials, context.Cancellation);
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        all.Stop();
        Array.Sort(samples);
        context.Table.Add(new ResultRow(8, BenchContext.InProcess, "OpenTunnel+CloseTunnel pairs per second (SigV4)", pairs / all.Elapsed.TotalSeconds, "pairs/s", $"{pairs} pairs, one at a time, one HTTPS connection"));
        context.Table.Add(new ResultRow(8, BenchContext.InProcess, "OpenTunnel+CloseTunnel pair, p50", Percentiles.Of(samples, 50), "ms"));
        context.Table.Add(new ResultRow(8, BenchContext.InProcess, "OpenTunnel+CloseTunnel pair, p99", Percentiles.Of(samples, 99), "ms"));
    }

    private static async Task PairAsync(HttpClient http, Uri endpoint, AwsCredentials credentials, CancellationToken cancellationToken)
    {
        var opened = await CallAsync(http, endpoint, credentials, "OpenTunnel", "{\"destinationConfig\": {\"services\": [\"SSH\"]}}", cancellationToken);
        string id = opened.GetProperty("tunnelId").GetString()!;
        await CallAsync(http, endpoint, credentials, "CloseTunnel", $"{{\"tunnelId\": \"{id}\", \"delete\": true}}", cancellationToken);
    }

    private static async Task<JsonElement> CallAsync(HttpClient http, Uri endpoint, AwsCredentials credentials, string operation, string json, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(json);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(ContentType);
        string target = "IoTSecuredTunneling." + operation;
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        foreach (var (name, value) in SigV4Signer.SignJson(endpoint, target, ContentType, body, credentials, "us-east-1", "IoTSecuredTunneling", DateTimeOffset.UtcNow))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await http.SendAsync(request, cancellationToken);
        string text = await response.Content.ReadAsStringAsync(cancellationToken);
        BenchContext.Require(response.IsSuccessStatusCode, $"{operation} answered {(int)response.StatusCode}: {text}");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    private static async Task<AwsCredentials> CreateKeyAsync(HttpClient http, BenchGateway gateway)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/aws-keys") { Content = JsonContent.Create(new { name = "bench", userName = "admin" }) };
        request.Headers.Add("X-Api-Key", gateway.AdminApiKey);
        using var response = await http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        BenchContext.Require(response.IsSuccessStatusCode, $"creating the AWS key answered {(int)response.StatusCode}: {text}");
        using var created = JsonDocument.Parse(text);
        return new AwsCredentials(created.RootElement.GetProperty("accessKeyId").GetString()!, created.RootElement.GetProperty("secretAccessKey").GetString()!);
    }
}
