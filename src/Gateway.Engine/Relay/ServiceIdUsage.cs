namespace Gateway.Engine.Relay;

/// <summary>Whether one connection has been sending serviceId on its stream messages.</summary>
internal enum ServiceIdUsage
{
    Unknown,
    Present,
    Absent,
}
