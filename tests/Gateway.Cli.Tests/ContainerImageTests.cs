using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.Cli.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Gateway.Cli.Tests;

/// <summary>
/// Dockerfile.localproxy, checked without a Docker engine: what it copies is what the release
/// command (build/publish-localproxy.sh) writes, it runs as a non-root user, its entrypoint is
/// the binary, and the documented <c>docker run</c> lines keep the token off the command line.
/// </summary>
public sealed partial class ContainerImageTests(ITestOutputHelper testOutput)
{
    private static readonly string DockerfilePath = Path.Combine(Paths.RepositoryRoot, "Dockerfile.localproxy");

    private static List<string> Instructions => Dockerfiles.Instructions(File.ReadAllLines(DockerfilePath));

    [Fact]
    public async Task TheImageCopiesOnlyTheNativeAotBinaryThatTheReleaseCommandWrites()
    {
        var copy = Assert.Single(Instructions, i => i.StartsWith("COPY ", StringComparison.Ordinal) || i.StartsWith("ADD ", StringComparison.Ordinal));
        var parts = copy.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["COPY", "--chmod=0555", "${LOCALPROXY}", "/usr/local/bin/localproxy"], parts);
        string source = ArgDefault("LOCALPROXY");
        Assert.Equal("artifacts/localproxy/dist/linux-x64-aot/localproxy", source);

        // The release command's default --out is artifacts/localproxy: the test's own publish
        // (into a temporary --out) must have written the same relative file.
        var build = await ReleaseBuilds.NativeAotAsync("linux-x64");
        testOutput.WriteLine($"linux-x64 AOT: {build.Describe()}");
        string copied = Path.Combine(build.OutputDirectory, Path.GetRelativePath("artifacts/localproxy", source));
        Assert.True(File.Exists(copied), $"{copied} is missing after build/publish-localproxy.sh");
        Assert.Equal(Path.GetFullPath(build.Executable), Path.GetFullPath(copied));
        Assert.Equal(ElfMachineX64, ElfMachine(copied));

        // The image's ignore file lets exactly that file into the build context.
        var ignore = File.ReadAllLines(DockerfilePath + ".dockerignore").Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Equal("*", ignore[0]);
        Assert.Contains("!" + source, ignore);

        // The binary runs as the entrypoint would (no shell, no arguments beyond the user's).
        if (RuntimeInformation.OSArchitecture == Architecture.X64)
        {
            var (code, process) = await LocalProxyProcess.RunAsync(["-V"], executable: copied);
            await using var _ = process;
            Assert.True(code == 0, process.Output);
            Assert.StartsWith("localproxy ", process.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TheImageRunsAsANonRootUserAndItsEntrypointIsTheBinary()
    {
        var instructions = Instructions;
        Assert.Single(instructions, i => i.StartsWith("FROM ", StringComparison.Ordinal));
        var user = Assert.Single(instructions, i => i.StartsWith("USER ", StringComparison.Ordinal));
        var ids = NumericUser().Match(user);
        Assert.True(ids.Success, $"USER should name the user by number: {user}");
        Assert.NotEqual(0, int.Parse(ids.Groups["uid"].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(instructions.IndexOf(user) > instructions.FindIndex(i => i.StartsWith("COPY ", StringComparison.Ordinal)), "USER comes after the COPY, so nothing later runs as root");

        var entrypoint = Assert.Single(instructions, i => i.StartsWith("ENTRYPOINT ", StringComparison.Ordinal));
        var exec = JsonSerializer.Deserialize<string[]>(entrypoint["ENTRYPOINT ".Length..]);
        Assert.Equal(["/usr/local/bin/localproxy"], exec ?? []);
        Assert.DoesNotContain(instructions, i => i.StartsWith("CMD ", StringComparison.Ordinal) || i.StartsWith("RUN ", StringComparison.Ordinal));
    }

    [Fact]
    public void TheDocumentedDockerRunLinesTakeTheTokenFromTheEnvironment()
    {
        var documents = new[] { DockerfilePath, Path.Combine(Paths.RepositoryRoot, "docs", "cli.md") };
        var lines = documents.SelectMany(File.ReadAllLines).Where(l => l.Contains("docker run", StringComparison.Ordinal) && l.Contains("localproxy:", StringComparison.Ordinal)).ToList();
        Assert.Contains(lines, l => l.Contains(" -s ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(" -d ", StringComparison.Ordinal));
        foreach (var line in lines)
        {
            Assert.Contains("-e AWSIOT_TUNNEL_ACCESS_TOKEN", line, StringComparison.Ordinal);
            Assert.DoesNotMatch(TokenOnCommandLine(), line);
        }
    }

    private const int ElfMachineX64 = 0x3E;

    private static string ArgDefault(string name)
    {
        var arg = Assert.Single(Instructions, i => i.StartsWith($"ARG {name}=", StringComparison.Ordinal));
        return arg[$"ARG {name}=".Length..];
    }

    /// <summary>e_machine of an ELF file (after checking the magic number).</summary>
    private static int ElfMachine(string path)
    {
        Span<byte> header = stackalloc byte[20];
        using var file = File.OpenRead(path);
        file.ReadExactly(header);
        Assert.True(header[..4].SequenceEqual("\u007fELF"u8), $"{path} is not an ELF executable");
        return header[18] | (header[19] << 8);
    }

    [GeneratedRegex(@"^USER (?<uid>\d+)(:\d+)?$")]
    private static partial Regex NumericUser();

    // -t/--access-token with a value, or the variable given a literal value (-e NAME=...).
    [GeneratedRegex(@"(\s-t\s|--access-token|AWSIOT_TUNNEL_ACCESS_TOKEN=)")]
    private static partial Regex TokenOnCommandLine();
}
