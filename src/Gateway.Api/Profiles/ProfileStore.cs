using System.Security.Cryptography;
using Gateway.Api.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Profiles;

/// <summary>
/// Profiles in the database: names unique case-insensitively (checked here for every Unicode letter,
/// and by the column's NOCASE index against races), tokens encrypted on the way in. A DI singleton.
/// </summary>
internal sealed partial class ProfileStore(
    IDbContextFactory<GatewayDbContext> contexts,
    ProfileSecrets secrets,
    TimeProvider time,
    ILogger<ProfileStore> logger)
{
    /// <summary>Every profile, by name.</summary>
    public async Task<List<ProfileEntity>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var profiles = await db.Profiles.AsNoTracking().ToListAsync(cancellationToken);
        return [.. profiles.OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase)];
    }

    public async Task<ProfileEntity?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Profiles.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, cancellationToken);
    }

    /// <summary>Stores every draft, or none when a name is taken (by a profile or by another draft).</summary>
    public async Task<ProfileWriteResult> InsertAsync(IReadOnlyList<ProfileDraft> drafts, string? createdBy, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var existing = await db.Profiles.Select(p => p.Name).ToListAsync(cancellationToken);
        var names = new HashSet<string>(existing, StringComparer.OrdinalIgnoreCase);
        var taken = drafts.Select(d => d.Values.Name).Where(name => !names.Add(name)).ToList();
        if (taken.Count > 0)
        {
            return new ProfileWriteResult([], taken);
        }

        var now = Now();
        var profiles = new List<ProfileEntity>(drafts.Count);
        foreach (var draft in drafts)
        {
            var profile = new ProfileEntity
            {
                Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
                CreatedAt = now,
                UpdatedAt = now,
                CreatedBy = createdBy,
                ProtectedAccessToken = Protect(draft.AccessToken),
                ProtectedClientToken = Protect(draft.ClientToken),
                ProtectedProxyPassword = Protect(draft.ProxyPassword),
            };
            draft.Values.ApplyTo(profile);
            profiles.Add(profile);
        }

        db.Profiles.AddRange(profiles);
        if (!await TrySaveAsync(db, cancellationToken))
        {
            return new ProfileWriteResult([], [.. drafts.Select(d => d.Values.Name)]);
        }

        foreach (var profile in profiles)
        {
            Log.Created(logger, profile.Id, profile.Name, profile.Mode, profile.ProtectedAccessToken is not null);
        }

        return new ProfileWriteResult(profiles, []);
    }

    /// <summary>
    /// Replaces every non-secret field. A given token or proxy password replaces the stored one;
    /// <paramref name="cleared"/> removes it; otherwise the stored one is kept (the proxy password only
    /// while the address still names a proxy user).
    /// </summary>
    public async Task<ProfileWriteResult> ReplaceAsync(string id, ProfileDraft draft, ProfileSecretsCleared cleared, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(cleared);
        var values = draft.Values;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var profile = await db.Profiles.SingleOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (profile is null)
        {
            return new ProfileWriteResult([], [], NotFound: true);
        }

        var others = await db.Profiles.Where(p => p.Id != id).Select(p => p.Name).ToListAsync(cancellationToken);
        if (others.Contains(values.Name, StringComparer.OrdinalIgnoreCase))
        {
            return new ProfileWriteResult([], [values.Name]);
        }

        values.ApplyTo(profile);
        profile.ProtectedAccessToken = Replace(profile.ProtectedAccessToken, draft.AccessToken, cleared.AccessToken);
        profile.ProtectedClientToken = Replace(profile.ProtectedClientToken, draft.ClientToken, cleared.ClientToken);
        profile.ProtectedProxyPassword = Replace(profile.ProtectedProxyPassword, draft.ProxyPassword, cleared.ProxyPassword || !ProxyPassword.HasUser(values.HttpsProxy));
        profile.UpdatedAt = Now();
        if (!await TrySaveAsync(db, cancellationToken))
        {
            return new ProfileWriteResult([], [values.Name]);
        }

        Log.Replaced(logger, profile.Id, profile.Name, profile.ProtectedAccessToken is not null);
        return new ProfileWriteResult([profile], []);
    }

    /// <summary>False when no profile has the id.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        int deleted = await db.Profiles.Where(p => p.Id == id).ExecuteDeleteAsync(cancellationToken);
        if (deleted > 0)
        {
            Log.Deleted(logger, id);
        }

        return deleted > 0;
    }

    // Whole milliseconds: the columns keep 0.1 ms (DateTimeOffset to binary), so an answer shows what a later read will.
    private DateTimeOffset Now() => DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());

    private string? Protect(string? token) => token is null ? null : secrets.Protect(token);

    private string? Replace(string? stored, string? given, bool clear) => given is not null ? secrets.Protect(given) : clear ? null : stored;

    /// <summary>
    /// Profiles saved before proxy passwords were kept apart hold them in <c>HttpsProxy</c>: moves each
    /// into <c>ProtectedProxyPassword</c> (encrypted). Runs at start; a no-op once done.
    /// </summary>
    public async Task ProtectStoredProxyPasswordsAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var candidates = await db.Profiles.Where(p => p.HttpsProxy != null && p.HttpsProxy.Contains("@")).ToListAsync(cancellationToken);
        int moved = 0;
        foreach (var profile in candidates)
        {
            var (address, password) = ProxyPassword.Split(profile.HttpsProxy);
            if (password is not null)
            {
                profile.HttpsProxy = address;
                profile.ProtectedProxyPassword = secrets.Protect(password);
                moved++;
            }
        }

        if (moved > 0)
        {
            await db.SaveChangesAsync(cancellationToken);
            Log.ProxyPasswordsProtected(logger, moved);
        }
    }

    /// <summary>False when the unique name index refused the write (a concurrent create took the name).</summary>
    private static async Task<bool> TrySaveAsync(GatewayDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException ex) when (ex.InnerException is SqliteException { SqliteErrorCode: 19 })
        {
            return false;
        }
    }
}
