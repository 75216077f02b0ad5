using Gateway.Engine.Platform;
using Gateway.Engine.Sessions;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Hosting;

/// <summary>
/// Caps the connections Kestrel holds at once, over all listeners and whatever they become (HTTP, TLS, WebSocket),
/// at a number derived from the open-file limit: the descriptors left after those open at start and a reserve
/// for sessions and the database. A connection beyond the cap is closed as soon as it is accepted, before TLS,
/// so a flood of idle connections cannot take the descriptors the process needs to live (issue 14).
/// </summary>
internal sealed partial class ConnectionBudget
{
    /// <summary>The cap is never set below this, however low the open-file limit.</summary>
    public const int MinConnections = 16;

    /// <summary>Smallest default reserve of descriptors for everything but incoming connections.</summary>
    public const int MinReserve = 128;

    private readonly ILogger<ConnectionBudget> _logger;
    private readonly RepeatedLineLimiter _refusals;
    private int _open;

    public ConnectionBudget(IOptions<GatewayOptions> options, ILogger<ConnectionBudget> logger, TimeProvider time)
    {
        _logger = logger;
        _refusals = new RepeatedLineLimiter(time);
        var limits = options.Value.Limits;
        if (limits.MaxConnections is < 1)
        {
            throw new GatewayStartupException($"Gateway:Limits:MaxConnections must be at least 1; {limits.MaxConnections} was given (leave it out to derive it from the open-file limit).");
        }

        if (limits.ReservedFileDescriptors is < 0)
        {
            throw new GatewayStartupException($"Gateway:Limits:ReservedFileDescriptors must not be negative; {limits.ReservedFileDescriptors} was given.");
        }

        long? fileLimit = OpenFiles.SoftLimit();
        int? openNow = OpenFiles.CountOpen();
        Max = Derive(fileLimit, openNow, limits.ReservedFileDescriptors, limits.MaxConnections, out int reserve);
        if (limits.MaxConnections is { } configured)
        {
            Log.Configured(logger, configured, fileLimit?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown");
        }
        else if (Max is { } max)
        {
            Log.Derived(logger, max, fileLimit!.Value, openNow ?? 0, reserve);
        }
    }

    /// <summary>The cap, or null for none (the open-file limit is unknown or unlimited and none was configured).</summary>
    public int? Max { get; }

    public int Open => Volatile.Read(ref _open);

    /// <summary>
    /// The cap for <paramref name="fileLimit"/> descriptors of which <paramref name="openNow"/> are in use, keeping
    /// <paramref name="reserved"/> (default: a quarter of the limit, at least <see cref="MinReserve"/>); a configured cap wins.
    /// </summary>
    public static int? Derive(long? fileLimit, int? openNow, int? reserved, int? configured, out int reserve)
    {
        reserve = reserved ?? (int)Math.Min(int.MaxValue, Math.Max(MinReserve, (fileLimit ?? 0) / 4));
        if (configured is not null)
        {
            return configured;
        }

        if (fileLimit is not { } limit)
        {
            return null;
        }

        long room = limit - (openNow ?? 0) - reserve;
        return (int)Math.Clamp(room, MinConnections, int.MaxValue);
    }

    /// <summary>Kestrel connection middleware: counts the connection for its whole life, or closes it at once when over the cap.</summary>
    public async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        if (Max is not { } max)
        {
            await next(connection);
            return;
        }

        int open = Interlocked.Increment(ref _open);
        try
        {
            if (open > max)
            {
                if (_refusals.ShouldWrite("refused", out int suppressed))
                {
                    Log.Refused(_logger, connection.RemoteEndPoint?.ToString() ?? "unknown", max, suppressed == 0 ? string.Empty : $" ({suppressed} similar line(s) suppressed)");
                }

                return;
            }

            await next(connection);
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "At most {Max} connections at once: the open-file limit is {FileLimit}, {OpenNow} descriptors were open at start and {Reserve} are kept for sessions and the database (Gateway:Limits:MaxConnections, Gateway:Limits:ReservedFileDescriptors)")]
        public static partial void Derived(ILogger logger, int max, long fileLimit, int openNow, int reserve);

        [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "At most {Max} connections at once (Gateway:Limits:MaxConnections; the open-file limit is {FileLimit})")]
        public static partial void Configured(ILogger logger, int max, string fileLimit);

        [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "Closed a connection from {Peer} at once: {Max} connections are open, the most allowed (Gateway:Limits:MaxConnections){Suppressed}")]
        public static partial void Refused(ILogger logger, string peer, int max, string suppressed);
    }
}
