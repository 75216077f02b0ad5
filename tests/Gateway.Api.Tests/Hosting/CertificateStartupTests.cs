using Gateway.Api.Tests.Infrastructure;

namespace Gateway.Api.Tests.Hosting;

/// <summary>
/// Issue 14: a corrupt or unreadable certificate file made the real process abort (exit 134) with a stack trace.
/// Now it says in one line which file and why, and exits 1.
/// </summary>
public sealed class CertificateStartupTests
{
    [Fact]
    public async Task CorruptConfiguredCertificateIsOneLineAndExitCode1()
    {
        string directory = TestGateway.NewDataDirectory();
        string path = Path.Combine(directory, "corrupt.pfx");
        await File.WriteAllTextAsync(path, "this is not a certificate\n");
        await using var gateway = GatewayProcess.Start(new Dictionary<string, string> { ["Gateway__Tls__CertificatePath"] = path });

        int code = await gateway.WaitForExitAsync();

        AssertOneLineStartupError(code, gateway, $"The gateway cannot start: Gateway:Tls:CertificatePath '{path}' cannot be loaded: ");
        Assert.Contains("Expected a PFX/PKCS#12 file", gateway.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CorruptPemCertificateWithKeyIsOneLineAndExitCode1()
    {
        string directory = TestGateway.NewDataDirectory();
        string certificate = Path.Combine(directory, "gateway.crt");
        string key = Path.Combine(directory, "gateway.key");
        await File.WriteAllTextAsync(certificate, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n");
        await File.WriteAllTextAsync(key, "not a key\n");
        await using var gateway = GatewayProcess.Start(new Dictionary<string, string>
        {
            ["Gateway__Tls__CertificatePath"] = certificate,
            ["Gateway__Tls__KeyPath"] = key,
        });

        int code = await gateway.WaitForExitAsync();

        AssertOneLineStartupError(code, gateway, $"The gateway cannot start: Gateway:Tls:CertificatePath '{certificate}' cannot be loaded: ");
        Assert.Contains($"Gateway:Tls:KeyPath '{key}'", gateway.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CorruptSelfSignedCertificateIsOneLineAndExitCode1()
    {
        string dataDirectory = TestGateway.NewDataDirectory();
        Directory.CreateDirectory(Path.Combine(dataDirectory, "tls"));
        string pfx = Path.Combine(dataDirectory, "tls", "gateway.pfx");
        await File.WriteAllBytesAsync(pfx, new byte[100]);
        await using var gateway = GatewayProcess.Start(dataDirectory: dataDirectory);

        int code = await gateway.WaitForExitAsync();

        AssertOneLineStartupError(code, gateway, $"The gateway cannot start: The self-signed certificate in {Path.Combine(dataDirectory, "tls")} cannot be loaded or created: ");
        Assert.Contains($"move {pfx} away", gateway.Stderr, StringComparison.Ordinal);
    }

    private static void AssertOneLineStartupError(int code, GatewayProcess gateway, string start)
    {
        string all = gateway.Stdout + "\n" + gateway.Stderr;
        Assert.True(code == 1, $"exit code {code}, expected 1.\nstdout:\n{gateway.Stdout}\nstderr:\n{gateway.Stderr}");
        var line = Assert.Single(gateway.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(start, line, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", all, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", all, StringComparison.Ordinal);
    }
}
