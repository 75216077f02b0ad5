using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Engine.Transport;

/// <summary>
/// Extra trust anchors from a directory (the reference's <c>-c/--capath</c>): every file that holds
/// PEM or DER certificates, including OpenSSL's hashed <c>&lt;hash&gt;.0</c> names. Unreadable files are skipped.
/// </summary>
internal static class CaDirectory
{
    public static X509Certificate2Collection Load(string directory)
    {
        var certificates = new X509Certificate2Collection();
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            try
            {
                var pem = new X509Certificate2Collection();
                pem.ImportFromPemFile(file);
                if (pem.Count > 0)
                {
                    certificates.AddRange(pem);
                    continue;
                }
            }
            catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
            {
            }

            try
            {
                certificates.Add(X509CertificateLoader.LoadCertificateFromFile(file));
            }
            catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
            {
            }
        }

        return certificates;
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
}
