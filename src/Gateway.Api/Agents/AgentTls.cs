using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Api.Agents;

/// <summary>The PEM material of an agent's broker connection: the thing's certificate with its key, and the CAs to trust.</summary>
internal static class AgentTls
{
    /// <summary>The certificate with its private key, usable for a TLS client handshake; or why not.</summary>
    public static (X509Certificate2? Certificate, string? Error) LoadClientCertificate(string certificatePem, string keyPem)
    {
        X509Certificate2 withKey;
        try
        {
            withKey = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        }
        catch (CryptographicException ex)
        {
            // The runtime's message names the cause: no PEM certificate, no key, a key that does not match.
            return (null, ex.Message);
        }
        catch (ArgumentException ex)
        {
            return (null, ex.Message);
        }

        using (withKey)
        {
            if (!withKey.HasPrivateKey)
            {
                return (null, "the key does not belong to the certificate");
            }

            // A PEM key is ephemeral; a PKCS#12 round trip gives a key every TLS stack can use.
            return (X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), password: null), null);
        }
    }

    /// <summary>The certificates of a PEM bundle (an empty collection when it holds none).</summary>
    public static X509Certificate2Collection LoadCaBundle(string pem)
    {
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPem(pem);
        }
        catch (CryptographicException)
        {
            collection.Clear();
        }

        return collection;
    }

    /// <summary>
    /// The system's verdict, or, when its only complaint is an untrusted chain, a chain to one of
    /// <paramref name="anchors"/>. A name mismatch is never forgiven.
    /// </summary>
    public static bool Validates(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, X509Certificate2Collection anchors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (certificate is null || anchors.Count == 0 || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return Engine.Transport.CaDirectory.Validates(presented, chain, anchors);
    }
}
