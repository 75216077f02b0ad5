using System.Runtime.InteropServices;
using Gateway.Cli;

// localproxy: SIGTERM and SIGINT (Ctrl+C) stop the tunnel cleanly (exit 0, within ProxyRunner.StopBound);
// a second signal while stopping exits at once.
using var stop = new CancellationTokenSource();
int signals = 0;

void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    if (Interlocked.Increment(ref signals) == 1)
    {
        stop.Cancel();
        return;
    }

    Console.Error.WriteLine($"{LocalProxyApp.CommandName}: second {context.Signal}: exiting without finishing the stop");
    Environment.Exit(ExitCodes.Forced);
}

using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
try
{
    return await LocalProxyApp.RunAsync(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable, stop.Token);
}
catch (Exception ex)
{
    await Console.Error.WriteLineAsync($"{LocalProxyApp.CommandName}: internal error (please report it): {ex}");
    return ExitCodes.InternalError;
}
