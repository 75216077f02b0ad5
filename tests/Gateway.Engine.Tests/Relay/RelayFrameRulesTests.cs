using Gateway.Engine.Protocol;
using Gateway.Engine.Protocol.Wire;
using Gateway.Engine.Relay;

namespace Gateway.Engine.Tests.Relay;

public sealed class RelayFrameRulesTests
{
    private readonly RelayTunnel _tunnel = new(new TunnelRecord
    {
        Id = "t",
        Services = ["SSH", "WEB"],
        CreatedAt = DateTimeOffset.UnixEpoch,
        ExpiresAt = DateTimeOffset.UnixEpoch.AddHours(1),
        Source = new TunnelEndRecord("s"),
        Destination = new TunnelEndRecord("d"),
    }, TimeProvider.System);

    // By name: the protobuf message type is internal to the engine, so it cannot be a theory's parameter.
    private static readonly Dictionary<string, (Message Message, TunnelEnd From, string Expected)> Cases = new()
    {
        ["SERVICE_IDS from a client"] = (TunnelMessages.ServiceIds(["SSH"]), TunnelEnd.Source, "must not send SERVICE_IDS"),
        ["SESSION_RESET from a client"] = (TunnelMessages.SessionReset(), TunnelEnd.Destination, "must not send SESSION_RESET"),
        ["STREAM_START from the destination"] = (TunnelMessages.StreamStart(1, "SSH", 1), TunnelEnd.Destination, "destination must not send STREAM_START"),
        ["CONNECTION_START from the destination"] = (TunnelMessages.ConnectionStart(1, "SSH", 2), TunnelEnd.Destination, "destination must not send CONNECTION_START"),
        ["streamId 0"] = (TunnelMessages.Data(0, "SSH", 1, [1]), TunnelEnd.Source, "streamId 0"),
        ["payload too big"] = (TunnelMessages.Data(1, "SSH", 1, new byte[64513]), TunnelEnd.Source, "64513"),
        ["unknown service"] = (TunnelMessages.StreamStart(1, "RDP", 1), TunnelEnd.Source, "'RDP' is not a service"),
    };

    public static TheoryData<string> Violations => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(Violations))]
    public void ViolationsAreNamed(string what)
    {
        var (message, from, expected) = Cases[what];
        var usage = ServiceIdUsage.Unknown;

        var violation = RelayFrameRules.Check(message, from, _tunnel, ref usage);

        Assert.NotNull(violation);
        Assert.Contains(expected, violation, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(what));
    }

    [Fact]
    public void ValidTrafficPassesIncludingFullPayloadsAndUnknownTypes()
    {
        var usage = ServiceIdUsage.Unknown;
        var unknownType = new Message { Type = (Message.Types.Type)9, Ignorable = true };

        Assert.Null(RelayFrameRules.Check(TunnelMessages.StreamStart(1, "SSH", 1), TunnelEnd.Source, _tunnel, ref usage));
        Assert.Null(RelayFrameRules.Check(TunnelMessages.Data(1, "SSH", 1, new byte[64512]), TunnelEnd.Source, _tunnel, ref usage));
        Assert.Null(RelayFrameRules.Check(TunnelMessages.ConnectionReset(1, "WEB", 2), TunnelEnd.Source, _tunnel, ref usage));
        Assert.Null(RelayFrameRules.Check(unknownType, TunnelEnd.Source, _tunnel, ref usage));
        Assert.Equal(ServiceIdUsage.Present, usage);
    }

    [Fact]
    public void ServiceIdMustBeSentAlwaysOrNever()
    {
        var usage = ServiceIdUsage.Unknown;

        Assert.Null(RelayFrameRules.Check(TunnelMessages.StreamStart(1, null, 1), TunnelEnd.Source, _tunnel, ref usage));
        Assert.Null(RelayFrameRules.Check(TunnelMessages.Data(1, null, 1, [1]), TunnelEnd.Source, _tunnel, ref usage));
        Assert.Contains("always or never", RelayFrameRules.Check(TunnelMessages.Data(1, "SSH", 1, [1]), TunnelEnd.Source, _tunnel, ref usage), StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownProtobufFieldsAreRejected()
    {
        var frame = FrameWriter.ToArray(TunnelMessages.Data(1, "SSH", 1, [1]));
        byte[] extended = [.. frame, 0x48, 0x01];
        extended[1] += 2;
        var bytes = new System.Buffers.ReadOnlySequence<byte>(extended);
        Assert.Equal(FrameReadStatus.Message, FrameReader.TryRead(ref bytes, out var message, out _));
        var usage = ServiceIdUsage.Unknown;

        Assert.Contains("fields the protocol does not define", RelayFrameRules.Check(message!, TunnelEnd.Source, _tunnel, ref usage), StringComparison.Ordinal);
    }
}
