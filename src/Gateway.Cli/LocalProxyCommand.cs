using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;

namespace Gateway.Cli;

/// <summary>The System.CommandLine definition of <c>localproxy</c>: every <see cref="CliOptions"/> entry, plus -h and -V.</summary>
internal sealed class LocalProxyCommand
{
    private readonly Dictionary<CliOption, Option> _options = [];

    public LocalProxyCommand()
    {
        Root = new RootCommand("TunnelGateway localproxy: a drop-in for the AWS IoT Secure Tunneling local proxy. Source mode listens on local ports and carries their connections through the tunnel; destination mode connects the tunnel's streams to local services.");

        // Our -V/--version replaces the built-in --version (which has no short alias).
        foreach (var builtIn in Root.Options.OfType<VersionOption>().ToList())
        {
            Root.Options.Remove(builtIn);
        }

        // The reference's wording, which scripts grep for.
        foreach (var help in Root.Options.OfType<HelpOption>())
        {
            help.Description = "Show help message";
        }

        VersionOption = new Option<bool>("--version", "-V") { Description = "Print the version and exit." };
        Root.Options.Add(VersionOption);
        foreach (var option in CliOptions.All)
        {
            Option definition = option.IsFlag
                ? new Option<bool>("--" + option.Long, option.Aliases) { Description = option.Description }
                : new Option<string>("--" + option.Long, option.Aliases) { Description = Describe(option), HelpName = option.ArgumentName };
            _options[option] = definition;
            Root.Options.Add(definition);
        }
    }

    public RootCommand Root { get; }

    public Option<bool> VersionOption { get; }

    /// <summary>Long name -> value of every option the command line gave (switches as <c>true</c>).</summary>
    public Dictionary<string, string> GivenValues(ParseResult parse)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (option, definition) in _options)
        {
            if (parse.GetResult(definition) is not { Implicit: false })
            {
                continue;
            }

            values[option.Long] = definition switch
            {
                Option<bool> flag => parse.GetValue(flag) ? "true" : "false",
                Option<string> text => parse.GetValue(text) ?? string.Empty,
                _ => string.Empty,
            };
        }

        return values;
    }

    /// <summary>
    /// The parse errors in the reference's words (an unknown option, an option without its value),
    /// each naming the option; any other parse error as the parser worded it.
    /// </summary>
    public IEnumerable<string> UsageErrors(ParseResult parse)
    {
        foreach (var token in parse.UnmatchedTokens)
        {
            yield return token.StartsWith('-')
                ? $"unrecognised option '{token}'"
                : $"unexpected argument '{token}': every value belongs to an option";
        }

        var missing = new List<OptionResult>();
        foreach (var (option, definition) in _options)
        {
            if (!option.IsFlag && parse.GetResult(definition) is OptionResult { Implicit: false, Tokens.Count: 0 } result)
            {
                missing.Add(result);
                yield return $"the required argument for option '--{option.Long}' is missing";
            }
        }

        foreach (var error in parse.Errors)
        {
            bool reported = error.SymbolResult is CommandResult
                || missing.Any(m => error.SymbolResult == m || error.SymbolResult?.Parent == m);
            if (!reported)
            {
                yield return error.Message;
            }
        }
    }

    private static string Describe(CliOption option) =>
        option.EnvironmentVariable is null ? option.Description : $"{option.Description} Environment: {option.EnvironmentVariable}.";
}
