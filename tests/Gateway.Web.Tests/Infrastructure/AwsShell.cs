using System.Diagnostics;
using System.Text.Json;

namespace Gateway.Web.Tests.Infrastructure;

/// <summary>
/// Runs a command line the dashboard shows (an <c>aws iotsecuretunneling ...</c> call) in bash, as a
/// person would paste it, with the given environment plus what makes the real AWS CLI (/usr/bin/aws,
/// Debian's awscli) talk to the test gateway only: its CA bundle, the relay's region, no config files,
/// no retries.
/// </summary>
internal static class AwsShell
{
    public const string AwsPath = "/usr/bin/aws";

    public static async Task<(int ExitCode, JsonElement? Json, string Error)> RunAsync(TestGateway gateway, string commandLine, IReadOnlyDictionary<string, string> environment)
    {
        Assert.True(File.Exists(AwsPath), $"The AWS CLI is not installed at {AwsPath}: apt-get install awscli (.ci/run installs it).");
        string caBundle = Path.Combine(gateway.DataDirectory, $"ca-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(caBundle, gateway.Certificate.ExportCertificatePem());
        var info = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(commandLine);
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        info.Environment.Remove("AWS_SESSION_TOKEN");
        info.Environment.Remove("AWS_PROFILE");
        info.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        info.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        info.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        info.Environment["AWS_MAX_ATTEMPTS"] = "1";
        info.Environment["AWS_PAGER"] = string.Empty;
        info.Environment["AWS_CA_BUNDLE"] = caBundle;
        info.Environment["HOME"] = gateway.DataDirectory;
        try
        {
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(Bounds.Long);
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"`{commandLine}` did not finish in {Bounds.Long}.");
            }

            string output = await stdout.WaitAsync(Bounds.Step);
            string error = await stderr.WaitAsync(Bounds.Step);
            JsonElement? json = null;
            if (output.TrimStart().StartsWith('{'))
            {
                using var document = JsonDocument.Parse(output);
                json = document.RootElement.Clone();
            }

            return (process.ExitCode, json, error);
        }
        finally
        {
            File.Delete(caBundle);
        }
    }
}
