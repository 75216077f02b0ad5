using System.Diagnostics;
using System.Text.Json;
using Gateway.Api.Tests.Infrastructure;

namespace Gateway.Api.Tests.Aws;

/// <summary>
/// The AWS SDK for JavaScript v3 (@aws-sdk/client-iotsecuretunneling, pinned in Aws/SdkJs) against
/// the relay: a Node script opens, describes, lists, rotates, tags and closes, unchanged but for the endpoint.
/// </summary>
public sealed class AwsSdkJsTests
{
    private static readonly TimeSpan NpmTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task TheJavaScriptSdkDrivesTheRelay()
    {
        string script = await SdkJsDirectory.PrepareAsync(NpmTimeout);
        await using var gateway = await TestGateway.StartAsync();
        var key = await AwsTestKeys.CreateAsync(gateway, "operator");
        string ca = Path.Combine(gateway.DataDirectory, "ca-js.pem");
        await File.WriteAllTextAsync(ca, gateway.Certificate.ExportCertificatePem());

        var info = new ProcessStartInfo("node") { WorkingDirectory = Path.GetDirectoryName(script)! };
        info.ArgumentList.Add(script);
        info.Environment["RELAY_ENDPOINT"] = gateway.HttpsBase.ToString().TrimEnd('/');
        info.Environment["RELAY_KEY_ID"] = key.AccessKeyId;
        info.Environment["RELAY_SECRET"] = key.SecretAccessKey;
        info.Environment["NODE_EXTRA_CA_CERTS"] = ca;
        var (code, output, error) = await ExternalProcess.RunAsync(info, TimeSpan.FromSeconds(90));
        Assert.True(code == 0, $"node sdk-check.mjs exited {code}: {error}");

        using var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        var r = result.RootElement;
        string id = r.GetProperty("tunnelId").GetString()!;
        Assert.Equal($"arn:aws:iot:us-east-1:000000000000:tunnel/{id}", r.GetProperty("tunnelArn").GetString());
        Assert.True(r.GetProperty("hasTokens").GetBoolean());
        Assert.Equal("OPEN", r.GetProperty("status").GetString());
        Assert.True(r.GetProperty("createdAtIsDate").GetBoolean());
        Assert.InRange(DateTimeOffset.Parse(r.GetProperty("createdAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(["SSH", "HTTP"], r.GetProperty("services").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("js-thing", r.GetProperty("thingName").GetString());
        Assert.Equal(30, r.GetProperty("lifetime").GetInt32());
        Assert.Equal("DISCONNECTED", r.GetProperty("sourceState").GetString());
        Assert.Equal([id], r.GetProperty("listedIds").EnumerateArray().Select(s => s.GetString()));
        Assert.True(r.GetProperty("rotatedBoth").GetBoolean());
        Assert.True(r.GetProperty("rotatedDiffers").GetBoolean());
        Assert.Equal(["sdk=js", "stage=test"], r.GetProperty("tags").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("CLOSED", r.GetProperty("closedStatus").GetString());
        var notFound = r.GetProperty("notFound");
        Assert.Equal("ResourceNotFoundException", notFound.GetProperty("name").GetString());
        Assert.Equal(400, notFound.GetProperty("status").GetInt32());
        Assert.True(Guid.TryParse(notFound.GetProperty("requestId").GetString(), out _));
    }

    /// <summary>Aws/SdkJs copied beside the test assembly and its pinned packages installed once per run (npm ci).</summary>
    private static class SdkJsDirectory
    {
        private static readonly SemaphoreSlim Gate = new(1, 1);
        private static string? _prepared;

        public static async Task<string> PrepareAsync(TimeSpan timeout)
        {
            await Gate.WaitAsync(timeout);
            try
            {
                string directory = Path.Combine(AppContext.BaseDirectory, "Aws", "SdkJs");
                string script = Path.Combine(directory, "sdk-check.mjs");
                Assert.True(File.Exists(script), $"{script} is missing: the test project copies Aws/SdkJs to its output.");
                if (_prepared is null && !Directory.Exists(Path.Combine(directory, "node_modules", "@aws-sdk", "client-iotsecuretunneling")))
                {
                    var npm = new ProcessStartInfo("npm") { WorkingDirectory = directory };
                    foreach (var arg in new[] { "ci", "--ignore-scripts", "--no-audit", "--no-fund" })
                    {
                        npm.ArgumentList.Add(arg);
                    }

                    var (code, _, error) = await ExternalProcess.RunAsync(npm, timeout);
                    Assert.True(code == 0, $"npm ci in {directory} failed ({code}): {error}");
                }

                _prepared = script;
                return script;
            }
            finally
            {
                Gate.Release();
            }
        }
    }
}
