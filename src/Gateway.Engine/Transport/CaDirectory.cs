using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gateway.Engine.Platform;

namespace Gateway.Engine.Transport;

/// <summary>
/// Extra trust anchors from a directory (the reference's <c>-c/--capath</c>): every file that holds
/// PEM or DER certificates, including OpenSSL's hashed <c>&lt;hash&gt;.0</c> names. Only regular files of
/// certificate size are read (links followed, never into /dev, /proc or /sys), at most
/// <see cref="MaxFiles"/> of them and <see cref="MaxTotalBytes"/> in all; anything else is skipped with a
/// problem naming the file. Read through <see cref="CaDirectoryCache"/>, never inside a TLS callback.
/// </summary>
public static class CaDirectory
{
    /// <summary>Largest file read: a bundle of a few hundred PEM certificates is well under this.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    /// <summary>Most directory entries looked at (/etc/ssl/certs has a few hundred).</summary>
    public const int MaxFiles = 4096;

    /// <summary>Most bytes read from one directory in all.</summary>
    public const int MaxTotalBytes = 32 * 1024 * 1024;

    private static readonly byte[] PemMarker = "-----BEGIN"u8.ToArray();

    /// <summary>
    /// Reads the certificates of every file in <paramref name="directory"/> (not its subdirectories), within
    /// the limits above. Never throws for an unreadable directory or file: each becomes a problem line.
    /// </summary>
    /// <param name="directory">The CA directory's path.</param>
    /// <returns>The anchors found, possibly none, and the problems.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="directory"/> is null.</exception>
    public static CaTrust Load(string directory)
    {
        var certificates = new X509Certificate2Collection();
        var problems = new List<string>();
        long total = 0;
        int seen = 0;
        IEnumerable<string> files;
        try
        {
            files = Directory.EnumerateFiles(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new CaTrust(certificates, [$"the CA directory {directory} cannot be listed: {ex.Message}"]);
        }

        foreach (var file in files)
        {
            if (++seen > MaxFiles)
            {
                problems.Add($"the CA directory {directory} has more than {MaxFiles} files; the rest are ignored");
                break;
            }

            if (total >= MaxTotalBytes)
            {
                problems.Add($"the CA directory {directory} holds more than {MaxTotalBytes} bytes; {file} and the files after it are ignored");
                break;
            }

            var content = SafeFileReader.Read(file, MaxFileBytes, out string? problem);
            if (content is null)
            {
                problems.Add($"CA file {file} skipped: it {problem}");
                continue;
            }

            total += content.Length;
            if (!TryParse(content, certificates))
            {
                problems.Add($"CA file {file} skipped: it holds no PEM or DER certificate");
            }
        }

        return new CaTrust(certificates, problems);
    }

    /// <summary>
    /// Accepts a server certificate whose only problem under the system store is an untrusted chain
    /// when it chains to one of <paramref name="anchors"/>. A host-name mismatch is never forgiven.
    /// </summary>
    public static bool Validates(X509Certificate2 certificate, X509Chain? presented, X509Certificate2Collection anchors)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(anchors);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(certificate);
    }

    private static bool TryParse(byte[] content, X509Certificate2Collection certificates)
    {
        try
        {
            if (content.AsSpan().IndexOf(PemMarker) >= 0)
            {
                var pem = new X509Certificate2Collection();
                pem.ImportFromPem(Encoding.ASCII.GetString(content));
                certificates.AddRange(pem);
                return pem.Count > 0;
            }

            certificates.Add(X509CertificateLoader.LoadCertificate(content));
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
