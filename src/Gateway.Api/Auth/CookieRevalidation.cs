using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Gateway.Api.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Auth;

/// <summary>
/// A login cookie is checked against the server on every request: its login must still exist
/// (<see cref="LoginStore"/>: logout deletes it), and a deleted user, a changed role or a changed
/// password ends it at once (the cookie carries a stamp derived from the password hash).
/// </summary>
internal static class CookieRevalidation
{
    public const string StampClaim = "tg:stamp";

    /// <summary>A short digest of the stored password hash: changes whenever the password does.</summary>
    public static string Stamp(UserEntity user) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(user.PasswordHash)))[..16];

    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        string? loginId = context.Principal?.FindFirstValue(GatewayClaims.LoginId);
        var services = context.HttpContext.RequestServices;
        var contexts = services.GetRequiredService<IDbContextFactory<GatewayDbContext>>();
        UserEntity? user = null;
        if (loginId is not null)
        {
            try
            {
                await using var db = await contexts.CreateDbContextAsync(context.HttpContext.RequestAborted);
                if (!File.Exists(db.Database.GetDbConnection().DataSource))
                {
                    // Opening would create an empty database in place of the lost one.
                    return;
                }

                user = await services.GetRequiredService<LoginStore>().FindUserAsync(db, loginId, context.HttpContext.RequestAborted);
            }
            catch (Microsoft.Data.Sqlite.SqliteException)
            {
                // The user store cannot be read: the cookie stays as it was signed (nothing that
                // needs the database works meanwhile, and /readyz can still say why).
                return;
            }
        }

        if (user is null
            || !string.Equals(user.UserName, context.Principal!.Identity?.Name, StringComparison.OrdinalIgnoreCase)
            || user.Role != context.Principal!.FindFirstValue(ClaimTypes.Role)
            || Stamp(user) != context.Principal!.FindFirstValue(StampClaim))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }
}
