namespace Gateway.Cli;

/// <summary>
/// One option of the reference's command line (docs/protocol.md section 13): its long name (also its key
/// in a <c>--config</c> file), short alias, environment variable and help text.
/// </summary>
internal sealed record CliOption(string Long, string? Short, string Description, string? ArgumentName = null, string? EnvironmentVariable = null, bool IsFlag = false, bool InConfigFile = true)
{
    /// <summary>How messages name the option: <c>-t/--access-token</c>.</summary>
    public string Display => Short is null ? "--" + Long : $"{Short}/--{Long}";

    public string[] Aliases => Short is null ? [] : [Short];
}
