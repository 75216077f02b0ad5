using System.Security.Cryptography;
using System.Text;

namespace Gateway.Engine.Relay;

/// <summary>
/// Hashes tokens for storage and lookup. Access tokens are 256-bit random values, so a plain
/// SHA-256 is enough: there is nothing to brute-force.
/// </summary>
internal static class TokenHasher
{
    public static string Hash(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>A new access token: 32 random bytes, base64url without padding (43 chars).</summary>
    public static string NewAccessToken() => Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
