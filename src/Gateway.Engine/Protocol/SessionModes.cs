namespace Gateway.Engine.Protocol;

/// <summary>
/// The names of a <see cref="SessionMode"/>, one definition for the reference's <c>-m/--mode</c>, the API's
/// <c>mode</c> and the handshake's <c>local-proxy-mode</c>.
/// </summary>
public static class SessionModes
{
    /// <summary>The name of <see cref="SessionMode.Source"/>: <c>source</c>.</summary>
    public const string Source = "source";

    /// <summary>The name of <see cref="SessionMode.Destination"/>: <c>destination</c>.</summary>
    public const string Destination = "destination";

    /// <summary>The short name of <see cref="SessionMode.Source"/> the reference accepts: <c>src</c>.</summary>
    public const string SourceShort = "src";

    /// <summary>The short name of <see cref="SessionMode.Destination"/> the reference accepts: <c>dst</c>.</summary>
    public const string DestinationShort = "dst";

    /// <summary><see cref="Source"/> or <see cref="Destination"/>.</summary>
    /// <param name="mode">The mode.</param>
    public static string Name(this SessionMode mode) => mode == SessionMode.Source ? Source : Destination;

    /// <summary>The mode <paramref name="text"/> names: <c>source</c>/<c>src</c> or <c>destination</c>/<c>dst</c> in any case, not trimmed; null for anything else.</summary>
    /// <param name="text">The name as given; null gives null.</param>
    public static SessionMode? Parse(string? text) => text?.ToLowerInvariant() switch
    {
        Source or SourceShort => SessionMode.Source,
        Destination or DestinationShort => SessionMode.Destination,
        _ => null,
    };
}
