using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Gateway.Api.Aws;

/// <summary>
/// AWS-style credentials for the management API: an access key id of AWS's shape (<c>AKIA</c> and 16
/// base-32 characters) and a 40-character secret, encrypted at rest with Data Protection.
/// </summary>
internal sealed class AwsAccessKeys(IDataProtectionProvider provider)
{
    /// <summary>The protector's purpose: changing it makes every stored secret unreadable.</summary>
    public const string Purpose = "TunnelGateway.AwsAccessKeys.Secrets.v1";

    private const string Base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private const string SecretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    private readonly IDataProtector _protector = provider.CreateProtector(Purpose);

    public static (string AccessKeyId, string Secret) Generate() =>
        ("AKIA" + RandomNumberGenerator.GetString(Base32, 16), RandomNumberGenerator.GetString(SecretAlphabet, 40));

    /// <summary>The shape of an id this gateway issues; anything else is unknown without a lookup.</summary>
    public static bool LooksLikeKeyId(string id) =>
        id.Length == 20 && id.StartsWith("AKIA", StringComparison.Ordinal) && id.AsSpan(4).IndexOfAnyExcept(Base32) < 0;

    public string Protect(string secret) => _protector.Protect(secret);

    public string? TryUnprotect(string protectedSecret)
    {
        try
        {
            return _protector.Unprotect(protectedSecret);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
