using System.Collections.Concurrent;
using System.Threading.Channels;
using Gateway.Api.Agents;
using Microsoft.AspNetCore.SignalR;

namespace Gateway.Api.Hubs;

/// <summary>
/// Sends <c>agentChanged</c> (an <see cref="AgentStatus"/>) on <see cref="SessionsHub"/> when an agent
/// connects, disconnects or takes a notification. Agents only mark their name; one loop sends each
/// marked agent's current status at most every <see cref="FlushInterval"/>, so a flood of
/// notifications is a handful of messages and no agent ever waits for a client.
/// </summary>
internal sealed partial class AgentsHubBroadcaster(IHubContext<SessionsHub, ISessionsClient> hub, AgentNotices notices, AgentRuntime runtime, TimeProvider time, ILogger<AgentsHubBroadcaster> logger)
    : IHostedService, IAsyncDisposable
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(250);

    private readonly ConcurrentDictionary<string, byte> _marked = new(StringComparer.Ordinal);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;
    private int _disposed;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        notices.AgentChanged += OnChanged;
        _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        notices.AgentChanged -= OnChanged;
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public async ValueTask DisposeAsync()
    {
        // Registered twice (itself and as a hosted service): DI disposes it twice.
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
            _stopping.Dispose();
        }
    }

    private void OnChanged(string agent)
    {
        _marked[agent] = 0;
        _wake.Writer.TryWrite(true);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await _wake.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                _wake.Reader.TryRead(out _);
                foreach (var agent in _marked.Keys)
                {
                    _marked.TryRemove(agent, out _);
                    try
                    {
                        await hub.Clients.All.agentChanged(runtime.Status(agent), cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        Log.SendFailed(logger, agent, ex.Message);
                    }
                }

                await Task.Delay(FlushInterval, time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4030, Level = LogLevel.Warning, Message = "Could not send agent '{Agent}''s status to the dashboard: {Error}")]
        public static partial void SendFailed(ILogger logger, string agent, string error);
    }
}
