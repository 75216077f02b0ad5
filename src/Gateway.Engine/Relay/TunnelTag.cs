namespace Gateway.Engine.Relay;

/// <summary>A resource tag on a tunnel (AWS: <c>Tag</c> with <c>key</c> and <c>value</c>).</summary>
public sealed record TunnelTag(string Key, string Value);
