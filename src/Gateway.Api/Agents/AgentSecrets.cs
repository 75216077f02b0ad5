using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Gateway.Api.Agents;

/// <summary>
/// Encrypts an agent's client certificate, key and password at rest with ASP.NET Core Data Protection
/// (the gateway's key ring). Only this class sees both the plain and the stored form.
/// </summary>
internal sealed class AgentSecrets(IDataProtectionProvider provider)
{
    /// <summary>The protector's purpose: changing it makes every stored agent secret unreadable.</summary>
    public const string Purpose = "TunnelGateway.Agents.Secrets.v1";

    private readonly IDataProtector _protector = provider.CreateProtector(Purpose);

    public string Protect(string secret) => _protector.Protect(secret);

    /// <summary>The plain value; null when there is none or it cannot be decrypted (key ring lost or replaced).</summary>
    public string? Unprotect(string? protectedValue, out bool unreadable)
    {
        unreadable = false;
        if (protectedValue is null)
        {
            return null;
        }

        try
        {
            return _protector.Unprotect(protectedValue);
        }
        catch (CryptographicException)
        {
            unreadable = true;
            return null;
        }
    }
}
