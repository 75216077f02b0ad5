using System.Diagnostics;
using System.Net;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Gateway.Api.Hubs;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Sessions;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Api.Tests.Hubs;

/// <summary>
/// A .NET SignalR client of <c>/hubs/sessions</c> over HTTPS (trusting exactly the gateway's certificate)
/// that records every pushed message in channels, so tests wait for them (bounded) instead of sleeping.
/// </summary>
internal sealed class HubClient : IAsyncDisposable
{
    private HubClient(HubConnection connection)
    {
        Connection = connection;
        connection.On<SessionSnapshot>(nameof(ISessionsClient.sessionChanged), s => Changed.Writer.TryWrite(s));
        connection.On<string>(nameof(ISessionsClient.sessionRemoved), id => Removed.Writer.TryWrite(id));
        connection.On<SessionCounters[]>(nameof(ISessionsClient.sessionCounters), batch => Counters.Writer.TryWrite(new CountersBatch(Stopwatch.GetTimestamp(), batch)));
        connection.On<SessionSnapshot>(nameof(ISessionsClient.sessionDetail), s => Details.Writer.TryWrite(s));
        connection.On<string, SessionLogLine>(nameof(ISessionsClient.sessionLog), (id, line) => Logs.Writer.TryWrite((id, line)));
    }

    public HubConnection Connection { get; }

    public Channel<SessionSnapshot> Changed { get; } = Channel.CreateUnbounded<SessionSnapshot>();

    public Channel<string> Removed { get; } = Channel.CreateUnbounded<string>();

    public Channel<CountersBatch> Counters { get; } = Channel.CreateUnbounded<CountersBatch>();

    public Channel<SessionSnapshot> Details { get; } = Channel.CreateUnbounded<SessionSnapshot>();

    public Channel<(string Id, SessionLogLine Line)> Logs { get; } = Channel.CreateUnbounded<(string Id, SessionLogLine Line)>();

    /// <summary>A connection (not started) with <paramref name="apiKey"/> (none if null) or the cookies of a login.</summary>
    public static HubConnection Build(TestGateway gateway, string? apiKey = TestGateway.AdminApiKey, CookieContainer? cookies = null) =>
        new HubConnectionBuilder()
            .WithUrl(new Uri(gateway.HttpsBase, "hubs/sessions"), options =>
            {
                // As browsers: negotiate (a POST), then WebSockets.
                options.Transports = HttpTransportType.WebSockets;
                if (apiKey is not null)
                {
                    options.Headers["X-Api-Key"] = apiKey;
                }

                if (cookies is not null)
                {
                    options.Cookies = cookies;
                }

                options.HttpMessageHandlerFactory = handler =>
                {
                    if (handler is HttpClientHandler http)
                    {
                        http.ServerCertificateCustomValidationCallback = (request, certificate, chain, errors) => gateway.ValidateCertificate(request, certificate, chain, errors);
                    }

                    return handler;
                };
                options.WebSocketConfiguration = socket => socket.RemoteCertificateValidationCallback = gateway.ValidateCertificate;
            })
            .AddJsonProtocol(json => json.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
            .WithAutomaticReconnect()
            .Build();

    public static async Task<HubClient> ConnectAsync(TestGateway gateway, string? apiKey = TestGateway.AdminApiKey, CookieContainer? cookies = null)
    {
        var client = new HubClient(Build(gateway, apiKey, cookies));
        try
        {
            await client.Connection.StartAsync().WaitAsync(TestGateway.Timeout);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>The next item that satisfies <paramref name="match"/> (others are consumed); fails after the test timeout.</summary>
    public static async Task<T> NextAsync<T>(ChannelReader<T> reader, Func<T, bool> match, string what)
    {
        using var cts = new CancellationTokenSource(TestGateway.Timeout);
        try
        {
            while (true)
            {
                var item = await reader.ReadAsync(cts.Token);
                if (match(item))
                {
                    return item;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no {what} within {TestGateway.Timeout.TotalSeconds:0} s");
        }
    }

    /// <summary>Everything received so far, without waiting.</summary>
    public static List<T> Drain<T>(ChannelReader<T> reader)
    {
        var items = new List<T>();
        while (reader.TryRead(out var item))
        {
            items.Add(item);
        }

        return items;
    }

    public Task<T> InvokeAsync<T>(string method, params object?[] arguments) =>
        Connection.InvokeCoreAsync<T>(method, arguments).WaitAsync(TestGateway.Timeout);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Connection.StopAsync().WaitAsync(TestGateway.Timeout);
        }
        finally
        {
            await Connection.DisposeAsync();
        }
    }
}
