namespace Gateway.Engine.Settings.ReferenceFormats;

/// <summary>A parsed <c>--config</c> file (<see cref="ReferenceFiles.ParseConfigFile"/>).</summary>
/// <param name="Values">Each accepted name (with its section prefix) and its value; a name with an error is left out.</param>
/// <param name="Ignored">The lines whose names the reader ignores, in line order.</param>
/// <param name="Errors">Every problem, in line order.</param>
public sealed record ConfigFileResult(IReadOnlyDictionary<string, string> Values, IReadOnlyList<ConfigFileLine> Ignored, IReadOnlyList<ReferenceFileError> Errors)
{
    /// <summary>True when the file has no error.</summary>
    public bool IsValid => Errors.Count == 0;
}

/// <summary>One <c>name = value</c> line of a <c>--config</c> file.</summary>
/// <param name="Line">The line, from 1.</param>
/// <param name="Name">The name, with its section prefix.</param>
/// <param name="Value">The value, trimmed.</param>
public sealed record ConfigFileLine(int Line, string Name, string Value);
