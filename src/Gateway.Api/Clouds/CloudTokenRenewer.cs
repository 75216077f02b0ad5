using Gateway.Api.Sessions;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;

namespace Gateway.Api.Clouds;

/// <summary>
/// When the service refuses the token of a session on a known cloud tunnel (spent after a restart that
/// lost its client token, rotated elsewhere), rotates that end's token on the cloud and hands the new
/// one to the session; stores it for the next restart and writes the rotation to the audit log.
/// </summary>
internal sealed partial class CloudTokenRenewer(
    CloudDirectory clouds,
    CloudApiClient client,
    IServiceProvider services,
    CloudAudit audit,
    ILogger<CloudTokenRenewer> logger)
{
    public async ValueTask<AccessTokenRenewal?> RenewAsync(SessionSpec spec, AccessTokenRefusal refusal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(refusal);
        if (spec.Tunnel is not { } tunnel)
        {
            return null;
        }

        var (cloud, error) = await clouds.ResolveAsync(tunnel.Cloud, cancellationToken);
        if (cloud is null)
        {
            Log.NotRenewed(logger, refusal.SessionId, tunnel.TunnelId, error!);
            return null;
        }

        string mode = refusal.Mode == SessionMode.Source ? "SOURCE" : "DESTINATION";
        var rotated = await client.RotateAsync(cloud, tunnel.TunnelId, mode, cancellationToken);
        string action = $"/api/tunnels/{refusal.SessionId} rotate {mode} token on cloud {tunnel.Cloud} (the service refused the session's token)";
        string? token = rotated.Value is { } tokens ? (mode == "SOURCE" ? tokens.SourceAccessToken : tokens.DestinationAccessToken) : null;
        if (token is null)
        {
            string reason = rotated.Error?.Reason ?? "the answer carried no token";
            Log.NotRenewed(logger, refusal.SessionId, tunnel.TunnelId, reason);
            await audit.WriteAsync(action, tunnel.TunnelId, rotated.Error?.StatusForCaller ?? StatusCodes.Status502BadGateway);
            return null;
        }

        services.GetRequiredService<SessionResumption>().UpdateSpec(refusal.SessionId, spec with { AccessToken = token });
        Log.Renewed(logger, refusal.SessionId, mode, tunnel.TunnelId, tunnel.Cloud);
        await audit.WriteAsync(action, tunnel.TunnelId, StatusCodes.Status200OK);
        return new AccessTokenRenewal(token, $"rotated the {mode} token of tunnel {tunnel.TunnelId} on cloud '{tunnel.Cloud}'");
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3703, Level = LogLevel.Information, Message = "Session {SessionId}: rotated the {Mode} token of tunnel {TunnelId} on cloud '{Cloud}' after the service refused the old one")]
        public static partial void Renewed(ILogger logger, string sessionId, string mode, string tunnelId, string cloud);

        [LoggerMessage(EventId = 3704, Level = LogLevel.Warning, Message = "Session {SessionId}: could not rotate the token of tunnel {TunnelId}: {Reason}")]
        public static partial void NotRenewed(ILogger logger, string sessionId, string tunnelId, string reason);
    }
}
