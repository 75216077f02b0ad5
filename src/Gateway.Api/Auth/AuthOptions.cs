using System.ComponentModel.DataAnnotations;

namespace Gateway.Api.Auth;

/// <summary>
/// Section <c>Auth</c> (environment <c>Auth__AdminPassword</c>, ...). The first admin comes from here;
/// without a password one is generated and printed once in the log.
/// </summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>User name of the first admin, created at start when missing.</summary>
    [Required]
    [RegularExpression(UserNames.Pattern, ErrorMessage = "Auth:AdminUser must be 1-64 letters, digits, '.', '_', '-' or '@'.")]
    public string AdminUser { get; set; } = "admin";

    /// <summary>The first admin's password (at least 12 characters). Setting it again later resets it.</summary>
    [MinLength(12, ErrorMessage = "Auth:AdminPassword must have at least 12 characters.")]
    public string? AdminPassword { get; set; }

    /// <summary>Optional admin API key for automation (at least 32 characters), kept in sync at start.</summary>
    [MinLength(32, ErrorMessage = "Auth:AdminApiKey must have at least 32 characters.")]
    public string? AdminApiKey { get; set; }

    /// <summary>Login attempts allowed per client address and minute.</summary>
    [Range(1, 1000, ErrorMessage = "Auth:LoginAttemptsPerMinute must be between 1 and 1000.")]
    public int LoginAttemptsPerMinute { get; set; } = 5;

    /// <summary>
    /// Optional PFX file whose certificate encrypts the Data Protection key ring at rest (its private key
    /// decrypts it). Without it the key files are plain XML, readable by the gateway's user only.
    /// </summary>
    public string? KeyRingCertificatePath { get; set; }

    /// <summary>The password of <see cref="KeyRingCertificatePath"/>, if it has one.</summary>
    public string? KeyRingCertificatePassword { get; set; }

    /// <summary>How long a dashboard login lasts (sliding).</summary>
    [Range(1, 24 * 30, ErrorMessage = "Auth:CookieHours must be between 1 and 720.")]
    public int CookieHours { get; set; } = 12;
}
