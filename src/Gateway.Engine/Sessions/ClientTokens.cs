using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Gateway.Engine.Sessions;

/// <summary>
/// Client tokens (docs/protocol.md section 2): the service's rule is <c>^[a-zA-Z0-9-]{32,128}$</c>. A session
/// without one gets a random token so that the service accepts its reconnects (section 17).
/// </summary>
public static partial class ClientTokens
{
    /// <summary>The shortest client token the service accepts, in characters.</summary>
    public const int MinLength = 32;

    /// <summary>The longest client token the service accepts, in characters.</summary>
    public const int MaxLength = 128;

    /// <summary>The length, in characters, of a token made by <see cref="Generate"/>.</summary>
    internal const int GeneratedLength = 48;

    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-";

    /// <summary>A new token of <see cref="GeneratedLength"/> characters from a cryptographic random source.</summary>
    public static string Generate() => RandomNumberGenerator.GetString(Alphabet, GeneratedLength);

    /// <summary>True when <paramref name="token"/> follows the service's rule: 32 to 128 ASCII letters, digits or '-'. False for null.</summary>
    /// <param name="token">A client token, or null.</param>
    public static bool IsValid(string? token) => token is not null && Pattern().IsMatch(token);

    [GeneratedRegex("^[a-zA-Z0-9-]{32,128}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
