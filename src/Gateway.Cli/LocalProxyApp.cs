using System.CommandLine.Help;
using System.CommandLine;
using System.Reflection;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;
using Gateway.Engine.Settings;
using Microsoft.Extensions.Logging;

namespace Gateway.Cli;

/// <summary>The <c>localproxy</c> command: parse, resolve, run; returns the exit code.</summary>
internal static class LocalProxyApp
{
    public const string CommandName = "localproxy";

    public static string Version { get; } =
        typeof(LocalProxyApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, Func<string, string?> environment, CancellationToken stop)
    {
        var command = new LocalProxyCommand();
        var parse = command.Root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Action is HelpAction)
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
        }

        if (parse.GetValue(command.VersionOption))
        {
            await stdout.WriteLineAsync($"{CommandName} {Version} (TunnelGateway; AWS IoT Secure Tunneling local proxy protocol V1/V2/V3, compatible with the reference 3.3.1)").ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        if (parse.Errors.Count > 0)
        {
            return await UsageErrorAsync(stderr, command.UsageErrors(parse)).ConfigureAwait(false);
        }

        var given = command.GivenValues(parse);
        if (given.TryGetValue(CliOptions.ExportDefaultSettings.Long, out var exportPath))
        {
            return await ExportDefaultSettingsAsync(exportPath, stdout, stderr).ConfigureAwait(false);
        }

        var resolution = InvocationResolver.Resolve(given, environment);
        if (resolution.Invocation is not { } invocation)
        {
            return resolution.IsUsageError
                ? await UsageErrorAsync(stderr, resolution.Errors).ConfigureAwait(false)
                : await FatalAsync(stderr, resolution.Errors, resolution.ExitCode).ConfigureAwait(false);
        }

        using var provider = new ConsoleLogProvider(stderr, invocation.LogLevel, TimeProvider.System);
        // The factory is made directly, not through LoggerFactory.Create: that builds a dependency-injection
        // container for one provider, code a Native AOT build would carry and run at every start.
        using var loggers = new LoggerFactory([provider], new LoggerFilterOptions { MinLevel = invocation.LogLevel });
        var log = loggers.CreateLogger(CommandName);
        log.LogInformation("TunnelGateway {Command} {Version}: {Mode} mode, endpoint {Endpoint}", CommandName, Version, invocation.Spec.Mode.Name(), invocation.Spec.Endpoint ?? invocation.Spec.Region);
        foreach (var warning in invocation.Warnings)
        {
            log.LogWarning("{Warning}", warning);
        }

        ConfigDirectory? directory = null;
        if (invocation.ConfigDirectory is { } path)
        {
            directory = ConfigDirectory.Load(path, invocation.ConfigDirectoryExplicit, invocation.Spec.Mode, log, out var error);
            if (directory is null)
            {
                log.LogCritical("{Error}", error);
                return ExitCodes.ConfigurationError;
            }
        }

        return await new ProxyRunner(loggers, TimeProvider.System).RunAsync(invocation.Spec, directory, stop).ConfigureAwait(false);
    }

    private static async Task<int> UsageErrorAsync(TextWriter stderr, IEnumerable<string> errors)
    {
        foreach (var error in errors)
        {
            await stderr.WriteLineAsync($"{CommandName}: {error}").ConfigureAwait(false);
        }

        await stderr.WriteLineAsync($"Try '{CommandName} --help' for a list of options.").ConfigureAwait(false);
        return ExitCodes.UsageError;
    }

    private static async Task<int> FatalAsync(TextWriter stderr, IEnumerable<string> errors, int code)
    {
        foreach (var error in errors)
        {
            await stderr.WriteLineAsync($"{CommandName}: {error}").ConfigureAwait(false);
        }

        return code;
    }

    private static async Task<int> ExportDefaultSettingsAsync(string path, TextWriter stdout, TextWriter stderr)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return await UsageErrorAsync(stderr, [$"{CliOptions.ExportDefaultSettings.Display}: the file name is empty."]).ConfigureAwait(false);
        }

        try
        {
            await File.WriteAllTextAsync(path, ProxySettingsJson.Export(ProxySettings.Default)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return await FatalAsync(stderr, [$"{CliOptions.ExportDefaultSettings.Display} {path}: cannot be written: {ex.Message}"], ExitCodes.ConfigurationError).ConfigureAwait(false);
        }

        await stdout.WriteLineAsync($"Default settings written to {path}").ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
