using Gateway.Engine.Sessions;
using Microsoft.Extensions.Logging;

namespace Gateway.Cli;

/// <summary>What a run of <c>localproxy</c> does, resolved from the command line, a --config file and the environment.</summary>
/// <param name="Spec">The session to run.</param>
/// <param name="LogLevel">From -v.</param>
/// <param name="ConfigDirectory">Directory for ids no map names; null when -s/-d gave a map.</param>
/// <param name="ConfigDirectoryExplicit">True when --config-dir was given (a missing directory is then an error).</param>
/// <param name="Warnings">Lines to log once logging is set up.</param>
internal sealed record Invocation(SessionSpec Spec, LogLevel LogLevel, string? ConfigDirectory, bool ConfigDirectoryExplicit, IReadOnlyList<string> Warnings);
