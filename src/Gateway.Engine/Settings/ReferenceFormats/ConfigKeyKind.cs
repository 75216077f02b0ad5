namespace Gateway.Engine.Settings.ReferenceFormats;

/// <summary>What a name in a <c>--config</c> file is to its reader (<see cref="ReferenceFiles.ParseConfigFile"/>).</summary>
public enum ConfigKeyKind
{
    /// <summary>Not a name the reader takes: an error, with the reader's message.</summary>
    Unknown,

    /// <summary>An option with a value, taken as written (trimmed).</summary>
    Value,

    /// <summary>An option that is on or off: its value must be a boolean word and comes back as <c>true</c> or <c>false</c>.</summary>
    Switch,

    /// <summary>A name the reader knows but leaves out (<see cref="ConfigFileResult.Ignored"/>), even when repeated.</summary>
    Ignored,
}
