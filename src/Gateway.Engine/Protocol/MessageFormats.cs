namespace Gateway.Engine.Protocol;

/// <summary>
/// The names of a <see cref="MessageFormat"/>, one definition for the reference's <c>-y/--destination-client-type</c>
/// and the API's <c>destinationClientType</c>.
/// </summary>
public static class MessageFormats
{
    /// <summary>
    /// The format <paramref name="text"/> names: <c>V1</c>, <c>V2</c> or <c>V3</c> in any case, not trimmed;
    /// null for anything else (a number, a list, another name).
    /// </summary>
    /// <param name="text">The name as given; null gives null.</param>
    /// <returns>The format, or null.</returns>
    public static MessageFormat? Parse(string? text) => text?.ToUpperInvariant() switch
    {
        "V1" => MessageFormat.V1,
        "V2" => MessageFormat.V2,
        "V3" => MessageFormat.V3,
        _ => null,
    };
}
