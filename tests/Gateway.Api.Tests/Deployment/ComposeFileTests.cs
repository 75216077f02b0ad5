using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Gateway.Api.Tests.Deployment;

/// <summary>
/// The deployment files (Dockerfile, docker-compose.yml, gateway.env.example, README's publish
/// command) checked without a Docker engine: docker-compose v1 resolves the compose file, the rest
/// is read as text. Building and running the image needs an engine and is not tested here.
/// </summary>
public sealed partial class ComposeFileTests
{
    private static readonly TimeSpan ComposeBound = TimeSpan.FromSeconds(60);

    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    /// <summary>
    /// A fresh clone has no gateway.env (it is the operator's): compose v1 has no optional env_file, so
    /// `up` stops at once with one line naming the file, and the lines an operator reads first (the
    /// compose file's header, README's Docker steps) give the copy step.
    /// </summary>
    [Fact]
    public async Task OnAFreshCloneComposeNamesTheMissingEnvironmentFileInOneLine()
    {
        string executable = FindOnPath("docker-compose")
            ?? throw new Xunit.Sdk.XunitException("docker-compose is not installed: apt-get install docker-compose");
        var directory = Directory.CreateTempSubdirectory("gateway-compose-");
        try
        {
            foreach (var file in new[] { "docker-compose.yml", "Dockerfile", ".dockerignore", "gateway.env.example" })
            {
                File.Copy(RepositoryFile(file), Path.Combine(directory.FullName, file));
            }

            var (code, stdout, stderr) = await RunAsync(executable, directory.FullName, ["-f", Path.Combine(directory.FullName, "docker-compose.yml"), "config"]);
            Assert.NotEqual(0, code);
            var line = Assert.Single((stdout + stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains(Path.Combine(directory.FullName, "gateway.env"), line, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }

        const string copy = "cp gateway.env.example gateway.env";
        Assert.Contains(File.ReadLines(RepositoryFile("docker-compose.yml")).Take(3), l => l.Contains(copy, StringComparison.Ordinal));
        Assert.Contains(File.ReadLines(RepositoryFile("README.md")), l => l.Contains(copy, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ComposeConfigResolvesWithTheExampleEnvironmentFile()
    {
        var config = await ResolveComposeConfigAsync();
        var service = Section(config, "  gateway:");

        Assert.Contains("    image: tunnelgateway:latest", service);
        Assert.Contains("    restart: unless-stopped", service);
        Assert.Contains(Section(service, "    build:"), l => l.Trim() == "dockerfile: Dockerfile");

        // The named volume holds /data (database, certificate) and is declared at the top level.
        Assert.Contains(Section(service, "    volumes:"), l => Regex.IsMatch(l.Trim(), "^- gateway-data:/data(:rw)?$"));
        Assert.Contains("  gateway-data: {}", Section(config, "volumes:"));

        // env_file: gateway.env (here a copy of the example) reaches the container's environment.
        var environment = ServiceEnvironment(service);
        Assert.Equal("admin", environment.GetValueOrDefault("Auth__AdminUser"));
        Assert.True(environment.ContainsKey("Auth__AdminPassword"), string.Join('\n', service));
        Assert.Contains(File.ReadAllLines(RepositoryFile("docker-compose.yml")), l => l.Trim() == "env_file: gateway.env");
    }

    [Fact]
    public async Task ComposePublishesTheApiAndTheSourcePortRangeOnLoopbackOnly()
    {
        var config = await ResolveComposeConfigAsync();
        var service = Section(config, "  gateway:");
        var ports = Section(service, "    ports:").Select(l => l.Trim().TrimStart('-', ' ')).ToList();
        Assert.NotEmpty(ports);

        var published = new List<(int Host, int Container)>();
        foreach (var port in ports)
        {
            var match = PublishedPort().Match(port);
            Assert.True(match.Success, $"'{port}' does not publish on an address");
            Assert.True(match.Groups["address"].Value == "127.0.0.1", $"'{port}' is published beyond the host's loopback");
            published.Add((int.Parse(match.Groups["host"].Value), int.Parse(match.Groups["container"].Value)));
        }

        Assert.Contains((5443, 5443), published);

        // Exactly the sessions' source-port range, one to one.
        var environment = ServiceEnvironment(service);
        int min = int.Parse(environment["Sessions__SourcePortMin"]);
        int max = int.Parse(environment["Sessions__SourcePortMax"]);
        Assert.True(min <= max, $"source port range {min}-{max}");
        var range = published.Where(p => p.Container != 5443).ToList();
        Assert.Equal(Enumerable.Range(min, max - min + 1).Select(p => (p, p)), range);
    }

    [Fact]
    public void DockerfileRunsAsNonRootWithDataVolumeAndChecksHealthOnItsOwnHttpEndpoint()
    {
        var runtime = RuntimeStage();
        var env = EnvValues(runtime);
        Assert.Equal("/data", env["Gateway__DataDirectory"]);
        Assert.Contains(runtime, i => i == "VOLUME /data");
        Assert.Contains(runtime, i => i == "ENTRYPOINT [\"dotnet\", \"Gateway.Api.dll\"]");

        var user = Assert.Single(runtime, i => i.StartsWith("USER ", StringComparison.Ordinal))[5..].Trim();
        Assert.DoesNotContain(user, new[] { "root", "0" });

        // HTTPS listens on every interface (published by compose), plain HTTP on loopback.
        var urls = env["ASPNETCORE_URLS"].Split(';').Select(u => new Uri(u)).ToList();
        var https = Assert.Single(urls, u => u.Scheme == "https");
        Assert.Equal("0.0.0.0", https.Host);
        Assert.Contains(runtime, i => i == $"EXPOSE {https.Port}");
        var http = Assert.Single(urls, u => u.Scheme == "http");
        Assert.Equal("127.0.0.1", http.Host);

        // The health check asks that HTTP endpoint for /healthz, bounded by a timeout.
        var healthcheck = Assert.Single(runtime, i => i.StartsWith("HEALTHCHECK ", StringComparison.Ordinal));
        Assert.Matches("--timeout=\\d+s", healthcheck);
        var command = JsonSerializer.Deserialize<string[]>(healthcheck[(healthcheck.IndexOf(" CMD ", StringComparison.Ordinal) + 5)..])!;
        Assert.Equal(["bash", "-c"], command[..2]);
        Assert.Contains($"/dev/tcp/{http.Host}/{http.Port}", command[2], StringComparison.Ordinal);
        Assert.Contains("GET /healthz ", command[2], StringComparison.Ordinal);
        Assert.Contains("200 OK", command[2], StringComparison.Ordinal);
    }

    [Fact]
    public void DockerfilePublishesWithReadmesDeployCommand()
    {
        var run = Assert.Single(Gateway.Testing.Dockerfiles.Instructions(File.ReadAllLines(RepositoryFile("Dockerfile"))), i => i.StartsWith("RUN dotnet publish ", StringComparison.Ordinal));
        var dockerfile = Words(run[4..]);

        var readme = File.ReadAllLines(RepositoryFile("README.md"));
        int start = Array.FindIndex(readme, l => l.Trim() == "## Deploy");
        Assert.True(start >= 0, "README.md has no '## Deploy' section");
        var section = readme.Skip(start + 1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal));
        var documented = Assert.Single(section, l => l.TrimStart().StartsWith("dotnet publish ", StringComparison.Ordinal));

        Assert.Equal(Words(documented), dockerfile);
    }

    [Fact]
    public void DockerfileCopiesEveryProjectTheGatewayBuildsFromAndRestoresBeforeTheSources()
    {
        var instructions = Gateway.Testing.Dockerfiles.Instructions(File.ReadAllLines(RepositoryFile("Dockerfile")));
        var copies = instructions
            .Select((instruction, index) => (Instruction: instruction, Index: index))
            .Where(c => c.Instruction.StartsWith("COPY ", StringComparison.Ordinal) && !c.Instruction.StartsWith("COPY --from", StringComparison.Ordinal))
            .Select(c => (Sources: Words(c.Instruction[5..])[..^1], c.Index))
            .ToList();
        var sources = copies.SelectMany(c => c.Sources).ToHashSet(StringComparer.Ordinal);

        // Layer caching: project files, then restore, then the sources (a source edit keeps the restore layer).
        int restore = instructions.FindIndex(i => i.StartsWith("RUN dotnet restore ", StringComparison.Ordinal));
        Assert.True(restore > 0, "the Dockerfile does not restore before publishing");
        Assert.All(copies.Where(c => c.Sources.Any(s => s.EndsWith(".csproj", StringComparison.Ordinal))), c => Assert.True(c.Index < restore, $"{string.Join(' ', c.Sources)} is copied after the restore"));
        Assert.All(copies.Where(c => c.Sources.Any(s => s.EndsWith('/'))), c => Assert.True(c.Index > restore, $"{string.Join(' ', c.Sources)} is copied before the restore"));

        foreach (var source in sources)
        {
            Assert.True(File.Exists(RepositoryFile(source)) || Directory.Exists(RepositoryFile(source)), $"the Dockerfile copies {source}, which does not exist");
        }

        foreach (var file in new[] { "global.json", "Directory.Build.props", "Directory.Packages.props", ".editorconfig" })
        {
            Assert.True(!File.Exists(RepositoryFile(file)) || sources.Contains(file), $"the Dockerfile does not copy {file}");
        }

        foreach (var project in ProjectClosure("src/Gateway.Api/Gateway.Api.csproj"))
        {
            string directory = Path.GetDirectoryName(project)!.Replace('\\', '/');
            Assert.True(sources.Contains(project), $"the Dockerfile does not copy {project} before restoring");
            Assert.True(sources.Contains(directory + "/"), $"the Dockerfile does not copy {directory}/");
        }
    }

    /// <summary>
    /// Issue 19: the deployment guide's prerequisites name every host an image build reaches (the registry
    /// of each FROM image, the build image's package mirrors for apt-get, npm's registry for the dashboard's
    /// npm ci, NuGet for the restore), and its ports section says a source session in the container binds
    /// 0.0.0.0.
    /// </summary>
    [Fact]
    public void DeploymentGuideNamesWhatTheImageBuildReachesAndThatSourceSessionsInTheContainerBindEveryInterface()
    {
        var instructions = Gateway.Testing.Dockerfiles.Instructions(File.ReadAllLines(RepositoryFile("Dockerfile")));
        var hosts = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var from in instructions.Where(i => i.StartsWith("FROM ", StringComparison.Ordinal)))
        {
            string image = Words(from[5..]).First(w => !w.StartsWith("--", StringComparison.Ordinal));
            string first = image.Split('/')[0];
            hosts.Add(image.Contains('/', StringComparison.Ordinal) && first.Contains('.', StringComparison.Ordinal) ? first : "docker.io");
        }

        // The build stage is the .NET SDK's Ubuntu image: apt-get reaches Ubuntu's mirrors.
        if (instructions.Any(i => i.StartsWith("RUN ", StringComparison.Ordinal) && i.Contains("apt-get install", StringComparison.Ordinal)))
        {
            hosts.UnionWith(["archive.ubuntu.com", "security.ubuntu.com"]);
        }

        if (instructions.Any(i => i.StartsWith("RUN dotnet restore ", StringComparison.Ordinal)))
        {
            hosts.Add("api.nuget.org");
        }

        // The image builds Gateway.Web, whose build runs npm ci.
        if (File.ReadAllText(RepositoryFile("src/Gateway.Web/Gateway.Web.csproj")).Contains("npm ci", StringComparison.Ordinal))
        {
            hosts.Add("registry.npmjs.org");
        }

        var guide = File.ReadAllLines(RepositoryFile("docs/deployment.md"));
        string prerequisites = string.Join('\n', MarkdownSection(guide, "## Prerequisites"));
        Assert.All(hosts, host => Assert.True(prerequisites.Contains($"`{host}`", StringComparison.Ordinal), $"docs/deployment.md's prerequisites do not name {host}, which the image build reaches"));

        string ports = string.Join('\n', MarkdownSection(guide, "## Ports"));
        Assert.Contains("\"bindAddress\": \"0.0.0.0\"", ports, StringComparison.Ordinal);

        static IEnumerable<string> MarkdownSection(string[] lines, string heading) =>
            lines.SkipWhile(l => l.Trim() != heading).Skip(1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal));
    }

    [Fact]
    public void OperatorEnvironmentFileIsTemplatedAndStaysOutOfGitAndTheImage()
    {
        var example = File.ReadAllLines(RepositoryFile("gateway.env.example"));
        var names = example.Select(l => l.TrimStart('#', ' ')).Where(l => EnvLine().IsMatch(l)).Select(l => l[..l.IndexOf('=', StringComparison.Ordinal)]).ToList();
        Assert.Equal(["Auth__AdminUser", "Auth__AdminPassword", "Auth__AdminApiKey", "Gateway__Tls__CertificatePath", "Gateway__Tls__KeyPath"], names);
        Assert.Contains("Auth__AdminUser=admin", example);

        Assert.Contains("gateway.env", File.ReadAllLines(RepositoryFile(".gitignore")));
        Assert.Contains("gateway.env", File.ReadAllLines(RepositoryFile(".dockerignore")));
    }

    /// <summary>
    /// <c>docker-compose config</c> in a temporary directory holding the compose file, the
    /// Dockerfile (compose checks that the build context exists) and gateway.env.example copied to
    /// gateway.env, as an operator would: compose v1 refuses a missing env_file, and the real
    /// gateway.env is the operator's.
    /// </summary>
    private static async Task<string[]> ResolveComposeConfigAsync()
    {
        string executable = FindOnPath("docker-compose")
            ?? throw new Xunit.Sdk.XunitException("docker-compose is not installed: apt-get install docker-compose (.ci/run installs it when it runs as root)");

        var directory = Directory.CreateTempSubdirectory("gateway-compose-");
        try
        {
            foreach (var file in new[] { "docker-compose.yml", "Dockerfile", ".dockerignore" })
            {
                File.Copy(RepositoryFile(file), Path.Combine(directory.FullName, file));
            }

            File.Copy(RepositoryFile("gateway.env.example"), Path.Combine(directory.FullName, "gateway.env"));
            var (code, stdout, stderr) = await RunAsync(executable, directory.FullName, ["-f", Path.Combine(directory.FullName, "docker-compose.yml"), "config"]);
            Assert.True(code == 0, $"docker-compose config exited {code}:\n{stderr}\n{stdout}");
            return stdout.Split('\n');
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string executable, string workingDirectory, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // Only the files decide: no project name, file list or daemon from the test's environment.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("COMPOSE_", StringComparison.Ordinal) || k.StartsWith("DOCKER_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(name);
        }

        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{executable} could not be started ({e.Message}): apt-get install docker-compose");
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(ComposeBound);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"docker-compose {string.Join(' ', info.ArgumentList)} did not finish within {ComposeBound}");
        }

        return (process.ExitCode, await stdout.WaitAsync(ComposeBound), await stderr.WaitAsync(ComposeBound));
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);

    /// <summary>The lines below <paramref name="header"/> that are indented deeper than it (YAML block).</summary>
    private static string[] Section(IEnumerable<string> lines, string header)
    {
        int indent = header.Length - header.TrimStart().Length;
        return lines.SkipWhile(l => l != header).Skip(1)
            .TakeWhile(l => l.Length > indent && (l[indent] == ' ' || (l[indent] == '-' && indent > 0)))
            .ToArray();
    }

    /// <summary>The service's resolved environment (compose prints it as a map).</summary>
    private static Dictionary<string, string> ServiceEnvironment(IEnumerable<string> service) =>
        Section(service, "    environment:")
            .Select(l => l.Trim().Split(": ", 2))
            .ToDictionary(p => p[0], p => p.Length > 1 ? p[1].Trim('\'', '"') : "", StringComparer.Ordinal);

    /// <summary>The Dockerfile's instructions after the last FROM, continuation lines joined.</summary>
    private static List<string> RuntimeStage()
    {
        var instructions = Gateway.Testing.Dockerfiles.Instructions(File.ReadAllLines(RepositoryFile("Dockerfile")));
        int last = instructions.FindLastIndex(i => i.StartsWith("FROM ", StringComparison.Ordinal));
        Assert.True(last > 0, "the Dockerfile has no build stage before the runtime stage");
        return instructions[(last + 1)..];
    }

    private static Dictionary<string, string> EnvValues(IEnumerable<string> stage) =>
        stage.Where(i => i.StartsWith("ENV ", StringComparison.Ordinal))
            .SelectMany(i => EnvAssignment().Matches(i[4..]))
            .ToDictionary(m => m.Groups["name"].Value, m => m.Groups["quoted"].Success ? m.Groups["quoted"].Value : m.Groups["plain"].Value, StringComparer.Ordinal);

    private static string[] Words(string command) => command.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>A project and every project it references, transitively, relative to the repository root.</summary>
    private static SortedSet<string> ProjectClosure(string project)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var next))
        {
            if (!found.Add(next))
            {
                continue;
            }

            string directory = Path.GetDirectoryName(RepositoryFile(next))!;
            foreach (var reference in XDocument.Load(RepositoryFile(next)).Descendants("ProjectReference"))
            {
                string full = Path.GetFullPath(Path.Combine(directory, reference.Attribute("Include")!.Value.Replace('\\', '/')));
                pending.Push(Path.GetRelativePath(Root.Value, full).Replace('\\', '/'));
            }
        }

        return found;
    }

    private static string RepositoryFile(string relative) => Path.Combine(Root.Value, relative.TrimEnd('/'));

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "TunnelGateway.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no TunnelGateway.sln above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex(@"^(?<address>[^:\s]+):(?<host>\d+):(?<container>\d+)(/tcp)?$")]
    private static partial Regex PublishedPort();

    [GeneratedRegex(@"(?<name>[A-Za-z_][A-Za-z0-9_]*)=(""(?<quoted>[^""]*)""|(?<plain>\S*))")]
    private static partial Regex EnvAssignment();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*=")]
    private static partial Regex EnvLine();
}
