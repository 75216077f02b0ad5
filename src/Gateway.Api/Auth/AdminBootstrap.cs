using Gateway.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Auth;

/// <summary>
/// At start: makes sure the first admin exists (password from <c>Auth:AdminPassword</c>, else
/// generated and printed once the gateway listens), resets that admin's password when the setting changed, and keeps
/// the optional <c>Auth:AdminApiKey</c> as an admin key named "bootstrap".
/// </summary>
internal sealed partial class AdminBootstrap(IOptions<AuthOptions> options, TimeProvider time, ILogger<AdminBootstrap> logger)
{
    public const string BootstrapKeyName = "bootstrap";

    /// <summary>
    /// Before the gateway listens: the first admin with the configured password, that admin's password
    /// reset to the setting, the bootstrap key. A generated password waits for <see cref="EnsureGeneratedAsync"/>.
    /// </summary>
    public async Task EnsureAsync(GatewayDbContext db, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var admin = await db.Users.SingleOrDefaultAsync(u => u.UserName == settings.AdminUser, cancellationToken);
        if (admin is null && settings.AdminPassword is { } password)
        {
            admin = NewAdmin(settings.AdminUser, password);
            db.Users.Add(admin);
            await db.SaveChangesAsync(cancellationToken);
            Log.AdminCreated(logger, settings.AdminUser);
        }
        else if (admin is not null && settings.AdminPassword is { } configured && !Passwords.Verify(admin, configured))
        {
            admin.PasswordHash = Passwords.Hash(admin, configured);
            admin.Role = Roles.Admin;
            await db.SaveChangesAsync(cancellationToken);
            Log.AdminPasswordReset(logger, settings.AdminUser);
        }

        await EnsureBootstrapKeyAsync(db, settings.AdminApiKey, cancellationToken);
    }

    /// <summary>
    /// Once the gateway really listens: the first admin with a generated password, printed once. A start
    /// that fails before (a port in use, a bad certificate) creates no admin, so the next start generates
    /// and prints the password then: it is never stored without having been shown to a running gateway's log.
    /// </summary>
    public async Task EnsureGeneratedAsync(GatewayDbContext db, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.AdminPassword is not null || await db.Users.AnyAsync(u => u.UserName == settings.AdminUser, cancellationToken))
        {
            return;
        }

        string password = Passwords.Generate();
        db.Users.Add(NewAdmin(settings.AdminUser, password));
        await db.SaveChangesAsync(cancellationToken);

        // Printed once, on purpose: the operator needs it for the first login (issue 6).
        Log.GeneratedPassword(logger, settings.AdminUser, password);
    }

    private UserEntity NewAdmin(string userName, string password)
    {
        var admin = new UserEntity { UserName = userName, Role = Roles.Admin, CreatedAt = time.GetUtcNow(), CreatedBy = "configuration" };
        admin.PasswordHash = Passwords.Hash(admin, password);
        return admin;
    }

    private async Task EnsureBootstrapKeyAsync(GatewayDbContext db, string? key, CancellationToken cancellationToken)
    {
        var existing = await db.ApiKeys.Where(k => k.Name == BootstrapKeyName && k.RevokedAt == null).ToListAsync(cancellationToken);
        string? hash = key is null ? null : ApiKeys.Hash(key);
        foreach (var stale in existing.Where(k => k.KeyHash != hash))
        {
            stale.RevokedAt = time.GetUtcNow();
        }

        if (hash is not null && existing.All(k => k.KeyHash != hash))
        {
            // A key revoked earlier with the same value stays revoked: an operator must choose a new one.
            if (!await db.ApiKeys.AnyAsync(k => k.KeyHash == hash, cancellationToken))
            {
                db.ApiKeys.Add(new ApiKeyEntity
                {
                    Id = ApiKeys.Generate().Id,
                    Name = BootstrapKeyName,
                    KeyHash = hash,
                    Role = Roles.Admin,
                    CreatedAt = time.GetUtcNow(),
                    CreatedBy = "configuration",
                });
            }
            else
            {
                Log.BootstrapKeyRevoked(logger);
            }
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3010, Level = LogLevel.Warning, Message = "Created the first admin '{UserName}' with the generated password: {Password} (shown only now; set Auth:AdminPassword or change it with PUT /api/users/{UserName})")]
        public static partial void GeneratedPassword(ILogger logger, string userName, string password);

        [LoggerMessage(EventId = 3011, Level = LogLevel.Information, Message = "Created the first admin '{UserName}' with the password from Auth:AdminPassword")]
        public static partial void AdminCreated(ILogger logger, string userName);

        [LoggerMessage(EventId = 3012, Level = LogLevel.Information, Message = "Reset the password of '{UserName}' to Auth:AdminPassword")]
        public static partial void AdminPasswordReset(ILogger logger, string userName);

        [LoggerMessage(EventId = 3013, Level = LogLevel.Warning, Message = "Auth:AdminApiKey was revoked through the API; it stays revoked: configure a new key")]
        public static partial void BootstrapKeyRevoked(ILogger logger);
    }
}
