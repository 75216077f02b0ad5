using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Api.Tests.Infrastructure;

/// <summary>
/// The reference C++ local proxy (../shared/reference/localproxy/localproxy) as a process against the
/// test gateway's relay, trusting its CA directory. The token goes in the environment, as users are told.
/// </summary>
internal sealed class ReferenceProxy : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ReferenceProxy(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static string BinaryPath
    {
        get
        {
            var root = AppContext.BaseDirectory;
            while (root is not null && !File.Exists(Path.Combine(root, "TunnelGateway.sln")))
            {
                root = Path.GetDirectoryName(root);
            }

            var path = Path.GetFullPath(Path.Combine(root ?? ".", "..", "shared", "reference", "localproxy", "localproxy"));
            Assert.True(File.Exists(path), $"The reference local proxy is missing at {path} (../shared/reference/localproxy/localproxy beside the repository).");
            return path;
        }
    }

    /// <summary>What it printed so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <param name="mode">"-s" (source, mapping SERVICE=port) or "-d" (destination, mapping SERVICE=host:port).</param>
    public static ReferenceProxy Start(TestGateway gateway, string accessToken, string mode, string mapping)
    {
        var info = new ProcessStartInfo(BinaryPath) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-e", $"127.0.0.1:{gateway.HttpsBase.Port}", "-c", Path.Combine(gateway.DataDirectory, "tls", "ca"), mode, mapping })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["AWSIOT_TUNNEL_ACCESS_TOKEN"] = accessToken;
        return new ReferenceProxy(Process.Start(info)!);
    }

    /// <summary>Connects to a source's listening port once it listens (bounded).</summary>
    public async Task<TcpClient> ConnectToSourceAsync(int port)
    {
        var deadline = DateTime.UtcNow + TestGateway.Timeout;
        while (true)
        {
            try
            {
                return await LocalClient.ConnectAsync(port, IPAddress.Loopback);
            }
            catch (SocketException ex) when (_process.HasExited || DateTime.UtcNow >= deadline)
            {
                throw new InvalidOperationException($"The reference source does not listen on {port} ({(_process.HasExited ? $"it exited with {_process.ExitCode}" : "timed out")}). Its output:\n{Output}", ex);
            }
            catch (SocketException)
            {
                // Polls for the listener with a deadline: the process says nothing machine-readable when it listens.
                await Task.Delay(50);
            }
        }
    }

    /// <summary>Waits (bounded) for the process to end on its own and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The reference proxy did not exit within {timeout}. Its output:\n{Output}");
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TestGateway.Timeout);
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
