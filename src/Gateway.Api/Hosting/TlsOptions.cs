namespace Gateway.Api.Hosting;

/// <summary>
/// The HTTPS/WSS certificate. With nothing configured the gateway creates a self-signed
/// certificate for localhost, 127.0.0.1 and ::1 under <c>{DataDirectory}/tls</c>.
/// </summary>
public sealed class TlsOptions
{
    /// <summary>A PFX file, or a PEM certificate (then <see cref="KeyPath"/> names its key).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>PEM private key for a PEM <see cref="CertificatePath"/>.</summary>
    public string? KeyPath { get; set; }

    /// <summary>Password of the PFX file or of an encrypted PEM key.</summary>
    public string? Password { get; set; }
}
