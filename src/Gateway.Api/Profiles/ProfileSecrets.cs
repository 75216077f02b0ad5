using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Gateway.Api.Profiles;

/// <summary>
/// Encrypts a profile's tokens at rest with ASP.NET Core Data Protection (key ring in
/// <c>&lt;data&gt;/keys</c>, see AuthExtensions). Only this class sees both the plain and the stored form.
/// </summary>
internal sealed class ProfileSecrets(IDataProtectionProvider provider)
{
    /// <summary>The protector's purpose: changing it makes every stored token unreadable.</summary>
    public const string Purpose = "TunnelGateway.Profiles.Tokens.v1";

    private readonly IDataProtector _protector = provider.CreateProtector(Purpose);

    public string Protect(string token) => _protector.Protect(token);

    /// <summary>
    /// The plain token, or false when <paramref name="protectedToken"/> cannot be decrypted (the key ring
    /// was lost or replaced, or the value was tampered with).
    /// </summary>
    public bool TryUnprotect(string protectedToken, out string token)
    {
        try
        {
            token = _protector.Unprotect(protectedToken);
            return true;
        }
        catch (CryptographicException)
        {
            token = string.Empty;
            return false;
        }
    }
}
