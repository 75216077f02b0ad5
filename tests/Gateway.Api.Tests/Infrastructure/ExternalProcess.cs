using System.Diagnostics;

namespace Gateway.Api.Tests.Infrastructure;

/// <summary>Runs a program to its end within a bound (killed with its children when over), capturing both streams.</summary>
internal static class ExternalProcess
{
    public static async Task<(int Code, string Output, string Error)> RunAsync(ProcessStartInfo info, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(info);
        info.UseShellExecute = false;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{info.FileName} {string.Join(' ', info.ArgumentList)} did not finish in {timeout}.");
        }

        return (process.ExitCode, await output.WaitAsync(timeout), await error.WaitAsync(timeout));
    }
}
