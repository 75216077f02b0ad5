using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Aws;

namespace Gateway.Api.Tests.Aws;

/// <summary>The management endpoint over real HTTPS with requests signed by our signer: transport errors, keys, roles, audit.</summary>
public sealed class AwsEndpointTests
{
    [Fact]
    public async Task TransportErrorsHaveTheirOwnCodesAndEveryAnswerARequestId()
    {
        await using var gateway = await TestGateway.StartAsync(settings: new Dictionary<string, string?> { ["AwsApi:MaxRequestBytes"] = "2048" });
        using var aws = new AwsSignedClient(gateway, await AwsTestKeys.CreateAsync(gateway, "operator"));

        var (status, body, response) = await aws.CallAsync("ListTunnels", "{}");
        Assert.Equal(200, status);
        Assert.Equal("application/x-amz-json-1.1", response.Content.Headers.ContentType?.MediaType);
        Assert.True(Guid.TryParse(response.Headers.GetValues("x-amzn-RequestId").Single(), out _));
        Assert.Equal(JsonValueKind.Array, body.GetProperty("tunnelSummaries").ValueKind);

        (status, body, response) = await aws.CallAsync("ListTunnels", "{}", r => r.Content!.Headers.ContentType = new MediaTypeHeaderValue("application/json"));
        Assert.Equal((415, "UnsupportedMediaTypeException"), (status, body.GetProperty("__type").GetString()));
        Assert.True(response.Headers.Contains("x-amzn-RequestId"));

        (status, body, _) = await aws.CallAsync("OpenTunnel", $"{{\"description\": \"{new string('a', 4000)}\"}}");
        Assert.Equal((413, "RequestEntityTooLargeException"), (status, body.GetProperty("__type").GetString()));

        (status, body, _) = await aws.CallAsync("StealTunnel", "{}");
        Assert.Equal((400, "UnknownOperationException"), (status, body.GetProperty("__type").GetString()));

        (status, body, _) = await aws.CallAsync("OpenTunnel", "{\"description\": ");
        Assert.Equal((400, "SerializationException"), (status, body.GetProperty("__type").GetString()));

        (status, body, _) = await aws.CallAsync("ListTunnels", "{\"maxResults\": \"5\"}");
        Assert.Equal((400, "SerializationException"), (status, body.GetProperty("__type").GetString()));
        Assert.Contains("'maxResults' must be an integer", body.GetProperty("message").GetString(), StringComparison.Ordinal);

        (status, body, _) = await aws.CallAsync("ListTunnels", "{}", r => r.Headers.Remove("Authorization"));
        Assert.Equal((403, "MissingAuthenticationTokenException"), (status, body.GetProperty("__type").GetString()));

        // Plain HTTP is refused unless AwsApi:AllowPlainHttp: the answers hold access tokens.
        (status, body, _) = await aws.CallAsync("ListTunnels", "{}", baseUri: gateway.HttpBase);
        Assert.Equal((403, "AccessDeniedException"), (status, body.GetProperty("__type").GetString()));
        Assert.Contains("HTTPS", body.GetProperty("message").GetString(), StringComparison.Ordinal);

        // A browser's GET / still gets the dashboard.
        using var browser = gateway.CreateClient(apiKey: null);
        var page = await browser.GetAsync("/");
        Assert.Equal("/", page.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("<title>TunnelGateway</title>", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidationNamesEveryBrokenMemberAndNoInputIsA500()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var aws = new AwsSignedClient(gateway, await AwsTestKeys.CreateAsync(gateway, "operator"));

        var (status, body, _) = await aws.CallAsync("OpenTunnel",
            "{\"description\": \"bell\\u0007\", \"destinationConfig\": {\"thingName\": \"a b\", \"services\": []}, \"tags\": [{\"key\": \"\", \"value\": \"x\"}]}");
        Assert.Equal((400, "ValidationException"), (status, body.GetProperty("__type").GetString()));
        string message = body.GetProperty("message").GetString()!;
        Assert.StartsWith("4 validation errors detected: ", message, StringComparison.Ordinal);
        foreach (var member in new[] { "'description'", "'destinationConfig.thingName'", "'destinationConfig.services'", "'tags.1.member.key'" })
        {
            Assert.Contains(member, message, StringComparison.Ordinal);
        }

        string[] bodies =
        [
            "[]", "null", "\"x\"", "{\"tunnelId\": 5}", "{\"tunnelId\": {}}", "{\"tunnelId\": \"" + new string('x', 200) + "\"}",
            "{\"destinationConfig\": {\"services\": [\"SSH\", \"SSH\"]}}", "{\"destinationConfig\": {\"services\": [1]}}", "{\"tags\": [1]}",
            "{\"clientMode\": \"both\", \"tunnelId\": \"x\"}", "{\"resourceArn\": \"\", \"tags\": []}", "{\"tagKeys\": [\"a\"]}", "{\"nextToken\": \"!!\"}",
            "{\"timeoutConfig\": {\"maxLifetimeTimeoutMinutes\": 1e99}}", "{\"a\":" + new string('[', 40) + new string(']', 40) + "}",
        ];
        foreach (var operation in new[] { "OpenTunnel", "CloseTunnel", "DescribeTunnel", "ListTunnels", "RotateTunnelAccessToken", "TagResource", "UntagResource", "ListTagsForResource" })
        {
            foreach (var json in bodies)
            {
                (status, body, _) = await aws.CallAsync(operation, json);
                Assert.True(status is 200 or 400, $"{operation} {json} answered {status}");
                if (status == 400)
                {
                    Assert.Contains(body.GetProperty("__type").GetString(), new[] { "ValidationException", "SerializationException", "ResourceNotFoundException" });
                }
            }
        }
    }

    [Fact]
    public async Task KeysActAsTheirUserAndStopAtOnceWhenRevokedOrTheUserGoes()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var admin = gateway.CreateClient();
        var credentials = await AwsTestKeys.CreateAsync(gateway, "operator");
        using var aws = new AwsSignedClient(gateway, credentials);

        var (status, opened, _) = await aws.CallAsync("OpenTunnel", "{\"destinationConfig\": {\"services\": [\"SSH\"]}}");
        Assert.Equal(200, status);
        string id = opened.GetProperty("tunnelId").GetString()!;

        // The same tunnel in the REST API and the audit, under the key's user.
        var rest = await admin.GetFromJsonAsync<JsonElement>($"/api/relay/tunnels/{id}");
        Assert.Equal("SSH", rest.GetProperty("services")[0].GetString());
        var audit = await admin.GetFromJsonAsync<JsonElement>("/api/audit");
        var entry = audit.EnumerateArray().First(e => e.GetProperty("path").GetString() == "/ IoTSecuredTunneling.OpenTunnel");
        Assert.Contains($"(AWS key {credentials.AccessKeyId})", entry.GetProperty("actor").GetString(), StringComparison.Ordinal);
        Assert.Equal(id, entry.GetProperty("target").GetString());
        Assert.DoesNotContain(opened.GetProperty("sourceAccessToken").GetString()!, audit.GetRawText(), StringComparison.Ordinal);

        // Listing keys never shows a secret.
        var keys = await admin.GetStringAsync("/api/aws-keys");
        Assert.Contains(credentials.AccessKeyId, keys, StringComparison.Ordinal);
        Assert.DoesNotContain(credentials.SecretAccessKey, keys, StringComparison.Ordinal);

        // Demoted to viewer: reads only.
        string userName = JsonDocument.Parse(keys).RootElement.EnumerateArray().Single(k => k.GetProperty("accessKeyId").GetString() == credentials.AccessKeyId).GetProperty("userName").GetString()!;
        (await admin.PutAsJsonAsync($"/api/users/{userName}", new { role = "viewer" })).EnsureSuccessStatusCode();
        var (closeStatus, closeBody, _) = await aws.CallAsync("CloseTunnel", $"{{\"tunnelId\": \"{id}\"}}");
        Assert.Equal((400, "AccessDeniedException"), (closeStatus, closeBody.GetProperty("__type").GetString()));
        Assert.Equal(200, (await aws.CallAsync("DescribeTunnel", $"{{\"tunnelId\": \"{id}\"}}")).Status);

        // Revoked: refused at once.
        (await admin.DeleteAsync($"/api/aws-keys/{credentials.AccessKeyId}")).EnsureSuccessStatusCode();
        var (revokedStatus, revokedBody, _) = await aws.CallAsync("ListTunnels", "{}");
        Assert.Equal((400, "UnrecognizedClientException"), (revokedStatus, revokedBody.GetProperty("__type").GetString()));

        // A deleted user's keys are gone with them.
        var other = await AwsTestKeys.CreateAsync(gateway, "operator");
        using var otherAws = new AwsSignedClient(gateway, other);
        Assert.Equal(200, (await otherAws.CallAsync("ListTunnels", "{}")).Status);
        var otherUser = (await admin.GetFromJsonAsync<JsonElement>("/api/aws-keys")).EnumerateArray().Single(k => k.GetProperty("accessKeyId").GetString() == other.AccessKeyId).GetProperty("userName").GetString();
        (await admin.DeleteAsync($"/api/users/{otherUser}")).EnsureSuccessStatusCode();
        Assert.Equal("UnrecognizedClientException", (await otherAws.CallAsync("ListTunnels", "{}")).Body.GetProperty("__type").GetString());

        // A signature made with the wrong secret.
        var fresh = await AwsTestKeys.CreateAsync(gateway, "operator");
        using var forgedFresh = new AwsSignedClient(gateway, fresh with { SecretAccessKey = fresh.SecretAccessKey + "x" });
        Assert.Equal("InvalidSignatureException", (await forgedFresh.CallAsync("ListTunnels", "{}")).Body.GetProperty("__type").GetString());
    }

    [Fact]
    public async Task RotationRevokesTheOldTokenAndClosesItsConnection()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var aws = new AwsSignedClient(gateway, await AwsTestKeys.CreateAsync(gateway, "operator"));
        var (_, opened, _) = await aws.CallAsync("OpenTunnel", "{\"destinationConfig\": {\"thingName\": \"pump-17\", \"services\": [\"SSH\"]}}");
        string id = opened.GetProperty("tunnelId").GetString()!;
        using var source = await gateway.ConnectAsync("source", opened.GetProperty("sourceAccessToken").GetString()!);
        using var destination = await gateway.ConnectAsync("destination", opened.GetProperty("destinationAccessToken").GetString()!);

        var described = (await aws.CallAsync("DescribeTunnel", $"{{\"tunnelId\": \"{id}\"}}")).Body.GetProperty("tunnel");
        Assert.Equal("CONNECTED", described.GetProperty("sourceConnectionState").GetProperty("status").GetString());
        Assert.Equal("CONNECTED", described.GetProperty("destinationConnectionState").GetProperty("status").GetString());
        double expiresBefore = described.GetProperty("createdAt").GetDouble() + 720 * 60;

        var (status, rotated, _) = await aws.CallAsync("RotateTunnelAccessToken", $"{{\"tunnelId\": \"{id}\", \"clientMode\": \"SOURCE\"}}");
        Assert.Equal(200, status);
        Assert.False(rotated.TryGetProperty("destinationAccessToken", out _));

        // The connected source is closed with 1008; the destination stays.
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(TestGateway.Timeout);
        while ((await source.ReceiveAsync(buffer, cts.Token)).MessageType != System.Net.WebSockets.WebSocketMessageType.Close)
        {
            // SERVICE_IDS first, then the close frame.
        }

        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation, source.CloseStatus);
        described = (await aws.CallAsync("DescribeTunnel", $"{{\"tunnelId\": \"{id}\"}}")).Body.GetProperty("tunnel");
        Assert.Equal("DISCONNECTED", described.GetProperty("sourceConnectionState").GetProperty("status").GetString());
        Assert.Equal("CONNECTED", described.GetProperty("destinationConnectionState").GetProperty("status").GetString());
        Assert.Equal(720, described.GetProperty("timeoutConfig").GetProperty("maxLifetimeTimeoutMinutes").GetInt32());
        Assert.Equal(expiresBefore, described.GetProperty("createdAt").GetDouble() + 720 * 60);

