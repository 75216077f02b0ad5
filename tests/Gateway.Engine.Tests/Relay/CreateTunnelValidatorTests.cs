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
        var request = new CreateTunnelRequest(["ok", "bad id", "ok", new string('x', 129)], 0, new string('d', 1025));

        var errors = CreateTunnelValidator.Validate(request, _options);

        Assert.Equal(["description", "lifetimeMinutes", "services[1]", "services[2]", "services[3]"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("twice", errors["services[2]"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void TooManyServicesIsAnError()
    {
        var services = Enumerable.Range(0, _options.MaxServicesPerTunnel + 1).Select(i => $"S{i}").ToList();

        Assert.Contains("services", CreateTunnelValidator.Validate(new CreateTunnelRequest(services), _options).Keys);
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
