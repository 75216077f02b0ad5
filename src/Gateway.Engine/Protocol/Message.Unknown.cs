namespace Gateway.Engine.Protocol.Wire;

// The generated Message keeps fields it does not know in _unknownFields so that they survive a
// round trip. The relay must reject them (clients may not extend the message, docs/protocol.md
// section 6), so expose whether any were seen without re-parsing.
internal sealed partial class Message
{
    /// <summary>True when the decoded bytes carried field numbers outside the schema.</summary>
    public bool HasUnknownFields => _unknownFields is not null;
}
