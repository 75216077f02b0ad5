namespace Gateway.Cli;

/// <summary>An <see cref="Invocation"/>, or the errors (each naming its option) and the exit code they call for.</summary>
internal sealed record Resolution(Invocation? Invocation, IReadOnlyList<string> Errors, int ExitCode);
