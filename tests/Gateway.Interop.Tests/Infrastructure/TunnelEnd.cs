namespace Gateway.Interop.Tests.Infrastructure;

/// <summary>
/// One running tunnel end of any <see cref="EndKind"/>: a process (reference or our CLI) or an engine
/// session. A source knows the local port of each service. Disposing stops it.
/// </summary>
public sealed class TunnelEnd : IAsyncDisposable
{
    private readonly TestGateway _gateway;
    private readonly ITestOutputHelper _output;

    internal TunnelEnd(EndKind kind, TestGateway gateway, ITestOutputHelper output, LocalProxyProcess? process, string? sessionId, IReadOnlyDictionary<string, int> ports)
    {
        Kind = kind;
        _gateway = gateway;
        _output = output;
        Process = process;
        SessionId = sessionId;
        Ports = ports;
    }

    public EndKind Kind { get; }

    /// <summary>The process of a reference or CLI end; null for an engine session.</summary>
    public LocalProxyProcess? Process { get; }

    /// <summary>The session id of an engine end; null for a process.</summary>
    public string? SessionId { get; }

    /// <summary>Source: service id -> local port it listens on. Empty for a destination.</summary>
    public IReadOnlyDictionary<string, int> Ports { get; }

    /// <summary>The port of the only (or the named) service.</summary>
    public int Port(string? serviceId = null) => serviceId is null ? Ports.Values.Single() : Ports[serviceId];

    /// <summary>The process's output so far, or the session's state, for assertion messages.</summary>
    public override string ToString() => Process?.Output ?? $"engine session {SessionId}";

    public async ValueTask DisposeAsync()
    {
        if (Process is not null)
        {
            await Process.DisposeAsync();
        }

        if (SessionId is not null)
        {
            // The engine's lines go to the test output beside the processes' (which are echoed as they come).
            foreach (var line in await _gateway.SessionLogAsync(SessionId))
            {
                _output.WriteLine($"[engine {SessionId}] {line}");
            }

            await _gateway.StopSessionAsync(SessionId);
        }
    }
}
