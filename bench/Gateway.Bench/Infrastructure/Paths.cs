using System.Reflection;

namespace Gateway.Bench.Infrastructure;

/// <summary>Where the built gateway and localproxy are: next to this driver's build, same configuration.</summary>
internal static class Paths
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Configuration { get; } =
        typeof(Paths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    public static string GatewayDll => Built("src/Gateway.Api", "Gateway.Api.dll");

    public static string LocalProxyDll => Built("src/Gateway.Cli", "localproxy.dll");

    /// <summary>This driver, for the figure-5 worker processes (from its own build folder, where its runtimeconfig is).</summary>
    public static string BenchDll => Built("bench/Gateway.Bench", "Gateway.Bench.dll");

    /// <summary>The reference C++ proxy beside the repository (<c>../shared/reference/localproxy/localproxy</c>).</summary>
    public static string ReferenceProxy
    {
        get
        {
            var path = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "reference", "localproxy", "localproxy"));
            return File.Exists(path) ? path : throw new FileNotFoundException($"the reference local proxy is missing: expected it at {path} (or run with --no-processes)", path);
        }
    }

    public static string DefaultResults => Path.Combine(RepositoryRoot, "bench", "results");

    private static string Built(string project, string file)
    {
        var path = Path.Combine(RepositoryRoot, project, "bin", Configuration, "net10.0", file);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: build the solution in {Configuration} first", path);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TunnelGateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("TunnelGateway.sln not found above " + AppContext.BaseDirectory);
    }
}
