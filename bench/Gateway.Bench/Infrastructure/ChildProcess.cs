using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Gateway.Bench.Infrastructure;

/// <summary>
/// A process this driver starts (the gateway as relay, localproxy, a figure-5 worker): output
/// collected line by line, waits bounded, stopped with SIGTERM and killed if it does not exit.
/// </summary>
internal sealed partial class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly SemaphoreSlim _lineSignal = new(0);

    private readonly string _name;

    /// <param name="program">A .NET assembly (<c>*.dll</c>, run with <c>dotnet</c>) or a native executable (the reference proxy).</param>
    public ChildProcess(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string? workingDirectory = null)
    {
        bool dll = program.EndsWith(".dll", StringComparison.Ordinal);
        _name = Path.GetFileName(program);
        var start = new ProcessStartInfo(dll ? "dotnet" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        if (dll)
        {
            start.ArgumentList.Add(program);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public IEnumerable<string> Lines => _lines;

    /// <summary>Waits for a line matching <paramref name="pattern"/>; returns the match.</summary>
    public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var seen = 0;
        bool drained = false;
        while (true)
        {
            foreach (var line in _lines.Skip(seen))
            {
                seen++;
                var match = pattern.Match(line);
                if (match.Success)
                {
                    return match;
                }
            }

            var left = deadline - DateTime.UtcNow;
            if (_process.HasExited && !drained)
            {
                // The exit can be seen before its last lines are read; this wait also waits for
                // the end of the output, then the lines are scanned once more.
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
                drained = true;
                continue;
            }

            if (left <= TimeSpan.Zero || _process.HasExited)
            {
                throw new BenchFailureException($"{_name} did not print /{pattern}/ ({(_process.HasExited ? $"exited {_process.ExitCode}" : "timed out")}); last lines: {string.Join(" | ", _lines.TakeLast(5))}");
            }

            await _lineSignal.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    public Task WriteLineAsync(string line) => _process.StandardInput.WriteLineAsync(line);

    public void CloseInput() => _process.StandardInput.Close();

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    /// <summary>SIGTERM, then up to 15 s for a clean exit, then SIGKILL.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, 15);
            try
            {
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
            }
            catch (TimeoutException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        _lineSignal.Release();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
