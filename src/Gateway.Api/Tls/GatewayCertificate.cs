using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Api.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Tls;

/// <summary>
/// The certificate Kestrel serves HTTPS and the relay's WSS with: the configured one, else a
/// self-signed one created on first start and reused afterwards.
/// </summary>
internal sealed partial class GatewayCertificate(IOptions<GatewayOptions> options, ILogger<GatewayCertificate> logger, TimeProvider time)
{
    private readonly Lazy<X509Certificate2> _certificate = new(() => Load(options.Value, logger, time));

    public X509Certificate2 Certificate => _certificate.Value;

    /// <summary>
    /// Loads a configured certificate, or a self-signed one made by an earlier start, now rather than when Kestrel
    /// binds, so that an unreadable or corrupt file stops the start with a one-line <see cref="GatewayStartupException"/>.
    /// A certificate still to be created is left for Kestrel to ask for (a gateway without HTTPS needs none).
    /// </summary>
    public void LoadExisting()
    {
        var value = options.Value;
        if (!string.IsNullOrWhiteSpace(value.Tls.CertificatePath) || File.Exists(SelfSignedCertificate.PfxPath(SelfSignedDirectory(value))))
        {
            _ = Certificate;
        }
    }

    private static string SelfSignedDirectory(GatewayOptions options) => Path.Combine(options.ResolveDataDirectory(), "tls");

    private static X509Certificate2 Load(GatewayOptions options, ILogger logger, TimeProvider time)
    {
        var tls = options.Tls;
        if (!string.IsNullOrWhiteSpace(tls.CertificatePath))
        {
            var certificate = LoadConfigured(tls);
            Log.UsingConfigured(logger, tls.CertificatePath, certificate.Subject, certificate.NotAfter);
            return certificate;
        }

        var directory = SelfSignedDirectory(options);
        X509Certificate2 generated;
        bool created;
        try
        {
            generated = SelfSignedCertificate.LoadOrCreate(directory, time.GetUtcNow(), out created);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new GatewayStartupException(
                $"The self-signed certificate in {directory} cannot be loaded or created: {ex.Message} "
                + $"(move {SelfSignedCertificate.PfxPath(directory)} away to have a new one created; proxies then need the new CA from {SelfSignedCertificate.CaDirectory(directory)}).", ex);
        }

        if (created)
        {
            Log.CreatedSelfSigned(logger, directory, SelfSignedCertificate.CaDirectory(directory));
        }
        else
        {
            Log.UsingSelfSigned(logger, directory, SelfSignedCertificate.CaDirectory(directory));
        }

        return generated;
    }

    private static X509Certificate2 LoadConfigured(TlsOptions tls)
    {
        var path = tls.CertificatePath!;
        if (!File.Exists(path))
        {
            throw new GatewayStartupException($"Gateway:Tls:CertificatePath '{path}' does not exist.");
        }

        try
        {
            return ReadConfigured(tls, path);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            string expected = string.IsNullOrWhiteSpace(tls.KeyPath)
                ? "a PFX/PKCS#12 file (its password in Gateway:Tls:Password), or a PEM certificate with its key in Gateway:Tls:KeyPath"
                : $"a PEM certificate whose key is the PEM file Gateway:Tls:KeyPath '{tls.KeyPath}'";
            throw new GatewayStartupException($"Gateway:Tls:CertificatePath '{path}' cannot be loaded: {ex.Message.TrimEnd('.')}. Expected {expected}.", ex);
        }
    }

    private static X509Certificate2 ReadConfigured(TlsOptions tls, string path)
    {
        if (!string.IsNullOrWhiteSpace(tls.KeyPath))
        {
            var pem = string.IsNullOrEmpty(tls.Password)
                ? X509Certificate2.CreateFromPemFile(path, tls.KeyPath)
                : X509Certificate2.CreateFromEncryptedPemFile(path, tls.Password, tls.KeyPath);

            // Round-trip through PKCS#12 so the key is usable by SslStream on every platform.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }

        return X509CertificateLoader.LoadPkcs12FromFile(path, tls.Password);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "HTTPS/WSS certificate: {Path} ({Subject}, valid until {NotAfter:O})")]
        public static partial void UsingConfigured(ILogger logger, string path, string subject, DateTime notAfter);

        [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "No certificate configured: created a self-signed certificate for localhost, 127.0.0.1 and ::1 in {Directory}. Proxies can trust it with `localproxy -c {CaDirectory}` (or skip verification with -k); set Gateway:Tls:CertificatePath to use your own.")]
        public static partial void CreatedSelfSigned(ILogger logger, string directory, string caDirectory);

        [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Using the self-signed certificate in {Directory} (trust it with `localproxy -c {CaDirectory}`)")]
        public static partial void UsingSelfSigned(ILogger logger, string directory, string caDirectory);
    }
}
