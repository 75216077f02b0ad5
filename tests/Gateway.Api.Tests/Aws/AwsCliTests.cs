using System.Text.Json;
using Gateway.Api.Tests.Infrastructure;

namespace Gateway.Api.Tests.Aws;

/// <summary>The real AWS CLI against the relay on loopback: every operation, pagination, errors and exit codes.</summary>
public sealed class AwsCliTests
{
    [Fact]
    public async Task EveryOperationWorksFromTheCli()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var aws = new AwsCli(gateway, await AwsTestKeys.CreateAsync(gateway, "operator"));

        var (code, opened, error) = await aws.RunAsync("open-tunnel", "--destination-config", "thingName=pump-17,services=SSH", "--description", "lab pump",
            "--timeout-config", "maxLifetimeTimeoutMinutes=60", "--tags", "key=env,value=dev");
        Assert.True(code == 0, error);
        string id = opened!.Value.GetProperty("tunnelId").GetString()!;
        Assert.Equal($"arn:aws:iot:us-east-1:000000000000:tunnel/{id}", opened.Value.GetProperty("tunnelArn").GetString());
        Assert.False(string.IsNullOrEmpty(opened.Value.GetProperty("sourceAccessToken").GetString()));
        Assert.False(string.IsNullOrEmpty(opened.Value.GetProperty("destinationAccessToken").GetString()));
        string arn = opened.Value.GetProperty("tunnelArn").GetString()!;

        (code, var described, error) = await aws.RunAsync("describe-tunnel", "--tunnel-id", id);
        Assert.True(code == 0, error);
        var tunnel = described!.Value.GetProperty("tunnel");
        Assert.Equal("OPEN", tunnel.GetProperty("status").GetString());
        Assert.Equal("lab pump", tunnel.GetProperty("description").GetString());
        Assert.Equal("pump-17", tunnel.GetProperty("destinationConfig").GetProperty("thingName").GetString());
        Assert.Equal(["SSH"], tunnel.GetProperty("destinationConfig").GetProperty("services").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(60, tunnel.GetProperty("timeoutConfig").GetProperty("maxLifetimeTimeoutMinutes").GetInt32());
        Assert.Equal("DISCONNECTED", tunnel.GetProperty("sourceConnectionState").GetProperty("status").GetString());
        Assert.Equal("env", tunnel.GetProperty("tags")[0].GetProperty("key").GetString());

        // The CLI prints timestamps it parsed from epoch seconds as ISO 8601.
        Assert.True(DateTimeOffset.TryParse(tunnel.GetProperty("createdAt").GetString(), System.Globalization.CultureInfo.InvariantCulture, out var createdAt));
        Assert.InRange(createdAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));

        (code, _, error) = await aws.RunAsync("open-tunnel", "--destination-config", "thingName=other,services=RDP");
        Assert.True(code == 0, error);
        (code, var firstPage, error) = await aws.RunAsync("list-tunnels", "--max-results", "1");
        Assert.True(code == 0, error);
        Assert.Single(firstPage!.Value.GetProperty("tunnelSummaries").EnumerateArray());
        string next = firstPage.Value.GetProperty("nextToken").GetString()!;
        (code, var secondPage, error) = await aws.RunAsync("list-tunnels", "--max-results", "1", "--next-token", next);
        Assert.True(code == 0, error);
        Assert.Equal(id, secondPage!.Value.GetProperty("tunnelSummaries")[0].GetProperty("tunnelId").GetString());
        Assert.False(secondPage.Value.TryGetProperty("nextToken", out _));
        (code, var byThing, error) = await aws.RunAsync("list-tunnels", "--thing-name", "pump-17");
        Assert.True(code == 0, error);
        Assert.Equal([id], byThing!.Value.GetProperty("tunnelSummaries").EnumerateArray().Select(t => t.GetProperty("tunnelId").GetString()));

