using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Api.Tests.Aws;
using Gateway.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Api.Tests.Clouds;

/// <summary>
/// Clouds as a resource: stored with their credentials encrypted and never shown, tested with a
/// signed ListTunnels whose failure names its cause, and the client's retries (throttling and 5xx
/// only) against a small AWS-shaped server on loopback.
/// </summary>
public sealed class CloudsApiTests
{
    [Fact]
    public async Task AStaticKeyIsStoredButNeverShown_AndTheTestNamesWhatIsWrong()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var client = gateway.CreateClient();
        var key = await AwsTestKeys.CreateAsync(gateway, "operator");
        string endpoint = $"https://127.0.0.1:{gateway.HttpsBase.Port}";

        using (var put = await client.PutAsJsonAsync("/api/clouds/relay", new { region = "us-east-1", managementEndpoint = endpoint, dataEndpoint = $"wss://127.0.0.1:{gateway.HttpsBase.Port}", caPath = gateway.CaDirectory(), credentialSource = "static", accessKeyId = key.AccessKeyId, secretAccessKey = key.SecretAccessKey }))
        {
            string text = await put.Content.ReadAsStringAsync();
            Assert.True(put.StatusCode == HttpStatusCode.Created, text);
            Assert.DoesNotContain(key.SecretAccessKey, text, StringComparison.Ordinal);
            var cloud = JsonDocument.Parse(text).RootElement;
            Assert.True(cloud.GetProperty("hasSecretAccessKey").GetBoolean());
            Assert.Equal(key.AccessKeyId, cloud.GetProperty("accessKeyId").GetString());
        }

        string listed = await client.GetStringAsync("/api/clouds");
        Assert.DoesNotContain(key.SecretAccessKey, listed, StringComparison.Ordinal);
        var names = JsonDocument.Parse(listed).RootElement.EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Equal(["local", "relay"], names);

        Assert.True((await TestAsync(client, "relay")).GetProperty("ok").GetBoolean());
        Assert.True((await TestAsync(client, "local")).GetProperty("ok").GetBoolean());

        // Updating without the secret keeps it; a wrong one is a bad signature; an unknown id an unknown key.
        (await client.PutAsJsonAsync("/api/clouds/relay", new { region = "us-east-1", managementEndpoint = endpoint, caPath = gateway.CaDirectory(), credentialSource = "static", accessKeyId = key.AccessKeyId })).EnsureSuccessStatusCode();
        Assert.True((await TestAsync(client, "relay")).GetProperty("ok").GetBoolean());
        (await client.PutAsJsonAsync("/api/clouds/relay", new { region = "us-east-1", managementEndpoint = endpoint, caPath = gateway.CaDirectory(), credentialSource = "static", accessKeyId = key.AccessKeyId, secretAccessKey = "wrong-secret-0123456789abcdef" })).EnsureSuccessStatusCode();
        Assert.StartsWith("bad signature", (await TestAsync(client, "relay")).GetProperty("reason").GetString(), StringComparison.Ordinal);
        (await client.PutAsJsonAsync("/api/clouds/relay", new { region = "us-east-1", managementEndpoint = endpoint, caPath = gateway.CaDirectory(), credentialSource = "static", accessKeyId = "AKIAAAAAAAAAAAAAAAAA", secretAccessKey = key.SecretAccessKey })).EnsureSuccessStatusCode();
        Assert.StartsWith("unknown key", (await TestAsync(client, "relay")).GetProperty("reason").GetString(), StringComparison.Ordinal);

        // Nothing listens there.
        (await client.PutAsJsonAsync("/api/clouds/nowhere", new { region = "us-east-1", managementEndpoint = $"https://127.0.0.1:{Tcp.FreePort()}", credentialSource = "static", accessKeyId = key.AccessKeyId, secretAccessKey = key.SecretAccessKey })).EnsureSuccessStatusCode();
        Assert.StartsWith("no route", (await TestAsync(client, "nowhere")).GetProperty("reason").GetString(), StringComparison.Ordinal);

