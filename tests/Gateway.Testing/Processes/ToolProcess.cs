using System.Diagnostics;
using System.Text;

namespace Gateway.Testing.Processes;

/// <summary>
/// Runs a build tool (the dotnet CLI, bash with a build script) to completion, bounded (killed with
/// its children on timeout), and returns its exit code and interleaved output. MSBuild and VSTest
/// variables the test host may have inherited are removed so a publish is an ordinary command-line one.
/// </summary>
public static class ToolProcess
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> args, TimeSpan bound)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = Paths.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(name);
        }

        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";

        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        var watch = Stopwatch.StartNew();
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(bound);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(Bounds.Step);
            throw new TimeoutException($"{fileName} {string.Join(' ', info.ArgumentList)} did not finish within {bound}:\n{Text(output)}");
        }

        Append(output, $"({Path.GetFileName(fileName)} finished in {watch.Elapsed.TotalSeconds:F1} s)");
        return (process.ExitCode, Text(output));
    }

    /// <summary>The dotnet host running the tests (DOTNET_HOST_PATH when the SDK set it), else dotnet on PATH.</summary>
    public static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
