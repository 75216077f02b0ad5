using System.Security.Cryptography;
using System.Text;

namespace Gateway.Api.Auth;

/// <summary>API key format <c>tg_&lt;id&gt;_&lt;secret&gt;</c>: 256 random bits; stored as SHA-256 hex only.</summary>
internal static class ApiKeys
{
    public const string HeaderName = "X-Api-Key";

    public const int MaxLength = 512;

    public static (string Id, string Key) Generate()
    {
        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        string secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (id, $"tg_{id}_{secret}");
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
