namespace Gateway.Engine.Relay;

/// <summary>A resource tag on a tunnel (AWS: <c>Tag</c> with <c>key</c> and <c>value</c>).</summary>
/// <param name="Key">The tag's key.</param>
/// <param name="Value">The tag's value.</param>
public sealed record TunnelTag(string Key, string Value);
