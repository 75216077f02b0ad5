using System.Collections.Concurrent;
using System.Security.Cryptography;
using Gateway.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Auth;

/// <summary>
/// Server-side logins (the <c>Logins</c> table): a cookie is only as good as its row, which logout
/// deletes. A row unused for longer than a cookie lives (<c>Auth:CookieHours</c>) is pruned at the next login.
/// </summary>
internal sealed class LoginStore(IDbContextFactory<GatewayDbContext> contexts, IOptions<AuthOptions> options, TimeProvider time)
{
    /// <summary>How often a login's last use is written: reads do not each write.</summary>
    private static readonly TimeSpan SeenResolution = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _seenWritten = new(StringComparer.Ordinal);

    private TimeSpan Lifetime => TimeSpan.FromHours(options.Value.CookieHours);

    /// <summary>Records a new login of <paramref name="user"/>; returns its id.</summary>
    public async Task<string> CreateAsync(GatewayDbContext db, UserEntity user, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var stale = now - Lifetime;
        await db.Logins.Where(l => l.LastSeenAt < stale).ExecuteDeleteAsync(cancellationToken);
        var login = new LoginEntity { Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), UserId = user.Id, CreatedAt = now, LastSeenAt = now };
        db.Logins.Add(login);
        await db.SaveChangesAsync(cancellationToken);
        _seenWritten[login.Id] = now;
        return login.Id;
    }

    /// <summary>The user of a login that still exists and is not stale, or null.</summary>
    public async Task<UserEntity?> FindUserAsync(GatewayDbContext db, string loginId, CancellationToken cancellationToken)
    {
        var login = await db.Logins.AsNoTracking().Include(l => l.User).SingleOrDefaultAsync(l => l.Id == loginId, cancellationToken);
        var now = time.GetUtcNow();
        if (login?.User is null || now - login.LastSeenAt > Lifetime)
        {
            return null;
        }

        if (!_seenWritten.TryGetValue(loginId, out var written) || now - written >= SeenResolution)
        {
            _seenWritten[loginId] = now;
            try
            {
                await db.Logins.Where(l => l.Id == loginId).ExecuteUpdateAsync(s => s.SetProperty(l => l.LastSeenAt, now), cancellationToken);
            }
            catch (Microsoft.Data.Sqlite.SqliteException ex) when (Data.DatabaseFaults.FindUnavailable(ex) is not null)
            {
                // A read-only database (reported by DatabaseFaults) does not end logins: reading still works.
            }
        }

        return login.User;
    }

    /// <summary>Ends one login (logout): its cookie, and every copy of it, stops working.</summary>
    public async Task EndAsync(string loginId, CancellationToken cancellationToken)
    {
        _seenWritten.TryRemove(loginId, out _);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Logins.Where(l => l.Id == loginId).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Ends every login of a user (new password or role: they log in again).</summary>
    public static Task EndAllAsync(GatewayDbContext db, int userId, CancellationToken cancellationToken) =>
        db.Logins.Where(l => l.UserId == userId).ExecuteDeleteAsync(cancellationToken);
}