        // The secret is in no log line, no audit entry, and not in the database file in clear.
        gateway.Logs.AssertNeverLogged(key.SecretAccessKey);
        Assert.DoesNotContain(key.SecretAccessKey, await client.GetStringAsync("/api/audit"), StringComparison.Ordinal);
        Assert.DoesNotContain(key.SecretAccessKey, await client.GetStringAsync("/api/clouds/relay"), StringComparison.Ordinal);
        var databaseFiles = Directory.GetFiles(gateway.DataDirectory, "*.db*", SearchOption.AllDirectories);
        Assert.NotEmpty(databaseFiles);
        foreach (string file in databaseFiles)
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, System.Text.Encoding.Latin1);
            Assert.DoesNotContain(key.SecretAccessKey, await reader.ReadToEndAsync(), StringComparison.Ordinal);
        }

        using var deleted = await client.DeleteAsync("/api/clouds/nowhere");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var local = await client.DeleteAsync("/api/clouds/local");
        Assert.Equal(HttpStatusCode.BadRequest, local.StatusCode);
    }

    [Fact]
    public async Task ACloudSignedForAnotherRegionIsNamedAsTheWrongRegion_InItsTestAndInTheProblemOfAnOpen()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var client = gateway.CreateClient();
        var key = await AwsTestKeys.CreateAsync(gateway, "operator");

        // The relay serves us-east-1; the cloud signs for eu-west-1.
        (await client.PutAsJsonAsync("/api/clouds/elsewhere", new { region = "eu-west-1", managementEndpoint = $"https://127.0.0.1:{gateway.HttpsBase.Port}", caPath = gateway.CaDirectory(), credentialSource = "static", accessKeyId = key.AccessKeyId, secretAccessKey = key.SecretAccessKey })).EnsureSuccessStatusCode();
        var test = await TestAsync(client, "elsewhere");
        Assert.False(test.GetProperty("ok").GetBoolean());
        Assert.StartsWith("wrong region", test.GetProperty("reason").GetString(), StringComparison.Ordinal);

        using var open = await client.PostAsJsonAsync("/api/tunnels", new { open = new { cloud = "elsewhere", services = new[] { "SSH" } }, services = $"SSH={Tcp.FreePort()}" });
        string text = await open.Content.ReadAsStringAsync();
        Assert.True(open.StatusCode == HttpStatusCode.BadGateway, text);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal("InvalidSignatureException", problem.GetProperty("code").GetString());
        Assert.StartsWith("wrong region", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("eu-west-1", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AProfileOfASharedCredentialsFileIsResolvedByTheAwsSdk()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var client = gateway.CreateClient();
        var key = await AwsTestKeys.CreateAsync(gateway, "viewer");
        string file = Path.Combine(gateway.DataDirectory, "aws-credentials");
        await File.WriteAllTextAsync(file, $"[bastion]\naws_access_key_id = {key.AccessKeyId}\naws_secret_access_key = {key.SecretAccessKey}\n");

        using (var put = await client.PutAsJsonAsync("/api/clouds/profiled", new { region = "us-east-1", managementEndpoint = $"https://127.0.0.1:{gateway.HttpsBase.Port}", caPath = gateway.CaDirectory(), profileName = "bastion", credentialsFile = file }))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            var cloud = await put.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("chain", cloud.GetProperty("credentialSource").GetString());
            Assert.Contains("bastion", cloud.GetProperty("credentials").GetString(), StringComparison.Ordinal);
        }

        var test = await TestAsync(client, "profiled");
        Assert.True(test.GetProperty("ok").GetBoolean(), test.GetProperty("reason").GetString());

        (await client.PutAsJsonAsync("/api/clouds/profiled", new { region = "us-east-1", managementEndpoint = $"https://127.0.0.1:{gateway.HttpsBase.Port}", profileName = "missing", credentialsFile = file })).EnsureSuccessStatusCode();
        Assert.StartsWith("no credentials", (await TestAsync(client, "profiled")).GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDefaultChainTakesTheKeyFromTheGatewaysEnvironment()
    {
        await using var cloud = await TestGateway.StartAsync();
        var key = await AwsTestKeys.CreateAsync(cloud, "viewer");
        const string apiKey = "process-admin-api-key-0123456789abcdef0123";
        string home = TestGateway.NewDataDirectory();
        await using var gateway = GatewayProcess.Start(new Dictionary<string, string>
        {
            ["Auth__AdminApiKey"] = apiKey,
            ["AWS_ACCESS_KEY_ID"] = key.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = key.SecretAccessKey,
            ["AWS_EC2_METADATA_DISABLED"] = "true",
            ["HOME"] = home,
        });
        var address = await gateway.WaitListeningAsync();
        string certificate = Path.Combine(gateway.DataDirectory, "tls", "gateway.crt");
        using var trusted = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(certificate);
        using var client = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetCertHashString() == trusted.GetCertHashString() },
        })
        { BaseAddress = address, Timeout = TestGateway.Timeout };
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);

        using var put = await client.PutAsJsonAsync("/api/clouds/site", new { region = "us-east-1", managementEndpoint = $"https://127.0.0.1:{cloud.HttpsBase.Port}", caPath = cloud.CaDirectory() });
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var test = await TestAsync(client, "site");
        Assert.True(test.GetProperty("ok").GetBoolean(), $"{test}\n{gateway.Stdout}");

        // Signed for another region than the relay's: refused, and the reason says which.
        (await client.PutAsJsonAsync("/api/clouds/site", new { region = "eu-west-1", managementEndpoint = $"https://127.0.0.1:{cloud.HttpsBase.Port}", caPath = cloud.CaDirectory() })).EnsureSuccessStatusCode();
        test = await TestAsync(client, "site");
        Assert.Contains("region", test.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadCloudsAreRefusedNamingTheField()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var client = gateway.CreateClient();
        await AssertFieldAsync(client, "Bad_Name", new { region = "us-east-1" }, "name");
        await AssertFieldAsync(client, "local", new { region = "us-east-1" }, "name");
        await AssertFieldAsync(client, "prod", new { region = "Virginia" }, "region");
        await AssertFieldAsync(client, "prod", new { region = "us-east-1", managementEndpoint = "http://api.example.com" }, "managementEndpoint");
        await AssertFieldAsync(client, "prod", new { region = "us-east-1", credentialSource = "static", accessKeyId = "AKIAIOSFODNN7EXAMPLE" }, "secretAccessKey");
        await AssertFieldAsync(client, "prod", new { region = "us-east-1", credentialSource = "vault" }, "credentialSource");
        await AssertFieldAsync(client, "prod", new { region = "us-east-1", credentialsFile = "/tmp/x" }, "credentialsFile");
        await AssertFieldAsync(client, "prod", new { region = "us-east-1", caPath = "relative/dir" }, "caPath");

        // Viewers may read clouds, not change or use them; operators may use them, not change them.
        using var viewer = gateway.CreateClient(await CreateKeyAsync(gateway, "viewer"));
        using var @operator = gateway.CreateClient(await CreateKeyAsync(gateway, "operator"));
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/clouds")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/clouds/local/tunnels")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("/api/clouds/local/test", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/clouds/local/tunnels/x/rotate", new { clientMode = "ALL" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await @operator.PostAsync("/api/clouds/local/test", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await @operator.PutAsJsonAsync("/api/clouds/prod", new { region = "us-east-1" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PutAsJsonAsync("/api/clouds/prod", new { region = "us-east-1" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await @operator.DeleteAsync("/api/clouds/prod")).StatusCode);
    }

    private static async Task<string> CreateKeyAsync(TestGateway gateway, string role)
    {
        using var admin = gateway.CreateClient();
        using var response = await admin.PostAsJsonAsync("/api/keys", new { name = role + "-key", role });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }

    [Fact]
    public async Task ThrottlingAndServerFaultsAreRetried_OtherErrorsAreNot()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var client = gateway.CreateClient();
        var answers = new Queue<(int Status, string Body)>();
        int calls = 0;
        string? lastTarget = null, lastAuthorization = null;
        await using var fake = await StartFakeAwsAsync(async context =>
        {
            Interlocked.Increment(ref calls);
            lastTarget = context.Request.Headers["X-Amz-Target"];
            lastAuthorization = context.Request.Headers.Authorization;
            var (status, body) = answers.Count > 0 ? answers.Dequeue() : (200, "{\"tunnelSummaries\":[]}");
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/x-amz-json-1.1";
            context.Response.Headers["x-amzn-RequestId"] = "req-" + calls;
            await context.Response.WriteAsync(body);
        });

        (await client.PutAsJsonAsync("/api/clouds/fake", new { region = "eu-west-1", managementEndpoint = fake.Url, credentialSource = "static", accessKeyId = "AKIAIOSFODNN7EXAMPLE", secretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" })).EnsureSuccessStatusCode();

        answers.Enqueue((400, "{\"__type\":\"com.amazonaws.iotsecuretunneling#ThrottlingException\",\"message\":\"Rate exceeded\"}"));
        answers.Enqueue((503, "{\"__type\":\"ServiceUnavailableException\",\"message\":\"busy\"}"));
        var test = await TestAsync(client, "fake");
        Assert.True(test.GetProperty("ok").GetBoolean(), test.ToString());
        Assert.Equal(3, calls);
        Assert.Equal("IoTSecuredTunneling.ListTunnels", lastTarget);
        Assert.Contains("/eu-west-1/IoTSecuredTunneling/aws4_request", lastAuthorization, StringComparison.Ordinal);

        calls = 0;
        answers.Enqueue((400, "{\"__type\":\"AccessDeniedException\",\"message\":\"not allowed\"}"));
        test = await TestAsync(client, "fake");
        Assert.False(test.GetProperty("ok").GetBoolean());
        Assert.StartsWith("access denied", test.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("req-1", test.GetProperty("requestId").GetString());
        Assert.Equal(1, calls);

        calls = 0;
        answers.Enqueue((400, "{\"__type\":\"ExpiredTokenException\",\"message\":\"The security token included in the request is expired\"}"));
        Assert.StartsWith("expired token", (await TestAsync(client, "fake")).GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, calls);

        // Throttled beyond the retries: a 503 naming the cause.
        calls = 0;
        for (int i = 0; i < 4; i++)
        {
            answers.Enqueue((400, "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}"));
        }

        using var open = await client.PostAsJsonAsync("/api/tunnels", new { open = new { cloud = "fake", services = new[] { "SSH" } }, services = "SSH=2222" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, open.StatusCode);
        var problem = await open.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ThrottlingException", problem.GetProperty("code").GetString());
        Assert.Equal(4, calls);
    }

    private static async Task<JsonElement> TestAsync(HttpClient client, string name)
    {
        using var response = await client.PostAsync($"/api/clouds/{name}/test", null);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task AssertFieldAsync(HttpClient client, string name, object body, string field)
    {
        using var response = await client.PutAsJsonAsync($"/api/clouds/{name}", body);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{field}: {(int)response.StatusCode} {text}");
        Assert.True(JsonDocument.Parse(text).RootElement.GetProperty("errors").TryGetProperty(field, out _), $"no error for {field}: {text}");
    }

    /// <summary>An AWS-shaped JSON endpoint on 127.0.0.1 (plain HTTP, which clouds allow to loopback only).</summary>
    private static async Task<FakeAws> StartFakeAwsAsync(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPost("/", handler);
        await app.StartAsync().WaitAsync(TestGateway.Timeout);
        return new FakeAws(app);
    }

    private sealed class FakeAws(WebApplication app) : IAsyncDisposable
    {
        public string Url => app.Urls.Single();

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }
}
