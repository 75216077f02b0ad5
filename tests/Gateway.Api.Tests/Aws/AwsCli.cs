using System.Diagnostics;
using System.Text.Json;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Aws;

namespace Gateway.Api.Tests.Aws;

/// <summary>
/// The real AWS CLI (Debian's awscli, /usr/bin/aws; .ci/run installs it) pointed at the gateway with
/// <c>--endpoint-url</c> and a CA bundle holding the gateway's certificate, no config files, no retries.
/// </summary>
internal sealed class AwsCli : IDisposable
{
    public const string Path = "/usr/bin/aws";
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(60);
    private readonly TestGateway _gateway;
    private readonly AwsCredentials _credentials;
    private readonly string _caBundle;

    public AwsCli(TestGateway gateway, AwsCredentials credentials)
    {
        Assert.True(File.Exists(Path), $"The AWS CLI is not installed at {Path}: install Debian's awscli package (apt-get install awscli), as .ci/run does.");
        _gateway = gateway;
        _credentials = credentials;
        _caBundle = System.IO.Path.Combine(gateway.DataDirectory, $"ca-{Guid.NewGuid():N}.pem");
        File.WriteAllText(_caBundle, gateway.Certificate.ExportCertificatePem());
    }

    /// <summary>Runs <c>aws iotsecuretunneling ARGS</c>; the JSON it printed (or null) and its exit code.</summary>
    public async Task<(int ExitCode, JsonElement? Json, string Error)> RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo(Path);
        foreach (var arg in new[] { "iotsecuretunneling" }.Concat(args).Concat(["--endpoint-url", _gateway.HttpsBase.ToString().TrimEnd('/'), "--output", "json"]))
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["AWS_ACCESS_KEY_ID"] = _credentials.AccessKeyId;
        info.Environment["AWS_SECRET_ACCESS_KEY"] = _credentials.SecretAccessKey;
        info.Environment.Remove("AWS_SESSION_TOKEN");
        info.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        info.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        info.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        info.Environment["AWS_MAX_ATTEMPTS"] = "1";
        info.Environment["AWS_PAGER"] = string.Empty;
        info.Environment["AWS_CA_BUNDLE"] = _caBundle;
        info.Environment["HOME"] = _gateway.DataDirectory;

        var (code, output, error) = await ExternalProcess.RunAsync(info, CallTimeout);
        JsonElement? json = null;
        if (output.TrimStart().StartsWith('{'))
        {
            using var document = JsonDocument.Parse(output);
            json = document.RootElement.Clone();
        }

        return (code, json, error);
    }

    public void Dispose() => File.Delete(_caBundle);
}
