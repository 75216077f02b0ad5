using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Api.Hosting;

namespace Gateway.Api.Auth;

/// <summary>The certificate of <c>Auth:KeyRingCertificatePath</c>: a problem with it stops the start in one line.</summary>
internal static class KeyRingCertificate
{
    public static X509Certificate2? Load(AuthOptions auth)
    {
        if (string.IsNullOrWhiteSpace(auth.KeyRingCertificatePath))
        {
            return null;
        }

        string path = auth.KeyRingCertificatePath;
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, auth.KeyRingCertificatePassword, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new GatewayStartupException($"Auth:KeyRingCertificatePath '{path}' cannot be loaded: {ex.Message} (a PFX/PKCS#12 file with the certificate and its private key; Auth:KeyRingCertificatePassword if it has a password).", ex);
        }

        using var key = certificate.GetRSAPrivateKey();
        if (key is null)
        {
            certificate.Dispose();
            throw new GatewayStartupException($"Auth:KeyRingCertificatePath '{path}' has no RSA private key: the key ring is encrypted with an RSA certificate and read back with its private key.");
        }

        return certificate;
    }
}
