using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gateway.Api.Aws;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Aws;

namespace Gateway.Api.Tests.Aws;

/// <summary>Signs AWS JSON 1.1 calls to the gateway's management API with <see cref="SigV4Signer"/>.</summary>
internal sealed class AwsSignedClient(TestGateway gateway, AwsCredentials credentials, string region = "us-east-1") : IDisposable
{
    private readonly HttpClient _http = gateway.CreateClient(apiKey: null);

    public async Task<(int Status, JsonElement Body, HttpResponseMessage Response)> CallAsync(string operation, string json, Action<HttpRequestMessage>? tamper = null, Uri? baseUri = null)
    {
        var uri = baseUri ?? gateway.HttpsBase;
        var body = Encoding.UTF8.GetBytes(json);
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", $"IoTSecuredTunneling.{operation}");
        foreach (var (name, value) in SigV4Signer.SignJson(uri, $"IoTSecuredTunneling.{operation}", "application/x-amz-json-1.1", body, credentials, region, "IoTSecuredTunneling", DateTimeOffset.UtcNow))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        tamper?.Invoke(request);
        var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
        return ((int)response.StatusCode, document.RootElement.Clone(), response);
    }

    public void Dispose() => _http.Dispose();
}
