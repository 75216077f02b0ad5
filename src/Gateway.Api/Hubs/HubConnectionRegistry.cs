using System.Collections.Concurrent;
using System.Security.Claims;
using Gateway.Api.Auth;
using Microsoft.AspNetCore.SignalR;

namespace Gateway.Api.Hubs;

/// <summary>
/// The open <c>/hubs/sessions</c> connections and who opened them. A hub connection is authorised once,
/// when it starts; revoking what authorised it (an API key, a user, one login) closes it here at once.
/// </summary>
internal sealed partial class HubConnectionRegistry(ILogger<HubConnectionRegistry> logger)
{
    private readonly ConcurrentDictionary<string, HubCallerContext> _connections = new(StringComparer.Ordinal);

    public int Count => _connections.Count;

    public void Add(HubCallerContext context) => _connections[context.ConnectionId] = context;

    public void Remove(HubCallerContext context) => _connections.TryRemove(context.ConnectionId, out _);

    /// <summary>Closes the connections opened with the API key <paramref name="keyId"/>.</summary>
    public int CloseForApiKey(string keyId) =>
        Close(user => user.FindFirstValue(GatewayClaims.KeyId) == keyId, "API key " + keyId + " revoked");

    /// <summary>Closes the connections of every login of <paramref name="userName"/> (deleted, demoted, new password).</summary>
    public int CloseForUser(string userName, string reason) =>
        Close(
            user => user.FindFirstValue(GatewayClaims.Method) == GatewayClaims.CookieMethod
                && string.Equals(user.Identity?.Name, userName, StringComparison.OrdinalIgnoreCase),
            $"user {userName} {reason}");

    /// <summary>Closes the connections of every login of <paramref name="userName"/> but <paramref name="keptLoginId"/> (their own password change).</summary>
    public int CloseForUserExceptLogin(string userName, string keptLoginId, string reason) =>
        Close(
            user => user.FindFirstValue(GatewayClaims.Method) == GatewayClaims.CookieMethod
                && string.Equals(user.Identity?.Name, userName, StringComparison.OrdinalIgnoreCase)
                && user.FindFirstValue(GatewayClaims.LoginId) != keptLoginId,
            $"user {userName} {reason}");

    /// <summary>Closes the connections of one login (logged out).</summary>
    public int CloseForLogin(string loginId) =>
        Close(user => user.FindFirstValue(GatewayClaims.LoginId) == loginId, "logged out");

    private int Close(Func<ClaimsPrincipal, bool> match, string reason)
    {
        int closed = 0;
        foreach (var context in _connections.Values)
        {
            if (context.User is { } user && match(user))
            {
                Log.Closing(logger, context.ConnectionId, user.Identity?.Name ?? "?", reason);
                context.Abort();
                Remove(context);
                closed++;
            }
        }

        return closed;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3600, Level = LogLevel.Information, Message = "Closing hub connection {ConnectionId} of {Principal}: {Reason}")]
        public static partial void Closing(ILogger logger, string connectionId, string principal, string reason);
    }
}
