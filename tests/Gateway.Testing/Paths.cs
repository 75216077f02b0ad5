using System.Reflection;

namespace Gateway.Testing;

public static class Paths
{
    /// <summary>The repository's root directory (with TunnelGateway.sln), as the build saw it.</summary>
    public static string RepositoryRoot => Metadata("RepositoryRoot");

    /// <summary>A value the project file stamped into this assembly.</summary>
    public static string Metadata(string key) =>
        typeof(Paths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"assembly metadata {key} is empty");
}
