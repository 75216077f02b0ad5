namespace Gateway.Engine.Relay.Management;

/// <summary>Who calls the management API: a name for the audit and whether they may change tunnels.</summary>
/// <param name="Name">The caller as the audit shows them.</param>
/// <param name="MayChange">Operators may open, close, rotate and tag; viewers only describe and list.</param>
public sealed record ManagementCaller(string Name, bool MayChange);
