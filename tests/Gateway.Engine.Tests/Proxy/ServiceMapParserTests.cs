using Gateway.Engine.Protocol;
using Gateway.Engine.Proxy;
using Gateway.Engine.Sessions;
using Gateway.Engine.Settings;

namespace Gateway.Engine.Tests.Proxy;

public sealed class ServiceMapParserTests
{
    private const string Field = "services";

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void EmptyMapIsAnEmptyListWithoutErrors(string? map)
    {
        var (services, errors) = Parse(map, SessionMode.Source);

        Assert.Empty(services);
        Assert.Empty(errors);
    }

    [Fact]
    public void SingleUnnamedSourcePort()
    {
        var (services, errors) = Parse("5555", SessionMode.Source);

        Assert.Empty(errors);
        var service = Assert.Single(services);
        Assert.Null(service.ServiceId);
        Assert.Equal(ServiceEndpoint.ForPort(5555), service.Endpoint);
    }

    [Fact]
    public void TwoSourceServicesOnOnePortAreRefusedNamingBothAndThePort()
    {
        var (services, errors) = Parse("SSH1=5555,WEB=8080,SSH2=5555", SessionMode.Source);

        var error = Assert.Single(errors);
        Assert.Equal(Field, error.Field);
        Assert.Equal("The services 'SSH1' and 'SSH2' both map to port 5555; give each service its own port.", error.Message);
        Assert.Equal(["SSH1", "WEB"], services.Select(s => s.ServiceId));
    }

    [Theory]
    [InlineData("SSH1=5555,SSH1=5555", SessionMode.Source)]
    [InlineData("SSH1=22,SSH2=22", SessionMode.Destination)]
    public void SharedPortsThatNeedNoSecondListenerAreAllowed(string map, SessionMode mode)
    {
        var (_, errors) = Parse(map, mode);

        Assert.Empty(errors);
    }

