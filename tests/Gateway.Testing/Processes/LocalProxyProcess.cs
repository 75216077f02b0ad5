using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Gateway.Testing.Processes;

/// <summary>
/// A <c>localproxy</c> executable (ours, built, by default; or the reference's, see
/// <see cref="ReferenceProxy"/>) run as a real process, with a clean environment (no AWSIOT_TUNNEL_*
/// or proxy variables unless a test sets them), its own working directory, and its stdout/stderr
/// collected line by line so a test can wait for a line (and, with <c>log</c>, echoed to the test
/// output as they come). Disposing kills it and waits (bounded) for its exit.
/// </summary>
public sealed partial class LocalProxyProcess : IAsyncDisposable
{
    private static readonly string[] InheritedToRemove =
    [
        "AWSIOT_TUNNEL_ACCESS_TOKEN", "AWSIOT_TUNNEL_CLIENT_TOKEN", "AWSIOT_TUNNEL_ENDPOINT", "AWSIOT_TUNNEL_REGION",
        "https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY",
    ];

    private readonly Process _process;
    private readonly Lock _gate = new();
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly List<string> _all = [];
    private readonly Action<string>? _log;
    private readonly string _name;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private LocalProxyProcess(Process process, string workingDirectory, Action<string>? log)
    {
        _process = process;
        WorkingDirectory = workingDirectory;
        _log = log;
        _name = process.StartInfo.FileName == DefaultExecutable ? "localproxy" : process.StartInfo.FileName;
    }

    /// <summary>
    /// The apphost in the CLI project's build output (same configuration as the tests), or the
    /// executable named by <c>GATEWAY_TEST_LOCALPROXY</c> (e.g. a Native AOT build of
    /// build/publish-localproxy.sh), so the CLI suite can be run against a release build.
    /// </summary>
    public static string DefaultExecutable =>
        Environment.GetEnvironmentVariable("GATEWAY_TEST_LOCALPROXY") is { Length: > 0 } release
            ? Path.GetFullPath(release)
            : Path.Combine(Paths.Metadata("LocalProxyDirectory"), "localproxy");

