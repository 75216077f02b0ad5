namespace Gateway.Cli;

/// <summary>
/// An <see cref="Invocation"/>, or the errors (each naming its option) and the exit code they call for;
/// <paramref name="IsUsageError"/> when they are usage errors (printed with the --help hint) rather than a file's.
/// </summary>
internal sealed record Resolution(Invocation? Invocation, IReadOnlyList<string> Errors, int ExitCode, bool IsUsageError = false);
