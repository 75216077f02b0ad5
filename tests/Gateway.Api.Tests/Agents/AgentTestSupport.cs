using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Gateway.Api.Agents;
using Gateway.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Api.Tests.Agents;

internal static class AgentTestSupport
{
    /// <summary>Agent settings for tests: fast reconnects, a short coalescing window.</summary>
    public static readonly Dictionary<string, string?> FastAgents = new()
    {
        ["Agents:ReconnectDelay"] = "00:00:00.100",
        ["Agents:MaxReconnectDelay"] = "00:00:00.500",
        ["Agents:CoalesceWindow"] = "00:00:00.050",
    };

    public static async Task PutAgentAsync(this TestGateway gateway, string name, object body)
    {
        using var client = gateway.CreateClient();
        using var response = await client.PutAsJsonAsync($"/api/agents/{name}", body);
        Assert.True(response.IsSuccessStatusCode, $"PUT /api/agents/{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Waits (bounded) until the agent's status satisfies <paramref name="condition"/>, woken by its change notices.</summary>
    public static async Task<AgentStatus> WaitForAgentAsync(this TestGateway gateway, string name, Func<AgentStatus, bool> condition, string what)
    {
        var runtime = gateway.Services.GetRequiredService<AgentRuntime>();
        var notices = gateway.Services.GetRequiredService<AgentNotices>();
        var reached = new TaskCompletionSource<AgentStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check(string changed)
        {
            if (changed == name && runtime.Status(name) is var status && condition(status))
            {
                reached.TrySetResult(status);
            }
        }

        notices.AgentChanged += Check;
        try
        {
            Check(name);
            try
            {
                return await reached.Task.WaitAsync(TestGateway.Timeout);
            }
            catch (TimeoutException)
            {
                Assert.Fail($"Agent '{name}' did not become {what} within {TestGateway.Timeout}: {runtime.Status(name)}");
                throw;
            }
        }
        finally
        {
            notices.AgentChanged -= Check;
        }
    }

    /// <summary>Sends bytes through a TCP connection to <paramref name="port"/> and checks the echo byte for byte.</summary>
    public static async Task AssertEchoAsync(TcpClient client, int size)
    {
        var data = new byte[size];
        Random.Shared.NextBytes(data);
        var stream = client.GetStream();
        using var cts = new CancellationTokenSource(TestGateway.Timeout);
        await stream.WriteAsync(data, cts.Token);
        var back = new byte[size];
        await stream.ReadExactlyAsync(back, cts.Token);
        Assert.Equal(data, back);
    }

    public static IPAddress Loopback => IPAddress.Loopback;
}
