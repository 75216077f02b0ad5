namespace Gateway.Interop.Tests.Infrastructure;

/// <summary>What a test varies about one tunnel end; each kind gets it in its own form.</summary>
public sealed record EndOptions
{
    public static readonly EndOptions Default = new();

    /// <summary>
    /// Fine-grained settings in the reference's <c>--settings-json</c> form, only the keys to change
    /// (e.g. <c>{"tunneling":{"proxy":{"websocket":{"ping_period_ms":"200"}}}}</c>): a file for a
    /// process, the <c>settings</c> field for an engine session.
    /// </summary>
    public string? SettingsJson { get; init; }

    /// <summary><c>-i</c> / <c>clientToken</c>; none by default (our ends then generate one, the reference sends none).</summary>
    public string? ClientToken { get; init; }

    /// <summary><c>-y</c> / <c>destinationClientType</c> of a source: V1 or V2; V3 when null.</summary>
    public string? DestinationClientType { get; init; }

    /// <summary>More command-line arguments for a process end (ignored by an engine session).</summary>
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];
}
