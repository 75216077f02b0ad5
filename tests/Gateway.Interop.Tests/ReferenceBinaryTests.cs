namespace Gateway.Interop.Tests;

/// <summary>The tests find the reference where the issue says, and fail (never skip) without it.</summary>
public sealed class ReferenceBinaryTests
{
    [Fact]
    public void TheReferenceIsFoundBesideTheRepository()
    {
        Assert.Equal(Path.GetFullPath(Path.Combine(Paths.RepositoryRoot, "../shared/reference/localproxy/localproxy")), ReferenceProxy.ExpectedPath);
        Assert.Equal(ReferenceProxy.ExpectedPath, ReferenceProxy.Executable);
    }

    [Fact]
    public void AMissingBinaryFailsWithAMessageNamingItsPath()
    {
        string missing = Path.Combine(Directory.CreateTempSubdirectory("no-reference-").FullName, "localproxy");

        var error = Assert.Throws<FileNotFoundException>(() => ReferenceProxy.Require(missing));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheReferenceIsVersion331()
    {
        var (code, process) = await LocalProxyProcess.RunAsync(["-V"], executable: ReferenceProxy.Executable);
        await using var owned = process;

        Assert.Equal(0, code);
        Assert.Contains("v3.3.1", process.Output, StringComparison.Ordinal);
    }
}