    [Fact]
    public void NamedSourcePortsKeepMapOrderAndTrimWhitespace()
    {
        var (services, errors) = Parse(" SSH1 = 5555 ,\tWEB=8080 , rdp_2-x=1", SessionMode.Source);

        Assert.Empty(errors);
        Assert.Equal(
            [new ServiceMapping("SSH1", ServiceEndpoint.ForPort(5555)), new ServiceMapping("WEB", ServiceEndpoint.ForPort(8080)), new ServiceMapping("rdp_2-x", ServiceEndpoint.ForPort(1))],
            services);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("65536")]
    [InlineData("-1")]
    [InlineData("+22")]
    [InlineData("0x16")]
    [InlineData("22.0")]
    [InlineData("localhost:22")]
    [InlineData("/run/app.sock")]
    [InlineData("SSH=abc")]
    [InlineData("SSH=")]
    public void SourceValuesMustBeDecimalPorts(string map)
    {
        var (services, errors) = Parse(map, SessionMode.Source);

        Assert.Empty(services);
        var error = Assert.Single(errors);
        Assert.Equal(Field, error.Field);
        Assert.Contains($"'{map}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("1 to 65535", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("22", null, 22)]
    [InlineData("65535", null, 65535)]
    [InlineData("localhost:22", "localhost", 22)]
    [InlineData("my-host.example.com:8080", "my-host.example.com", 8080)]
    [InlineData("under_score.local:1", "under_score.local", 1)]
    [InlineData("10.0.0.1:80", "10.0.0.1", 80)]
    [InlineData("[::1]:22", "::1", 22)]
    [InlineData("[2001:db8::42]:443", "2001:db8::42", 443)]
    [InlineData("[::ffff:10.0.0.1]:80", "::ffff:10.0.0.1", 80)]
    [InlineData("[fe80::1%eth0]:22", "fe80::1%eth0", 22)]
    [InlineData("[fe80::1%2]:22", "fe80::1%2", 22)]
    public void DestinationTcpValues(string value, string? host, int port)
    {
        var (services, errors) = Parse(value, SessionMode.Destination);

        Assert.Empty(errors);
        var service = Assert.Single(services);
        Assert.Null(service.ServiceId);
        Assert.Equal(new ServiceEndpoint { Host = host, Port = port }, service.Endpoint);
        Assert.False(service.Endpoint.IsUnixSocket);
    }

    [Theory]
    [InlineData("/run/app.sock")]
    [InlineData("./relative/app.sock")]
    [InlineData("/tmp/with:colon")]
    public void DestinationValueWithASlashIsAUnixSocketPath(string path)
    {
        var (services, errors) = Parse($"APP={path}", SessionMode.Destination);

        Assert.Empty(errors);
        var service = Assert.Single(services);
        Assert.Equal("APP", service.ServiceId);
        Assert.True(service.Endpoint.IsUnixSocket);
        Assert.Equal(path, service.Endpoint.UnixSocketPath);
        Assert.Null(service.Endpoint.Host);
    }

    [Fact]
    public void NamedDestinationMapOfEveryKind()
    {
        var (services, errors) = Parse("SSH1=22, WEB=10.0.0.1:80, V6=[::1]:8022, SOCK=/run/x.sock", SessionMode.Destination);

        Assert.Empty(errors);
        Assert.Equal(["SSH1", "WEB", "V6", "SOCK"], services.Select(service => service.ServiceId));
        Assert.Equal(["22", "10.0.0.1:80", "[::1]:8022", "/run/x.sock"], services.Select(service => service.Endpoint.ToString()));
    }

    [Theory]
    [InlineData("localhost", "port is required")]
    [InlineData("host:", "is not a port")]
    [InlineData("host:0", "is not a port")]
    [InlineData("host:65536", "is not a port")]
    [InlineData("host:http", "is not a port")]
    [InlineData("0", "is not a port")]
    [InlineData("99999", "is not a port")]
    [InlineData(":22", "host before ':' is empty")]
    [InlineData("::1:22", "must be in brackets")]
    [InlineData("fe80::1:22", "must be in brackets")]
    [InlineData("[::1]", "port is required")]
    [InlineData("[::1]22", "only ':' and a port")]
    [InlineData("[::1:22", "no closing ']'")]
    [InlineData("[10.0.0.1]:22", "is not an IPv6 address")]
    [InlineData("[fe80::1%]:22", "is not an IPv6 address")]
    [InlineData("[fe80::1%eth 0]:22", "is not an IPv6 address")]
    [InlineData("[gggg::1]:22", "is not an IPv6 address")]
    [InlineData("10.0.0.256:80", "is not an IPv4 address")]
    [InlineData("10.1:80", "is not an IPv4 address")]
    [InlineData("bad host:22", "is not a valid host name")]
    [InlineData("a..b:22", "is not a valid host name")]
    [InlineData("host!:22", "is not a valid host name")]
    public void BadDestinationValuesSayWhatIsExpected(string value, string reason)
    {
        var (services, errors) = Parse($"SVC={value}", SessionMode.Destination);

        Assert.Empty(services);
        var error = Assert.Single(errors);
        Assert.Equal(Field, error.Field);
        Assert.Contains($"'SVC={value}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TooLongHostNameIsAnError()
    {
        var host = string.Join('.', Enumerable.Repeat(new string('a', 50), 6));

        var (_, errors) = Parse($"{host}:22", SessionMode.Destination);

        Assert.Contains("not a valid host name", Assert.Single(errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnixPathWithControlCharactersIsAnError()
    {
        var (services, errors) = Parse("A=/run/a\u0001.sock", SessionMode.Destination);

        Assert.Empty(services);
        Assert.Contains("control characters", Assert.Single(errors).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("5555,SSH=6666", SessionMode.Source, "'5555'")]
    [InlineData("SSH=6666,7777", SessionMode.Source, "'7777'")]
    [InlineData("22,WEB=80", SessionMode.Destination, "'22'")]
    public void UnnamedEntryIsOnlyAllowedAlone(string map, SessionMode mode, string quoted)
    {
        var (services, errors) = Parse(map, mode);

        var error = Assert.Single(errors);
        Assert.Equal(Field, error.Field);
        Assert.Contains(quoted, error.Message, StringComparison.Ordinal);
        Assert.Contains("an entry without a service id is only allowed alone", error.Message, StringComparison.Ordinal);
        Assert.Single(services);
    }

    [Theory]
    [InlineData("bad id=22", "'bad id'")]
    [InlineData("SSH.1=22", "'SSH.1'")]
    [InlineData("ü=22", "'ü'")]
    public void ServiceIdsMustUseTheProtocolAlphabet(string map, string quotedId)
    {
        var (_, errors) = Parse(map, SessionMode.Destination);

        var error = Assert.Single(errors);
        Assert.Equal(Field, error.Field);
        Assert.Contains(quotedId, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ServiceIdsAreAtMost128Characters()
    {
        var (valid, validErrors) = Parse($"{new string('a', 128)}=22", SessionMode.Destination);
        var (_, errors) = Parse($"{new string('a', 129)}=22", SessionMode.Destination);

        Assert.Empty(validErrors);
        Assert.Single(valid);
        Assert.Contains("128", Assert.Single(errors).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("=22")]
    [InlineData(" = 22")]
    public void EmptyServiceIdIsAnError(string map)
    {
        var (_, errors) = Parse(map, SessionMode.Destination);

        Assert.Contains("service id before '=' is empty", Assert.Single(errors).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SSH=22,,WEB=80")]
    [InlineData("SSH=22,")]
    [InlineData(",SSH=22")]
    public void EmptyEntriesAreErrors(string map)
    {
        var (services, errors) = Parse(map, SessionMode.Destination);

        Assert.Contains("empty entry", Assert.Single(errors).Message, StringComparison.Ordinal);
        Assert.Equal("SSH", services[0].ServiceId);
    }

    [Fact]
    public void DuplicateIdsKeepTheFirstEntryWithoutAnError()
    {
        var (services, errors) = Parse("SSH=22,WEB=80,SSH=2222,WEB=/run/web.sock", SessionMode.Destination);

        Assert.Empty(errors);
        Assert.Equal(
            [new ServiceMapping("SSH", ServiceEndpoint.ForPort(22)), new ServiceMapping("WEB", ServiceEndpoint.ForPort(80))],
            services);
    }

    [Fact]
    public void ServiceIdsAreCaseSensitive()
    {
        var (services, _) = Parse("ssh=1,SSH=2", SessionMode.Source);

        Assert.Equal(2, services.Count);
    }

    [Fact]
    public void EveryErrorIsReportedAndValidEntriesAreStillReturned()
    {
        var (services, errors) = Parse("A=0,B=22,C=host,bad id=1,E=[::1]", SessionMode.Destination);

        Assert.Equal(4, errors.Count);
        Assert.All(errors, error => Assert.Equal(Field, error.Field));
        Assert.Equal("B", Assert.Single(services).ServiceId);
    }

    [Fact]
    public void ErrorsUseTheGivenFieldName()
    {
        var errors = new List<SpecError>();

        ServiceMapParser.Parse("x", SessionMode.Source, "sessions[2].services", errors);

        Assert.Equal("sessions[2].services", Assert.Single(errors).Field);
    }

    [Fact]
    public void ErrorsAreAppendedToTheGivenList()
    {
        var errors = new List<SpecError> { new("other", "earlier") };

        ServiceMapParser.Parse("0", SessionMode.Source, Field, errors);

        Assert.Equal(["other", Field], errors.Select(error => error.Field));
    }

    [Theory]
    [InlineData("5555", SessionMode.Source)]
    [InlineData("SSH1=5555,WEB=8080", SessionMode.Source)]
    [InlineData("22", SessionMode.Destination)]
    [InlineData("localhost:22", SessionMode.Destination)]
    [InlineData("SSH1=22,WEB=10.0.0.1:80,V6=[::1]:22,Z=[fe80::1%eth0]:22,SOCK=/run/app.sock", SessionMode.Destination)]
    public void FormatIsCanonicalAndRoundTrips(string map, SessionMode mode)
    {
        var (services, errors) = Parse(map, mode);

        var formatted = ServiceMapParser.Format(services);

        Assert.Empty(errors);
        Assert.Equal(map, formatted);
        Assert.Equal(services, Parse(formatted, mode).Services);
    }

    [Fact]
    public void FormatRemovesWhitespaceAndDuplicates()
    {
        var (services, _) = Parse(" A = 1 , B=[::1]:2 , A=3 ", SessionMode.Destination);

        Assert.Equal("A=1,B=[::1]:2", ServiceMapParser.Format(services));
        Assert.Equal(string.Empty, ServiceMapParser.Format([]));
    }

    private static (IReadOnlyList<ServiceMapping> Services, List<SpecError> Errors) Parse(string? map, SessionMode mode)
    {
        var errors = new List<SpecError>();
        var services = ServiceMapParser.Parse(map, mode, Field, errors);
        return (services, errors);
    }
}
