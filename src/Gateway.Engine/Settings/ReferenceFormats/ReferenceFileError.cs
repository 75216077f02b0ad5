namespace Gateway.Engine.Settings.ReferenceFormats;

/// <summary>One problem in a reference setting file. The message names no value and no place: <see cref="ToString"/> adds the place.</summary>
/// <param name="File">The file's name as the caller gave it; null for the <c>--config</c> file (whose name only the caller knows).</param>
/// <param name="Line">The line, from 1.</param>
/// <param name="Key">The option name or service id the problem is about; null when the line itself is not understood.</param>
/// <param name="Message">What is wrong, a sentence without the place.</param>
public sealed record ReferenceFileError(string? File, int Line, string? Key, string Message)
{
    /// <summary>The place and the message: <c>file line N: message</c> (or <c>line N: message</c>).</summary>
    /// <returns>The text, e.g. <c>ssh.ini line 2: the file cannot be parsed: expected SERVICE_ID = ENDPOINT.</c></returns>
    public override string ToString() => File is null ? $"line {Line}: {Message}" : $"{File} line {Line}: {Message}";
}
