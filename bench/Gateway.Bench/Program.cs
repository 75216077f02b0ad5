using Gateway.Bench;
using Gateway.Bench.Scenarios;

// The load driver of docs/performance.md. Exit codes: 0 all figures measured, 1 a scenario failed
// (bytes lost, a process crashed, a bound exceeded its time), 2 usage error.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"Gateway.Bench: {ex.Message}");
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

if (options.ScaleWorker is { } worker)
{
    return await ScaleWorker.RunAsync(worker);
}

return await BenchRun.RunAsync(options, "dotnet run -c Release --project bench/Gateway.Bench" + (args.Length > 0 ? " -- " + string.Join(' ', args) : string.Empty));
