namespace Gateway.Cli;

/// <summary>Where option values come from, highest precedence first.</summary>
internal enum OptionLayer
{
    CommandLine,
    ConfigFile,
    Environment,
}
