namespace Gateway.Testing.Processes;

/// <summary>
/// The reference C++ local proxy (v3.3.1) the interop tests and the benchmark run as the peer no one
/// here wrote: <c>../shared/reference/localproxy/localproxy</c> from the repository's root.
/// </summary>
public static class ReferenceProxy
{
    /// <summary>Where the binary is expected (it need not exist).</summary>
    public static string ExpectedPath { get; } =
        Path.GetFullPath(Path.Combine(Paths.RepositoryRoot, "..", "shared", "reference", "localproxy", "localproxy"));

    /// <summary>The binary's path; throws, naming the path, when it is missing (a test that needs it fails, never skips).</summary>
    public static string Executable => Require(ExpectedPath);

    /// <summary><paramref name="path"/> when it exists; otherwise an exception whose message names it.</summary>
    public static string Require(string path) =>
        File.Exists(path)
            ? path
            : throw new FileNotFoundException(
                $"the reference local proxy is missing: expected an executable at {path} "
                + "(../shared/reference/localproxy/localproxy from the repository's root; its README says how it is built)",
                path);
}
