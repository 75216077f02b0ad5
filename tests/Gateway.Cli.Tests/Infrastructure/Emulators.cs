namespace Gateway.Cli.Tests.Infrastructure;

/// <summary>qemu user-mode emulators (Debian's qemu-user-static) for the release builds of other CPUs.</summary>
internal static class Emulators
{
    /// <summary>
    /// The emulator for <paramref name="rid"/>, run with the binary as its first argument (no
    /// binfmt_misc registration is assumed: containers seldom have it). Throws, naming the package,
    /// when it is missing.
    /// </summary>
    public static string For(string rid)
    {
        string name = rid switch
        {
            "linux-arm64" => "qemu-aarch64-static",
            "linux-arm" => "qemu-arm-static",
            _ => throw new ArgumentException($"no emulator is set up for {rid}", nameof(rid)),
        };
        string path = Path.Combine("/usr/bin", name);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is missing: install Debian's qemu-user-static (.ci/run does)", path);
    }
}
