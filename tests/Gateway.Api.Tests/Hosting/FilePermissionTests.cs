using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Api.Hosting;
using Gateway.Api.Tests.Infrastructure;

namespace Gateway.Api.Tests.Hosting;

/// <summary>
/// Issue 19: what holds secrets is the gateway's user's only (mode bits by stat), and the Data
/// Protection key ring is encrypted at rest when a certificate is configured.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class FilePermissionTests
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = OwnerOnlyFile | UnixFileMode.UserExecute;

    [Fact]
    public async Task DatabaseKeyRingAndTlsKeyAreCreatedOwnerOnly()
    {
        await using var gateway = await TestGateway.StartAsync();
        string data = gateway.DataDirectory;

        // The admin and the bootstrap key are written: the database and its WAL exist by now.
        Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(Path.Combine(data, "gateway.db")));
        foreach (var companion in new[] { "gateway.db-wal", "gateway.db-shm" }.Select(f => Path.Combine(data, f)).Where(File.Exists))
        {
            Assert.True(File.GetUnixFileMode(companion) == OwnerOnlyFile, $"{companion}: {File.GetUnixFileMode(companion)}");
        }

        string keys = Path.Combine(data, "keys");
        Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(keys));
        var keyFiles = Directory.GetFiles(keys);
        Assert.NotEmpty(keyFiles);
        Assert.All(keyFiles, f => Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(f)));

        Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(Path.Combine(data, "tls", "gateway.pfx")));

        // Without a key ring certificate the keys are plain XML (documented); the CA directory stays readable for localproxy -c.
        Assert.Contains("<masterKey", await File.ReadAllTextAsync(keyFiles[0]), StringComparison.Ordinal);
        Assert.True(File.GetUnixFileMode(Path.Combine(data, "tls", "ca")).HasFlag(UnixFileMode.OtherRead));
    }

    [Fact]
    public async Task AConfiguredCertificateEncryptsTheKeyRingAndALoginSurvivesARestart()
    {
        string data = TestGateway.NewDataDirectory();
        string pfx = Path.Combine(TestGateway.NewDataDirectory(), "key-ring.pfx");
        using (var rsa = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=TunnelGateway key ring (test)", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pkcs12, "pfx-password"));
        }

        var settings = new Dictionary<string, string?> { ["Auth:KeyRingCertificatePath"] = pfx, ["Auth:KeyRingCertificatePassword"] = "pfx-password" };
        string cookie;
        await using (var first = await TestGateway.StartAsync(data, settings: settings))
        {
            using var browser = first.CreateClient(apiKey: null);
            using var login = await browser.PostAsJsonAsync("/api/auth/login", new { userName = "admin", password = TestGateway.AdminPassword });
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            cookie = string.Join("; ", login.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
        }

        var keyFiles = Directory.GetFiles(Path.Combine(data, "keys"));
        Assert.NotEmpty(keyFiles);
        foreach (var file in keyFiles)
        {
            string xml = await File.ReadAllTextAsync(file);
            Assert.Contains("<encryptedSecret", xml, StringComparison.Ordinal);
            Assert.DoesNotContain("<value>", xml, StringComparison.Ordinal);
        }

        // The next run decrypts the ring with the certificate: the first run's login cookie still works.
        await using var second = await TestGateway.StartAsync(data, settings: settings);
        using var client = second.CreateClient(apiKey: null);
        using var me = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
        me.Headers.Add("Cookie", cookie);
        using var answer = await client.SendAsync(me);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        second.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task AKeyRingCertificateThatCannotBeLoadedStopsTheStartNamingTheSetting()
    {
        string broken = Path.Combine(TestGateway.NewDataDirectory(), "broken.pfx");
        await File.WriteAllTextAsync(broken, "not a certificate");

        var error = await Assert.ThrowsAsync<GatewayStartupException>(() => TestGateway.StartAsync(settings: new Dictionary<string, string?> { ["Auth:KeyRingCertificatePath"] = broken }));
        Assert.StartsWith($"Auth:KeyRingCertificatePath '{broken}' cannot be loaded: ", error.Message, StringComparison.Ordinal);
    }
}
