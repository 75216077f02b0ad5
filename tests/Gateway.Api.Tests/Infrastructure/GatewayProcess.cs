using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Gateway.Api.Tests.Infrastructure;

/// <summary>
/// The real gateway as a child process (<c>dotnet Gateway.Api.dll</c> from the test's output directory), for what
/// only a process shows: its exit code, what it prints, and behaviour under process limits (optionally started
/// under <c>prlimit</c>). HTTPS on 127.0.0.1 port 0, HTTP off; its own data directory and working directory.
/// Disposing kills the process if it still runs.
/// </summary>
internal sealed partial class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private GatewayProcess(Process process, string dataDirectory)
    {
        _process = process;
        DataDirectory = dataDirectory;
    }

    public string DataDirectory { get; }

    public string Stdout => string.Join("\n", _stdout);

    public string Stderr => string.Join("\n", _stderr);

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    /// <param name="environment">Configuration as environment variables (<c>Gateway__Tls__CertificatePath</c>, ...).</param>
    /// <param name="openFileLimit">When set, the process runs under <c>prlimit --nofile=N:N</c>.</param>
    public static GatewayProcess Start(IReadOnlyDictionary<string, string>? environment = null, int? openFileLimit = null, string? dataDirectory = null)
    {
        dataDirectory ??= TestGateway.NewDataDirectory();
        string dll = Path.Combine(AppContext.BaseDirectory, "Gateway.Api.dll");
        var start = new ProcessStartInfo(openFileLimit is null ? "dotnet" : "prlimit")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataDirectory,
        };
        if (openFileLimit is { } limit)
        {
            start.ArgumentList.Add($"--nofile={limit}:{limit}");
            start.ArgumentList.Add("dotnet");
        }

        foreach (var argument in new[] { dll, "--urls", "https://127.0.0.1:0" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["Gateway__DataDirectory"] = dataDirectory;
        start.Environment["Auth__AdminPassword"] = TestGateway.AdminPassword;
        start.Environment["DOTNET_gcServer"] = "0";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        var gateway = new GatewayProcess(process, dataDirectory);
        process.OutputDataReceived += (_, e) => gateway.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                gateway._stderr.Enqueue(e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return gateway;
    }

    /// <summary>
    /// The HTTPS address the gateway listens on, once it says so (bounded by <see cref="Gateway.Testing.Bounds.Long"/>:
    /// a whole process start, JIT included, takes several seconds on a loaded 2-core machine).
    /// </summary>
    public async Task<Uri> WaitListeningAsync()
    {
        var exited = _process.WaitForExitAsync();
        Task first;
        try
        {
            first = await Task.WhenAny(_listening.Task, exited).WaitAsync(Gateway.Testing.Bounds.Long);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"the gateway did not listen within {Gateway.Testing.Bounds.Long.TotalSeconds:0} s.\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
            throw;
        }

        if (first != _listening.Task)
        {
            Assert.Fail($"the gateway exited ({_process.ExitCode}) before listening.\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        }

        return await _listening.Task;
    }

    /// <summary>Waits (bounded) for the process to end and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(TestGateway.Timeout);
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
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        _stdout.Enqueue(line);
        var match = ListeningLine().Match(line);
        if (match.Success)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"Now listening on: (https://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}
