using System.Security.Cryptography;
using Gateway.Api.Data;
using Microsoft.AspNetCore.Identity;

namespace Gateway.Api.Auth;

/// <summary>Password hashing (ASP.NET Core Identity's PBKDF2 format) and generation.</summary>
internal static class Passwords
{
    public const int MinLength = 12;

    public const int MaxLength = 256;

    private static readonly PasswordHasher<UserEntity> Hasher = new();

    public static string Hash(UserEntity user, string password) => Hasher.HashPassword(user, password);

    public static bool Verify(UserEntity user, string password) =>
        Hasher.VerifyHashedPassword(user, user.PasswordHash, password) is PasswordVerificationResult.Success or PasswordVerificationResult.SuccessRehashNeeded;

    /// <summary>20 characters from an alphabet without look-alikes (about 110 bits).</summary>
    public static string Generate()
    {
        const string alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return RandomNumberGenerator.GetString(alphabet, 20);
    }
}
