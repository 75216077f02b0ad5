using BenchmarkDotNet.Running;

namespace Gateway.MicroBench;

/// <summary>
/// Micro-benchmarks of the hot paths, one frame or message per operation, so "Allocated" reads as
/// bytes per frame. Run from the repository root:
/// <code>
/// dotnet run -c Release --project bench/Gateway.MicroBench -- --filter '*'
/// dotnet run -c Release --project bench/Gateway.MicroBench -- --filter '*' --job short
/// </code>
/// Results land in ./BenchmarkDotNet.Artifacts (git-ignored).
/// </summary>
public static class Program
{
    public static void Main(string[] args) =>
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
