using System.Collections.Concurrent;
using System.Diagnostics;

namespace Gateway.Cli.Tests.Infrastructure;

/// <summary>
/// Release builds of <c>localproxy</c> made by the documented command,
/// <c>build/publish-localproxy.sh</c>, once per test run and platform, each into its own temporary
/// directory (deleted when the test process exits). Publishes run one at a time (the machine is small).
/// When <c>GATEWAY_TEST_RELEASE_DIR</c> names an <c>--out</c> directory of that script (.ci/run runs
/// it once before the tests) a build found there is used instead of publishing again.
/// </summary>
internal static class ReleaseBuilds
{
    private static readonly TimeSpan PublishBound = TimeSpan.FromMinutes(8);
    private static readonly SemaphoreSlim OneAtATime = new(1, 1);
    private static readonly ConcurrentDictionary<string, Lazy<Task<ReleaseBuild>>> Builds = new(StringComparer.Ordinal);
    private static readonly ConcurrentBag<string> Directories = [];

    static ReleaseBuilds() => AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteAll();

    public static string Script => Path.Combine(Paths.RepositoryRoot, "build", "publish-localproxy.sh");

    /// <summary>The self-contained single-file build for <paramref name="rid"/> (<c>--rid RID --aot none</c>).</summary>
    public static Task<ReleaseBuild> SingleFileAsync(string rid) => GetAsync(rid, aot: false);

    /// <summary>The Native AOT build for <paramref name="rid"/> (<c>--rid none --aot RID</c>).</summary>
    public static Task<ReleaseBuild> NativeAotAsync(string rid) => GetAsync(rid, aot: true);

    private static Task<ReleaseBuild> GetAsync(string rid, bool aot) =>
        Builds.GetOrAdd((aot ? "aot:" : "single:") + rid, _ => new Lazy<Task<ReleaseBuild>>(() => PublishAsync(rid, aot))).Value;

    private static async Task<ReleaseBuild> PublishAsync(string rid, bool aot)
    {
        string name = aot ? rid + "-aot" : rid;
        if (Environment.GetEnvironmentVariable("GATEWAY_TEST_RELEASE_DIR") is { Length: > 0 } prebuilt
            && File.Exists(Path.Combine(prebuilt, "dist", name, "localproxy")))
        {
            string directory = Path.GetFullPath(prebuilt);
            return new ReleaseBuild(rid, aot, directory, Path.Combine(directory, "dist", name, "localproxy"), TimeSpan.Zero, "(built before the tests: GATEWAY_TEST_RELEASE_DIR)");
        }

        await OneAtATime.WaitAsync(PublishBound);
        try
        {
            var output = Directory.CreateTempSubdirectory($"localproxy-release-{rid}-").FullName;
            Directories.Add(output);
            var watch = Stopwatch.StartNew();
            var (code, log) = await ToolProcess.RunAsync(
                "bash",
                [Script, "--rid", aot ? "none" : rid, "--aot", aot ? rid : "none", "--out", output],
                PublishBound);
            watch.Stop();
            if (code != 0)
            {
                throw new InvalidOperationException($"build/publish-localproxy.sh for {rid}{(aot ? " (AOT)" : string.Empty)} exited {code}:\n{log}");
            }

            return new ReleaseBuild(rid, aot, output, Path.Combine(output, "dist", name, "localproxy"), watch.Elapsed, log);
        }
        finally
        {
            OneAtATime.Release();
        }
    }

    private static void DeleteAll()
    {
        foreach (var directory in Directories)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }
    }
}

/// <param name="OutputDirectory">The script's <c>--out</c> directory (dist/ and publish/ under it).</param>
/// <param name="Executable">The release binary, <c>dist/RID[-aot]/localproxy</c>.</param>
/// <param name="Took">How long the publish took (reported by the tests that use it).</param>
internal sealed record ReleaseBuild(string Rid, bool Aot, string OutputDirectory, string Executable, TimeSpan Took, string Log)
{
    public string DistDirectory => Path.Combine(OutputDirectory, "dist");

    /// <summary>For the test output: how long the publish took (the class fixture's cost), and the size.</summary>
    public string Describe() =>
        (Took == TimeSpan.Zero ? "built before the tests (GATEWAY_TEST_RELEASE_DIR)" : $"build/publish-localproxy.sh took {Took.TotalSeconds:F1} s (once per test run)")
        + $", {new FileInfo(Executable).Length} bytes";
}