        (code, _, error) = await aws.RunAsync("tag-resource", "--resource-arn", arn, "--tags", "key=site,value=north", "key=env,value=prod");
        Assert.True(code == 0, error);
        (code, _, error) = await aws.RunAsync("untag-resource", "--resource-arn", arn, "--tag-keys", "site");
        Assert.True(code == 0, error);
        (code, var tags, error) = await aws.RunAsync("list-tags-for-resource", "--resource-arn", arn);
        Assert.True(code == 0, error);
        Assert.Equal(["env=prod"], tags!.Value.GetProperty("tags").EnumerateArray().Select(t => $"{t.GetProperty("key").GetString()}={t.GetProperty("value").GetString()}"));

        (code, var rotated, error) = await aws.RunAsync("rotate-tunnel-access-token", "--tunnel-id", id, "--client-mode", "SOURCE");
        Assert.True(code == 0, error);
        Assert.Equal(arn, rotated!.Value.GetProperty("tunnelArn").GetString());
        Assert.NotEqual(opened.Value.GetProperty("sourceAccessToken").GetString(), rotated.Value.GetProperty("sourceAccessToken").GetString());
        Assert.False(rotated.Value.TryGetProperty("destinationAccessToken", out _));

        (code, _, error) = await aws.RunAsync("close-tunnel", "--tunnel-id", id);
        Assert.True(code == 0, error);
        (code, described, error) = await aws.RunAsync("describe-tunnel", "--tunnel-id", id);
        Assert.True(code == 0, error);
        Assert.Equal("CLOSED", described!.Value.GetProperty("tunnel").GetProperty("status").GetString());

        (code, _, error) = await aws.RunAsync("close-tunnel", "--tunnel-id", id, "--delete");
        Assert.True(code == 0, error);
        (code, _, error) = await aws.RunAsync("describe-tunnel", "--tunnel-id", id);
        Assert.Equal(254, code);
        Assert.Contains("(ResourceNotFoundException)", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ErrorsReachTheCliWithTheirCodesAndMessages()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var viewer = new AwsCli(gateway, await AwsTestKeys.CreateAsync(gateway, "viewer"));
        using var operatorCli = new AwsCli(gateway, await AwsTestKeys.CreateAsync(gateway, "operator"));

        var cases = new (AwsCli Cli, string[] Args, string Code, string Message)[]
        {
            (operatorCli, ["list-tunnels", "--max-results", "500"], "ValidationException", "at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100"),
            (operatorCli, ["open-tunnel", "--timeout-config", "maxLifetimeTimeoutMinutes=1000"], "ValidationException", "timeoutConfig.maxLifetimeTimeoutMinutes"),
            (operatorCli, ["describe-tunnel", "--tunnel-id", "bad id!"], "ValidationException", "at 'tunnelId' failed to satisfy constraint"),
            (operatorCli, ["describe-tunnel", "--tunnel-id", "00000000-0000-0000-0000-000000000000"], "ResourceNotFoundException", "not found"),
            (operatorCli, ["list-tags-for-resource", "--resource-arn", "arn:aws:iot:eu-west-1:000000000000:tunnel/x"], "ResourceNotFoundException", "not found"),
            (viewer, ["open-tunnel"], "AccessDeniedException", "not authorized to perform: iot:OpenTunnel"),
        };
        foreach (var (cli, args, errorCode, message) in cases)
        {
            var (code, _, error) = await cli.RunAsync(args);
            Assert.True(code == 254, $"aws {string.Join(' ', args)} exited {code}: {error}");
            Assert.Contains($"({errorCode})", error, StringComparison.Ordinal);
            Assert.Contains(message, error, StringComparison.Ordinal);
        }

        var (listCode, listed, listError) = await viewer.RunAsync("list-tunnels");
        Assert.True(listCode == 0, listError);
        Assert.Empty(listed!.Value.GetProperty("tunnelSummaries").EnumerateArray());

        using var unknown = new AwsCli(gateway, new Gateway.Engine.Aws.AwsCredentials("AKIAAAAAAAAAAAAAAAAA", "not-a-secret-of-this-gateway-0000000000"));
        var (unknownCode, _, unknownError) = await unknown.RunAsync("list-tunnels");
        Assert.Equal(254, unknownCode);
        Assert.Contains("(UnrecognizedClientException)", unknownError, StringComparison.Ordinal);
    }
}
