namespace Gateway.Bench;

/// <summary>What the figure-5 worker process is told by its parent (the tokens come on stdin).</summary>
internal sealed record ScaleWorkerArgs(int Count, int RelayPid, string Endpoint, string CaDirectory, int IdleSeconds)
{
    public static ScaleWorkerArgs Parse(int count, string[] rest)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < rest.Length; i += 2)
        {
            values[rest[i]] = rest[i + 1];
        }

        string Get(string name) => values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--scale-worker: {name} is required");
        return new ScaleWorkerArgs(count, BenchOptions.ParseInt("--relay-pid", Get("--relay-pid"), 1, int.MaxValue), Get("--endpoint"), Get("--ca"),
            BenchOptions.ParseInt("--idle-seconds", Get("--idle-seconds"), 1, 600));
    }
}