        // The old token is refused, the new one connects.
        var refused = await Assert.ThrowsAnyAsync<System.Net.WebSockets.WebSocketException>(() => gateway.ConnectAsync("source", opened.GetProperty("sourceAccessToken").GetString()!));
        Assert.NotNull(refused);
        using var again = await gateway.ConnectAsync("source", rotated.GetProperty("sourceAccessToken").GetString()!);
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, again.State);

        // A closed tunnel's tokens cannot be rotated.
        Assert.Equal(200, (await aws.CallAsync("CloseTunnel", $"{{\"tunnelId\": \"{id}\"}}")).Status);
        var (closedStatus, closedBody, _) = await aws.CallAsync("RotateTunnelAccessToken", $"{{\"tunnelId\": \"{id}\", \"clientMode\": \"ALL\"}}");
        Assert.Equal((400, "ResourceNotFoundException"), (closedStatus, closedBody.GetProperty("__type").GetString()));
    }

    [Fact]
    public async Task TheOpenTunnelQuotaAnswersLimitExceeded()
    {
        await using var gateway = await TestGateway.StartAsync(settings: new Dictionary<string, string?> { ["Relay:MaxOpenTunnels"] = "1", ["Relay:MaxServicesPerTunnel"] = "2" });
        using var aws = new AwsSignedClient(gateway, await AwsTestKeys.CreateAsync(gateway, "operator"));
        var (status, body, _) = await aws.CallAsync("OpenTunnel", "{\"destinationConfig\": {\"services\": [\"A\", \"B\", \"C\"]}}");
        Assert.Equal((400, "LimitExceededException"), (status, body.GetProperty("__type").GetString()));
        Assert.Equal(200, (await aws.CallAsync("OpenTunnel", "{}")).Status);
        (status, body, _) = await aws.CallAsync("OpenTunnel", "{}");
        Assert.Equal((400, "LimitExceededException"), (status, body.GetProperty("__type").GetString()));
        Assert.Contains("At most 1 tunnels", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
