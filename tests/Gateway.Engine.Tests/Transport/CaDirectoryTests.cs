using System.Diagnostics;
using Gateway.Engine.Sessions;
using Gateway.Engine.Tests.Infrastructure;
using Gateway.Engine.Tests.Sessions;
using Gateway.Engine.Transport;

namespace Gateway.Engine.Tests.Transport;

/// <summary>
/// A caPath directory is read safely (issue 14): a FIFO, a link to /dev/zero, an oversized file and garbage are
/// skipped, each named, without blocking or reading without end, and the valid certificate beside them still works.
/// </summary>
public sealed class CaDirectoryTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ca-directory-tests-").FullName;

    [Fact]
    public async Task SessionConnectsWithTheValidCaFileBesideAFifo()
    {
        await using var kit = await SessionTestKit.CreateAsync(useTls: true);
        File.WriteAllText(Path.Combine(_directory, "fake.pem"), kit.Fake.Certificate.ExportCertificatePem());
        MakeFifo("aaa-fifo.pem");
        MakeFifo("zzz-fifo.pem");

        var connection = await kit.ConnectAsync(Trusting(kit), serviceIds: null);

        Assert.False(connection.Rejected);
        Assert.Contains("aaa-fifo.pem skipped: it is not a regular file (it is a FIFO)", kit.LogText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SessionConnectsWithTheValidCaFileBesideADevZeroLinkAndAnOversizedFile()
    {
        await using var kit = await SessionTestKit.CreateAsync(useTls: true);
        File.WriteAllText(Path.Combine(_directory, "fake.pem"), kit.Fake.Certificate.ExportCertificatePem());
        File.CreateSymbolicLink(Path.Combine(_directory, "zero.pem"), "/dev/zero");
        WriteOversized("big.pem");

        var connection = await kit.ConnectAsync(Trusting(kit), serviceIds: null);

        Assert.False(connection.Rejected);
        Assert.Contains("zero.pem skipped: it is not a regular file (it is a character device)", kit.LogText, StringComparison.Ordinal);
        Assert.Contains("big.pem skipped: it is 1048577 bytes, more than the 1048576 allowed", kit.LogText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UntrustedServerNamesTheSkippedCaFilesInTheError()
    {
        await using var kit = await SessionTestKit.CreateAsync(useTls: true);
        MakeFifo("only-fifo.pem");

        kit.Start(Trusting(kit));
        await Assert.ThrowsAnyAsync<Exception>(() => kit.Fake.AcceptAsync());

        var snapshot = await kit.WaitForAsync(s => s.LastError is not null, "reporting the TLS failure");
        Assert.Contains("is not trusted by the system or the CA directory (-c/--capath; caPath in a profile)", snapshot.LastError, StringComparison.Ordinal);
        Assert.Contains("only-fifo.pem skipped: it is not a regular file (it is a FIFO)", snapshot.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadSkipsEveryBadFileNamingItAndKeepsTheCertificates()
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=test-ca", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(Path.Combine(_directory, "ca.pem"), certificate.ExportCertificatePem());
        File.WriteAllBytes(Path.Combine(_directory, "ca.der"), certificate.RawData);
        File.WriteAllText(Path.Combine(_directory, "garbage.pem"), "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
        File.CreateSymbolicLink(Path.Combine(_directory, "zero"), "/dev/zero");
        File.CreateSymbolicLink(Path.Combine(_directory, "environ"), "/proc/self/environ");
        MakeFifo("fifo");
        WriteOversized("big");

        var trust = CaDirectory.Load(_directory);

        Assert.Equal(2, trust.Anchors.Count);
        Assert.Equal(5, trust.Problems.Count);
        Assert.Contains(trust.Problems, p => p.Contains("garbage.pem skipped: it holds no PEM or DER certificate", StringComparison.Ordinal));
        Assert.Contains(trust.Problems, p => p.Contains("zero skipped: it is not a regular file (it is a character device)", StringComparison.Ordinal));
        Assert.Contains(trust.Problems, p => p.Contains("environ skipped: it resolves to /proc/", StringComparison.Ordinal));
        Assert.Contains(trust.Problems, p => p.Contains("fifo skipped: it is not a regular file (it is a FIFO)", StringComparison.Ordinal));
        Assert.Contains(trust.Problems, p => p.Contains("big skipped: it is 1048577 bytes", StringComparison.Ordinal));
    }

    [Fact]
    public void CacheRereadsTheDirectoryOnlyWhenItChanges()
    {
        var cache = new CaDirectoryCache();
        File.WriteAllText(Path.Combine(_directory, "one.pem"), NewCertificatePem("CN=one"));

        var first = cache.Get(_directory);
        var again = cache.Get(_directory);
        File.WriteAllText(Path.Combine(_directory, "two.pem"), NewCertificatePem("CN=two"));
        var changed = cache.Get(_directory);

        Assert.Same(first, again);
        Assert.Single(first.Anchors);
        Assert.NotSame(first, changed);
        Assert.Equal(2, changed.Anchors.Count);
    }

    [Fact]
    public void LoadStopsAtTheFileCountCap()
    {
        for (int i = 0; i <= CaDirectory.MaxFiles; i++)
        {
            File.WriteAllText(Path.Combine(_directory, $"empty-{i}"), string.Empty);
        }

        var trust = CaDirectory.Load(_directory);

        Assert.Contains(trust.Problems, p => p.Contains($"has more than {CaDirectory.MaxFiles} files", StringComparison.Ordinal));
        Assert.Equal(CaDirectory.MaxFiles + 1, trust.Problems.Count);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string NewCertificatePem(string subject)
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(subject, key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return certificate.ExportCertificatePem();
    }

    private SessionSpec Trusting(SessionTestKit kit) =>
        kit.Source($"SSH1={Tcp.FreePort()}") with { SkipTlsVerify = false, CaPath = _directory };

    private void WriteOversized(string name)
    {
        using var file = File.Create(Path.Combine(_directory, name));
        file.SetLength(CaDirectory.MaxFileBytes + 1);
    }

    private void MakeFifo(string name)
    {
        using var process = Process.Start(new ProcessStartInfo("mkfifo", [Path.Combine(_directory, name)]) { UseShellExecute = false })!;
        Assert.True(process.WaitForExit(TestTimeouts.Default), "mkfifo did not finish");
        Assert.Equal(0, process.ExitCode);
    }
}
