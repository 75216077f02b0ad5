namespace Gateway.Cli.Tests;

/// <summary>
/// Scripts written for the reference proxy check its command line: the same argv is given to the
/// reference v3.3.1 binary and to ours (both real processes, clean environment, empty working
/// directory), and both must exit with the same code and print the reference's phrase.
/// </summary>
public sealed class ReferenceUsageTests
{
    private const string Hint = "Try 'localproxy --help'";

    /// <summary>argv, then the reference's phrase for it. None of them gets as far as connecting.</summary>
    public static TheoryData<string[], string> UsageErrors => new()
    {
        { [], "the option '--access-token' is required but missing" },
        { ["-Z"], "unrecognised option '-Z'" },
        { ["-t", "token", "-v"], "the required argument for option '--verbose' is missing" },
        { ["-t", "token", "-r", "us-east-1", "-e", "127.0.0.1:9", "-s", "5555"], "Must specify one and only one of --region/-r or --proxy-endpoint/-e options" },
        { ["-t", "token", "-s", "5555"], "Must specify one and only one of --region/-r or --proxy-endpoint/-e options" },
        { ["-t", "token", "-r", "us-east-1"], "Must specify one of --source-listen-port/-s or --destination-app/-d or --mode" },
        { ["-t", "token", "-r", "us-east-1", "-s", "5555", "-d", "22"], "Must specify one and only one of --source-listen-port/-s or --destination-app/-d" },
        { ["-t", "token", "-r", "us-east-1", "-m", "sideways"], "Mode value is wrong! Allowed values are: src, dst, source, destination" },
        { ["-t", "token", "-r", "us-east-1", "-s", "5555", "-m", "dst"], "-s and --mode have mismatched mode. Mode is set to destination!" },
    };

    public static TheoryData<string[], string?> Informational => new()
    {
        { ["--help"], "Show help message" },
        { ["-h"], "Show help message" },
        { ["--version"], null },
        { ["-V"], null },
    };

    [Theory]
    [MemberData(nameof(UsageErrors))]
    public async Task UsageErrorExitsOneWithTheReferencesPhraseFromBothBinaries(string[] args, string phrase)
    {
        var (referenceCode, reference) = await LocalProxyProcess.RunAsync(args, executable: ReferenceProxy.Executable);
        await using var referenceProcess = reference;
        var (oursCode, ours) = await LocalProxyProcess.RunAsync(args);
        await using var oursProcess = ours;

        foreach (var (name, code, process) in new[] { ("reference", referenceCode, reference), ("ours", oursCode, ours) })
        {
            Assert.True(code == 1, $"{name}: exit code {code}, expected 1. Output:\n{process.Output}");
            Assert.Contains(phrase, process.Output, StringComparison.Ordinal);
            Assert.StartsWith(Hint, process.Stderr.TrimEnd().Split('\n')[^1], StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Informational))]
    public async Task HelpAndVersionExitZeroFromBothBinaries(string[] args, string? phrase)
    {
        var (referenceCode, reference) = await LocalProxyProcess.RunAsync(args, executable: ReferenceProxy.Executable);
        await using var referenceProcess = reference;
        var (oursCode, ours) = await LocalProxyProcess.RunAsync(args);
        await using var oursProcess = ours;

        Assert.True(referenceCode == 0, $"reference: exit code {referenceCode}. Output:\n{reference.Output}");
        Assert.True(oursCode == 0, $"ours: exit code {oursCode}. Output:\n{ours.Output}");
        Assert.NotEqual(string.Empty, ours.Stdout.Trim());
        if (phrase is not null)
        {
            Assert.Contains(phrase, reference.Output, StringComparison.Ordinal);
            Assert.Contains(phrase, ours.Output, StringComparison.Ordinal);
        }
    }
}
