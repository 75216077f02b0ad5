using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Api.Tls;

namespace Gateway.Api.Tests.Tls;

public sealed class SelfSignedCertificateTests
{
    [Fact]
    public async Task FirstStartCreatesACertificateForLoopbackAndTheNextStartReusesIt()
    {
        var dataDirectory = TestGateway.NewDataDirectory();
        string thumbprint;
        await using (var first = await TestGateway.StartAsync(dataDirectory))
        {
            thumbprint = first.Certificate.Thumbprint;
            var names = first.Certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
            Assert.Contains("localhost", names.EnumerateDnsNames());
            Assert.Contains(System.Net.IPAddress.Loopback, names.EnumerateIPAddresses());
            Assert.Contains(System.Net.IPAddress.IPv6Loopback, names.EnumerateIPAddresses());
            Assert.True(first.Certificate.HasPrivateKey);
            Assert.Contains(first.Logs.Lines, l => l.EventId == 2002 && l.Message.Contains(Path.Combine(dataDirectory, "tls", "ca"), StringComparison.Ordinal));
        }

        await using var second = await TestGateway.StartAsync(dataDirectory);
        Assert.Equal(thumbprint, second.Certificate.Thumbprint);
        Assert.Contains(second.Logs.Lines, l => l.EventId == 2003);

        // The served certificate is that one: the HTTPS client trusts exactly it.
        using var client = second.CreateClient();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task CaDirectoryIsAnOpenSslHashedDirectoryThatVerifiesTheCertificate()
    {
        var directory = Directory.CreateTempSubdirectory("gateway-tls-").FullName;
        using var certificate = SelfSignedCertificate.LoadOrCreate(directory, DateTimeOffset.UtcNow, out bool created);
        Assert.True(created);
        var pem = Path.Combine(directory, "gateway.crt");

        var hash = (await RunOpenSslAsync("x509", "-hash", "-noout", "-in", pem)).Trim();
        Assert.Equal(hash, SelfSignedCertificate.OpenSslSubjectHash(certificate));
        Assert.True(File.Exists(Path.Combine(directory, "ca", hash + ".0")));

        var verify = await RunOpenSslAsync("verify", "-CApath", Path.Combine(directory, "ca"), pem);
        Assert.Contains(": OK", verify, StringComparison.Ordinal);
    }

    [Fact]
    public void CertificateCloseToExpiryIsReplaced()
    {
        var directory = Directory.CreateTempSubdirectory("gateway-tls-").FullName;
        var longAgo = DateTimeOffset.UtcNow.AddDays(-820);
        using var old = SelfSignedCertificate.LoadOrCreate(directory, longAgo, out _);

        using var renewed = SelfSignedCertificate.LoadOrCreate(directory, DateTimeOffset.UtcNow, out bool created);

        Assert.True(created);
        Assert.NotEqual(old.Thumbprint, renewed.Thumbprint);
        Assert.Single(Directory.GetFiles(Path.Combine(directory, "ca"), "*.0"));
    }

    private static async Task<string> RunOpenSslAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TestGateway.Timeout);
        Assert.True(process.ExitCode == 0, $"openssl {string.Join(' ', arguments)} failed: {await error}");
        return await output;
    }
}
