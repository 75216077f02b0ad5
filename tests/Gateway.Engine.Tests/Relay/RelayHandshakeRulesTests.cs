using Gateway.Engine.Protocol;
using Gateway.Engine.Relay;

namespace Gateway.Engine.Tests.Relay;

public sealed class RelayHandshakeRulesTests
{
    private static readonly RelayUpgradeRequest Valid = new()
    {
        ModeValues = ["source"],
        AccessTokenHeaders = ["token"],
        OfferedSubprotocols = [Subprotocols.V3],
        RequestBytes = 300,
    };

    [Fact]
    public void ValidRequestYieldsModeSubprotocolAndTokens()
    {
        var check = RelayHandshakeRules.Check(Valid with { ClientTokenHeaders = [new string('a', 32)] }, 4096);

        Assert.False(check.Failed);
        Assert.Equal(TunnelEnd.Source, check.End);
        Assert.Equal(Subprotocols.V3, check.Subprotocol);
        Assert.Equal("token", check.AccessToken);
        Assert.Equal(new string('a', 32), check.ClientToken);
    }

    [Theory]
    [InlineData(Subprotocols.V1)]
    [InlineData(Subprotocols.V2)]
    [InlineData(Subprotocols.V3)]
    public void EveryProtocolVersionIsAnsweredWithItself(string offered)
    {
        Assert.Equal(offered, RelayHandshakeRules.Check(Valid with { OfferedSubprotocols = ["other", offered] }, 4096).Subprotocol);
    }

    public static TheoryData<string, RelayUpgradeRequest, int> Failures => new()
    {
        { "oversized", Valid with { RequestBytes = 4097 }, 431 },
        { "not an upgrade", Valid with { IsWebSocketUpgrade = false }, 400 },
        { "no mode", Valid with { ModeValues = [] }, 400 },
        { "mode twice", Valid with { ModeValues = ["source", "source"] }, 400 },
        { "bad mode", Valid with { ModeValues = ["Source"] }, 400 },
        { "no subprotocol", Valid with { OfferedSubprotocols = [] }, 400 },
        { "unknown subprotocol", Valid with { OfferedSubprotocols = ["aws.iot.securetunneling-4.0"] }, 400 },
        { "no token", Valid with { AccessTokenHeaders = [] }, 401 },
        { "empty token", Valid with { AccessTokenHeaders = [" "] }, 401 },
        { "header and cookie", Valid with { AccessTokenCookies = ["token"] }, 400 },
        { "two headers", Valid with { AccessTokenHeaders = ["a", "b"] }, 400 },
        { "two cookies", Valid with { AccessTokenHeaders = [], AccessTokenCookies = ["a", "b"] }, 400 },
        { "client token too short", Valid with { ClientTokenHeaders = [new string('a', 31)] }, 400 },
        { "client token too long", Valid with { ClientTokenHeaders = [new string('a', 129)] }, 400 },
        { "client token underscore", Valid with { ClientTokenHeaders = [new string('a', 31) + "_"] }, 400 },
        { "two client tokens", Valid with { ClientTokenHeaders = [new string('a', 32), new string('b', 32)] }, 400 },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void InvalidRequestsFailWithStatusAndReason(string what, RelayUpgradeRequest request, int status)
    {
        var check = RelayHandshakeRules.Check(request, 4096);

        Assert.True(check.Failed, what);
        Assert.Equal(status, check.FailureStatus);
        Assert.False(string.IsNullOrWhiteSpace(check.FailureReason));
    }

    [Fact]
    public void CookieAloneIsAnAccessToken()
    {
        var check = RelayHandshakeRules.Check(Valid with { AccessTokenHeaders = [], AccessTokenCookies = ["cookie-token"] }, 4096);

        Assert.False(check.Failed);
        Assert.Equal("cookie-token", check.AccessToken);
    }
}
