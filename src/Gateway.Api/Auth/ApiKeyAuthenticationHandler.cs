using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Gateway.Api.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Auth;

/// <summary>
/// Authenticates <c>X-Api-Key</c>: the key's SHA-256 is looked up; revoked and expired keys fail.
/// The key's role becomes the principal's role; its name is <c>key:NAME</c> (audit, history).
/// </summary>
internal sealed partial class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IDbContextFactory<GatewayDbContext> contexts,
    TimeProvider time) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";

    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);
    private static readonly ConcurrentDictionary<string, DateTimeOffset> LastUsedWritten = new(StringComparer.Ordinal);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(ApiKeys.HeaderName, out var values))
        {
            return AuthenticateResult.NoResult();
        }

        string? key = values.Count == 1 ? values[0] : null;
        if (string.IsNullOrEmpty(key) || key.Length > ApiKeys.MaxLength)
        {
            return AuthenticateResult.Fail("malformed X-Api-Key header");
        }

        string hash = ApiKeys.Hash(key);
        await using var db = await contexts.CreateDbContextAsync(Context.RequestAborted);
        ApiKeyEntity? entity;
        try
        {
            entity = await db.ApiKeys.AsNoTracking().SingleOrDefaultAsync(k => k.KeyHash == hash, Context.RequestAborted);
        }
        catch (Microsoft.Data.Sqlite.SqliteException ex)
        {
            // The key cannot be checked: refuse (401) and say why in the log, rather than a 500.
            Log.KeyStoreUnavailable(Logger, ex.Message);
            return AuthenticateResult.Fail("the API key store is unavailable");
        }

        var now = time.GetUtcNow();
        if (entity is null || entity.RevokedAt is not null || (entity.ExpiresAt is { } expires && expires <= now))
        {
            Log.KeyRejected(Logger, Context.Connection.RemoteIpAddress?.ToString() ?? "?", entity is null ? "unknown" : entity.RevokedAt is not null ? "revoked" : "expired");
            return AuthenticateResult.Fail("invalid API key");
        }

        try
        {
            await TouchAsync(db, entity.Id, now);
        }
        catch (Microsoft.Data.Sqlite.SqliteException ex)
        {
            Log.KeyStoreUnavailable(Logger, ex.Message);
        }
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, "key:" + entity.Name),
                new Claim(ClaimTypes.Role, entity.Role),
                new Claim(GatewayClaims.Method, GatewayClaims.ApiKeyMethod),
                new Claim(GatewayClaims.KeyId, entity.Id),
            ],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>Records the last use at most once a minute per key, so reads do not each write.</summary>
    private async Task TouchAsync(GatewayDbContext db, string id, DateTimeOffset now)
    {
        if (LastUsedWritten.TryGetValue(id, out var written) && now - written < LastUsedResolution)
        {
            return;
        }

        LastUsedWritten[id] = now;
        await db.ApiKeys.Where(k => k.Id == id).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), Context.RequestAborted);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3003, Level = LogLevel.Error, Message = "Cannot check API keys: the database is unavailable: {Error}")]
        public static partial void KeyStoreUnavailable(ILogger logger, string error);

        [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Rejected an API key from {Peer}: {Reason}")]
        public static partial void KeyRejected(ILogger logger, string peer, string reason);
    }
}