    public string WorkingDirectory { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Stdout
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _stdout);
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _stderr);
            }
        }
    }

    /// <summary>stdout and stderr interleaved in arrival order.</summary>
    public string Output
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _all);
            }
        }
    }

    /// <param name="environment">Variables to set (null value: unset) on top of the cleaned inherited environment.</param>
    /// <param name="workingDirectory">Default: a new empty temporary directory (so no ./config is found by accident).</param>
    /// <param name="log">Receives every line of output as it arrives (e.g. the test output), prefixed with the process id.</param>
    public static LocalProxyProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null, string? executable = null, Action<string>? log = null)
    {
        workingDirectory ??= Directory.CreateTempSubdirectory("localproxy-cwd-").FullName;
        var info = new ProcessStartInfo(executable ?? DefaultExecutable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var name in InheritedToRemove)
        {
            info.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var proxy = new LocalProxyProcess(process, workingDirectory, log);
        process.OutputDataReceived += (_, e) => proxy.Add(e.Data, proxy._stdout);
        process.ErrorDataReceived += (_, e) => proxy.Add(e.Data, proxy._stderr);
        process.Exited += (_, _) => proxy.Pulse();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return proxy;
    }

    /// <summary>Runs to completion; fails the test if it does not exit within <paramref name="timeout"/>.</summary>
    public static async Task<(int ExitCode, LocalProxyProcess Process)> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null, TimeSpan? timeout = null, string? executable = null, Action<string>? log = null)
    {
        var process = Start(args, environment, workingDirectory, executable, log);
        int code = await process.WaitForExitAsync(timeout ?? Bounds.Step);
        return (code, process);
    }

    /// <summary>
    /// Starts a source on a free port (<paramref name="argsForPort"/> builds the arguments) and waits
    /// until it listens; retries with another port when one was taken meanwhile (exit code 5).
    /// </summary>
    public static async Task<(LocalProxyProcess Process, int Port)> StartSourceAsync(Func<int, IEnumerable<string>> argsForPort, IReadOnlyDictionary<string, string?>? environment = null, Action<string>? log = null, string? executable = null, TimeSpan? readyTimeout = null)
    {
        for (int attempt = 0; ; attempt++)
        {
            int port = Tcp.FreePort();
            var process = Start(argsForPort(port), environment, executable: executable, log: log);
            try
            {
                await process.WaitReadyAsync(readyTimeout);
                return (process, port);
            }
            catch (InvalidOperationException) when (attempt < 4 && process.HasExited && process._process.ExitCode == 5)
            {
                await process.DisposeAsync();
            }
            catch
            {
                await process.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Waits for a line (stdout or stderr) matching <paramref name="pattern"/>; returns its match.</summary>
    /// <param name="occurrence">Which matching line to wait for: 1 the first, 2 the second...</param>
    public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan? timeout = null, int occurrence = 1)
    {
        using var cts = new CancellationTokenSource(timeout ?? Bounds.Step);
        int seen = 0;
        int matched = 0;
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                for (; seen < _all.Count; seen++)
                {
                    var match = pattern.Match(_all[seen]);
                    if (match.Success && ++matched == occurrence)
                    {
                        return match;
                    }
                }

                changed = _changed.Task;
            }

            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(Bounds.Step);
                lock (_gate)
                {
                    if (seen < _all.Count)
                    {
                        continue;
                    }
                }

                throw new InvalidOperationException($"{_name} exited ({_process.ExitCode}) before printing a line matching /{pattern}/. Output:\n{Output}");
            }

            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no line matching /{pattern}/ within the bound. Output:\n{Output}");
            }
        }
    }

    /// <summary>
    /// Waits for the engine's "service ids from the tunnel" line and returns service id -> local port
    /// (source) or endpoint text (destination). An unnamed service is keyed "(unnamed)".
    /// </summary>
    public async Task<Dictionary<string, string>> WaitReadyAsync(TimeSpan? timeout = null)
    {
        var match = await WaitForLineAsync(ReadyLine(), timeout);
        var services = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match entry in ServiceEntry().Matches(match.Groups["detail"].Value))
        {
            services[entry.Groups["id"].Value] = entry.Groups["target"].Value;
        }

        return services;
    }

    /// <summary>The local port a source listens on for <paramref name="serviceId"/>, from a ready line.</summary>
    public static int PortOf(Dictionary<string, string> ready, string serviceId = "(unnamed)")
    {
        string target = ready[serviceId];
        return int.Parse(target[(target.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Waits for exit; on timeout kills the process and fails with its output.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        try
        {
            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(timeout ?? Bounds.Step);
        }
        catch (TimeoutException)
        {
            Kill();
            throw new TimeoutException($"{_name} did not exit within the bound. Output:\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>Sends a POSIX signal (SIGTERM = 15, SIGINT = 2).</summary>
    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(Bounds.Step);
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    public override string ToString() => Output;

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    private void Add(string? line, List<string> stream)
    {
        if (line is null)
        {
            Pulse();
            return;
        }

        lock (_gate)
        {
            stream.Add(line);
            _all.Add(line);
        }

        Echo(line);
        Pulse();
    }

    private void Echo(string line)
    {
        try
        {
            _log?.Invoke($"[{_process.Id}] {line}");
        }
        catch (InvalidOperationException)
        {
            // xunit's output helper refuses lines once its test has finished; the line is still kept here.
        }
    }

    private void Pulse()
    {
        TaskCompletionSource previous;
        lock (_gate)
        {
            previous = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [GeneratedRegex(@"service ids from the tunnel: .*; (listening|forwarding): (?<detail>.*?)(; dropped .*)?$")]
    private static partial Regex ReadyLine();

    [GeneratedRegex(@"(?<id>[^,\s][^,]*?) -> (?<target>[^,]+)")]
    private static partial Regex ServiceEntry();
}
