using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Gateway.Api.Tls;

/// <summary>
/// Creates and reloads the gateway's self-signed certificate. Files in the directory:
/// <c>gateway.pfx</c> (certificate and key, for Kestrel), <c>gateway.crt</c> (PEM, to trust), and
/// <c>ca/&lt;subject-hash&gt;.0</c>, an OpenSSL hashed CA directory for the reference proxy's
/// <c>-c/--capath</c>.
/// </summary>
internal static class SelfSignedCertificate
{
    public const string SubjectCommonName = "TunnelGateway relay";
    private const string PfxName = "gateway.pfx";
    private const string PemName = "gateway.crt";
    private static readonly TimeSpan Validity = TimeSpan.FromDays(825);
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    public static string CaDirectory(string directory) => Path.Combine(directory, "ca");

    public static string PfxPath(string directory) => Path.Combine(directory, PfxName);

    public static X509Certificate2 LoadOrCreate(string directory, DateTimeOffset now, out bool created)
    {
        Directory.CreateDirectory(directory);
        var pfxPath = PfxPath(directory);
        if (File.Exists(pfxPath))
        {
            var existing = X509CertificateLoader.LoadPkcs12FromFile(pfxPath, null);
            if (existing.NotAfter.ToUniversalTime() > now.UtcDateTime + RenewBefore)
            {
                WriteTrustFiles(directory, existing);
                created = false;
                return existing;
            }

            existing.Dispose();
        }

        var certificate = Create(now);
        // The private key: owner-only from the first byte written.
        Hosting.OwnerOnlyFiles.WriteAllBytes(pfxPath, certificate.Export(X509ContentType.Pkcs12));

        WriteTrustFiles(directory, certificate);
        created = true;
        return X509CertificateLoader.LoadPkcs12FromFile(pfxPath, null);
    }

    public static X509Certificate2 Create(DateTimeOffset now)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={SubjectCommonName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());

        // Self-signed and used as its own trust anchor (OpenSSL capath, .NET custom trust).
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(now.AddMinutes(-5), now.Add(Validity));
    }

    private static void WriteTrustFiles(string directory, X509Certificate2 certificate)
    {
        var pem = certificate.ExportCertificatePem() + "\n";
        File.WriteAllText(Path.Combine(directory, PemName), pem, Encoding.ASCII);
        var caDirectory = CaDirectory(directory);
        Directory.CreateDirectory(caDirectory);
        foreach (var stale in Directory.EnumerateFiles(caDirectory, "*.0"))
        {
            File.Delete(stale);
        }

        File.WriteAllText(Path.Combine(caDirectory, OpenSslSubjectHash(certificate) + ".0"), pem, Encoding.ASCII);
    }

    /// <summary>
    /// OpenSSL's <c>X509_NAME_hash</c> (what <c>openssl x509 -hash</c> prints and what a capath
    /// directory is keyed by): SHA-1 over the canonical encoding of the subject (each RDN set with
    /// its values as lower-cased, space-folded UTF8String, without the outer SEQUENCE), first four
    /// bytes read little-endian. Only single-valued RDNs with string values are produced here.
    /// </summary>
    public static string OpenSslSubjectHash(X509Certificate2 certificate)
    {
        var reader = new AsnReader(certificate.SubjectName.RawData, AsnEncodingRules.DER);
        var name = reader.ReadSequence();
        var canonical = new AsnWriter(AsnEncodingRules.DER);
        while (name.HasData)
        {
            var set = name.ReadSetOf();
            using (canonical.PushSetOf())
            {
                while (set.HasData)
                {
                    var attribute = set.ReadSequence();
                    var oid = attribute.ReadObjectIdentifier();
                    var value = attribute.ReadCharacterString(attribute.PeekTag() switch
                    {
                        var t when t.HasSameClassAndValue(new Asn1Tag(UniversalTagNumber.PrintableString)) => UniversalTagNumber.PrintableString,
                        var t when t.HasSameClassAndValue(new Asn1Tag(UniversalTagNumber.IA5String)) => UniversalTagNumber.IA5String,
                        _ => UniversalTagNumber.UTF8String,
                    });
                    using (canonical.PushSequence())
                    {
                        canonical.WriteObjectIdentifier(oid);
                        canonical.WriteCharacterString(UniversalTagNumber.UTF8String, Canonicalize(value));
                    }
                }
            }
        }

        var digest = SHA1.HashData(canonical.Encode());
        uint hash = (uint)(digest[0] | (digest[1] << 8) | (digest[2] << 16) | (digest[3] << 24));
        return hash.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Canonicalize(string value)
    {
        var builder = new StringBuilder(value.Length);
        bool pendingSpace = false;
        foreach (var c in value.Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = true;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }
}
