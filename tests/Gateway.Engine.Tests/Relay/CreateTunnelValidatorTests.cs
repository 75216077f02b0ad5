using Gateway.Engine.Protocol;
using Gateway.Engine.Relay;

namespace Gateway.Engine.Tests.Relay;

public sealed class CreateTunnelValidatorTests
{
    private readonly RelayOptions _options = new();

    [Fact]
    public void EmptyRequestIsValid()
    {
        Assert.Empty(CreateTunnelValidator.Validate(new CreateTunnelRequest(null), _options));
    }

    [Fact]
    public void EveryErrorIsReportedAtOnceByField()
    {
        var request = new CreateTunnelRequest(["ok", "bad id", "ok", new string('x', 129)], 0, new string('d', 2049));

        var errors = CreateTunnelValidator.Validate(request, _options);

        Assert.Equal(["description", "lifetimeMinutes", "services[1]", "services[2]", "services[3]"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("twice", errors["services[2]"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void TooManyServicesIsAQuotaProblem()
    {
        var services = Enumerable.Range(0, _options.MaxServicesPerTunnel + 1).Select(i => $"S{i}").ToList();

        Assert.Contains($"At most {_options.MaxServicesPerTunnel} services", CreateTunnelValidator.ServiceLimitProblem(new CreateTunnelRequest(services), _options), StringComparison.Ordinal);
        Assert.Null(CreateTunnelValidator.ServiceLimitProblem(new CreateTunnelRequest(services[..^1]), _options));
    }

    [Fact]
    public void ThingNameTagsAndDescriptionFollowTheServiceRules()
    {
        var request = new CreateTunnelRequest(["ns:SSH"], null, "bell\u0007")
        {
            ThingName = "pump 17",
            Tags = [new TunnelTag("env", "dev"), new TunnelTag("", "x"), new TunnelTag("k", "bad\nvalue"), new TunnelTag("sp ace_.:/=+-@", "é ü 9")],
        };
        var errors = CreateTunnelValidator.Validate(request, _options);

        Assert.Equal(["description", "tags[1].key", "tags[2].value", "thingName"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("control or format", errors["description"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void ADescriptionIsCountedInCharactersNotUtf16Units()
    {
        // 2048 emoji are 4096 UTF-16 units: within AWS's 2048 characters.
        Assert.Empty(CreateTunnelValidator.Validate(new CreateTunnelRequest(null, null, string.Concat(Enumerable.Repeat("\U0001F600", 2048))), _options));
    }

    [Theory]
    [InlineData("SSH")]
    [InlineData("a_b-C9")]
    public void ServiceIdsOfTheProtocolAlphabetAreValid(string id)
    {
        Assert.True(ServiceIdRules.IsValid(id));
        Assert.True(ServiceIdRules.IsValid(new string('a', 128)));
        Assert.False(ServiceIdRules.IsValid(new string('a', 129)));
        Assert.False(ServiceIdRules.IsValid("a.b"));
        Assert.False(ServiceIdRules.IsValid(string.Empty));
    }
}
