namespace Gateway.Web.Tests.Infrastructure;

/// <summary>Where tests keep what a person should look at: <c>&lt;test output directory&gt;/artifacts</c>.</summary>
internal static class Artifacts
{
    public static string Directory { get; } = System.IO.Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;

    public static string PathFor(string fileName) => Path.Combine(Directory, fileName);
}
