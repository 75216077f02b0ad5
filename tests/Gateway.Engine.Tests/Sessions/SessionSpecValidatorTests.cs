using Gateway.Engine.Protocol;
using Gateway.Engine.Proxy;
using Gateway.Engine.Sessions;
using Gateway.Engine.Settings;
using Gateway.Engine.Transport;

namespace Gateway.Engine.Tests.Sessions;

public sealed class SessionSpecValidatorTests
{
    private const string AccessToken = "AQGAAXhHXyZ-secret-access-token";

    private static readonly Func<string, string?> NoEnvironment = _ => null;

    private static readonly SessionSpec Valid = new()
    {
        Mode = SessionMode.Source,
        Region = "us-east-1",
        AccessToken = AccessToken,
        Services = "SSH1=5555",
    };

    [Fact]
    public void ValidRegionSpecResolvesTheServiceEndpoint()
    {
        var result = Validate(Valid);

        Assert.True(result.IsValid);
        Assert.Empty(result.Errors);
        var spec = result.Spec!;
        Assert.Same(Valid, spec.Spec);
        Assert.Equal(new TunnelEndpoint("data.tunneling.iot.us-east-1.amazonaws.com", 443, true, "/tunnel"), spec.Endpoint);
        Assert.Equal([new ServiceMapping("SSH1", ServiceEndpoint.ForPort(5555))], spec.Services);
        Assert.Null(spec.WebProxy);
    }

    [Theory]
    [InlineData("cn-north-1", "data.tunneling.iot.cn-north-1.amazonaws.com.cn")]
    [InlineData("cn-northwest-1", "data.tunneling.iot.cn-northwest-1.amazonaws.com.cn")]
    [InlineData("eu-central-1", "data.tunneling.iot.eu-central-1.amazonaws.com")]
    [InlineData("us-gov-west-1", "data.tunneling.iot.us-gov-west-1.amazonaws.com")]
    public void RegionUsesOverridesThenTheFormat(string region, string host)
    {
        Assert.Equal(host, Validate(Valid with { Region = region }).Spec!.Endpoint.Host);
    }

    [Fact]
    public void RegionUsesTheSpecSettings()
    {
        var settings = ProxySettings.Default with { EndpointFormat = "tunnel.%s.example.com" };

        Assert.Equal("tunnel.xx-1.example.com", Validate(Valid with { Region = "xx-1", Settings = settings }).Spec!.Endpoint.Host);
    }

    [Theory]
    [InlineData("US-EAST-1")]
    [InlineData("us east 1")]
    [InlineData("us_east_1")]
    [InlineData("us-east-1.evil.com/")]
    public void BadRegionsAreErrors(string region)
    {
        var result = Validate(Valid with { Region = region });

        Assert.False(result.IsValid);
        Assert.Null(result.Spec);
        Assert.Equal("region", Assert.Single(result.Errors).Field);
    }

    [Fact]
    public void RegionLongerThan64IsAnError()
    {
        Assert.Equal("region", Assert.Single(Validate(Valid with { Region = new string('a', 65) }).Errors).Field);
    }

    [Theory]
    [InlineData("us-east-1", "relay.local")]
    [InlineData(null, null)]
    [InlineData("", "  ")]
    public void ExactlyOneOfRegionOrEndpoint(string? region, string? endpoint)
    {
        var result = Validate(Valid with { Region = region, Endpoint = endpoint });

        var error = Assert.Single(result.Errors);
        Assert.Equal("endpoint", error.Field);
        Assert.Contains("give exactly one of region or endpoint", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("relay.local", "relay.local", 443, true, "/tunnel")]
    [InlineData("Relay.Example.COM", "relay.example.com", 443, true, "/tunnel")]
    [InlineData("relay.local:8443", "relay.local", 8443, true, "/tunnel")]
    [InlineData("127.0.0.1:5000", "127.0.0.1", 5000, true, "/tunnel")]
    [InlineData("[::1]:8443", "::1", 8443, true, "/tunnel")]
    [InlineData("[::1]", "::1", 443, true, "/tunnel")]
    [InlineData("[FE80::1%eth0]:9000", "fe80::1%eth0", 9000, true, "/tunnel")]
    [InlineData("wss://relay.local", "relay.local", 443, true, "/tunnel")]
    [InlineData("wss://relay.local/", "relay.local", 443, true, "/tunnel")]
    [InlineData("WSS://Relay.Local:9443/custom/tunnel", "relay.local", 9443, true, "/custom/tunnel")]
    [InlineData("ws://localhost", "localhost", 80, false, "/tunnel")]
    [InlineData("ws://localhost:5000/tunnel", "localhost", 5000, false, "/tunnel")]
    [InlineData("ws://[::1]:5000", "::1", 5000, false, "/tunnel")]
    [InlineData("wss://[2001:db8::1]/t", "2001:db8::1", 443, true, "/t")]
    public void EndpointForms(string endpoint, string host, int port, bool useTls, string path)
    {
        var result = Validate(Valid with { Region = null, Endpoint = endpoint });

        Assert.Empty(result.Errors);
        Assert.Equal(new TunnelEndpoint(host, port, useTls, path), result.Spec!.Endpoint);
    }

    [Theory]
    [InlineData("relay.local/tunnel")]
    [InlineData("relay.local:99999")]
    [InlineData("relay.local:0")]
    [InlineData("relay_local")]
    [InlineData("::1:443")]
    [InlineData("[::1]x")]
    [InlineData("https://relay.local")]
    [InlineData("http://relay.local")]
    [InlineData("wss://")]
    [InlineData("wss://relay.local?x=1")]
    [InlineData("wss://relay.local/tunnel#frag")]
    [InlineData("wss://user:pw@relay.local")]
    [InlineData("wss://relay.local/a b")]
    [InlineData("wss://relay.local:http")]
    [InlineData("ws://bad host")]
    public void BadEndpointsAreErrors(string endpoint)
    {
        var result = Validate(Valid with { Region = null, Endpoint = endpoint });

        Assert.Null(result.Spec);
        Assert.Equal("endpoint", Assert.Single(result.Errors).Field);
    }

    [Fact]
    public void EndpointLongerThan253IsAnError()
    {
        var endpoint = string.Join('.', Enumerable.Repeat(new string('a', 60), 5));

        Assert.Equal("endpoint", Assert.Single(Validate(Valid with { Region = null, Endpoint = endpoint }).Errors).Field);
    }

    [Fact]
    public void EndpointUserInfoIsNotEchoed()
    {
        var error = Assert.Single(Validate(Valid with { Region = null, Endpoint = "wss://me:hunter2@relay.local" }).Errors);

        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "required")]
    [InlineData("SeKr\niT", "control characters")]
    [InlineData("SeKr\u0000iT", "control characters")]
    [InlineData("SeKr\u007FiT", "control characters")]
    public void BadAccessTokensAreErrorsThatNeverShowTheToken(string token, string reason)
    {
        var error = Assert.Single(Validate(Valid with { AccessToken = token }).Errors);

        Assert.Equal("accessToken", error.Field);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SeKr", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AccessTokenIsAtMost4096Characters()
    {
        var longToken = "secret" + new string('x', 4091);

        Assert.True(Validate(Valid with { AccessToken = longToken[..4096] }).IsValid);
        var error = Assert.Single(Validate(Valid with { AccessToken = longToken }).Errors);
        Assert.Equal("accessToken", error.Field);
        Assert.Contains("4096", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingClientTokenIsGenerated()
    {
        var first = Validate(Valid).Spec!;
        var second = Validate(Valid with { ClientToken = string.Empty }).Spec!;

        Assert.True(first.ClientTokenGenerated);
        Assert.Equal(48, first.ClientToken.Length);
        Assert.Matches("^[a-zA-Z0-9-]{32,128}$", first.ClientToken);
        Assert.True(second.ClientTokenGenerated);
        Assert.NotEqual(first.ClientToken, second.ClientToken);
    }

    [Theory]
    [InlineData(32)]
    [InlineData(128)]
    public void GivenClientTokenIsKept(int length)
    {
        var token = string.Concat(Enumerable.Repeat("Ab9-", 32))[..length];

        var spec = Validate(Valid with { ClientToken = token }).Spec!;

        Assert.Equal(token, spec.ClientToken);
        Assert.False(spec.ClientTokenGenerated);
    }

    [Theory]
    [InlineData("short-secret-token")]
    [InlineData("secret_with_underscores_0123456789abcdef")]
    [InlineData("secret with spaces 0123456789abcdef01234")]
    [InlineData("secret-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("secret-0123456789abcdef0123456789abcdef\n")]
    public void BadClientTokensAreErrorsThatNeverShowTheToken(string token)
    {
        var error = Assert.Single(Validate(Valid with { ClientToken = token }).Errors);

        Assert.Equal("clientToken", error.Field);
        Assert.Contains("32 to 128", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ClientTokensGenerateValidDistinctTokens()
    {
        var tokens = Enumerable.Range(0, 100).Select(_ => ClientTokens.Generate()).ToList();

        Assert.All(tokens, token => Assert.True(ClientTokens.IsValid(token)));
        Assert.All(tokens, token => Assert.Equal(ClientTokens.GeneratedLength, token.Length));
        Assert.Equal(tokens.Count, tokens.Distinct(StringComparer.Ordinal).Count());
        Assert.False(ClientTokens.IsValid(null));
        Assert.False(ClientTokens.IsValid(new string('a', 31)));
        Assert.False(ClientTokens.IsValid(new string('a', 32) + "\n"));
    }

    [Theory]
    [InlineData(SessionMode.Source, null)]
    [InlineData(SessionMode.Destination, "")]
    [InlineData(SessionMode.Destination, "  ")]
    public void EmptyServiceMapIsAllowed(SessionMode mode, string? services)
    {
        var result = Validate(Valid with { Mode = mode, Services = services });

        Assert.True(result.IsValid);
        Assert.Empty(result.Spec!.Services);
    }

    [Fact]
    public void DestinationServicesAreParsed()
    {
        var spec = Validate(Valid with { Mode = SessionMode.Destination, Services = "SSH=22,WEB=[::1]:80,SOCK=/run/a.sock" }).Spec!;

        Assert.Equal("SSH=22,WEB=[::1]:80,SOCK=/run/a.sock", ServiceMapParser.Format(spec.Services));
    }

    [Fact]
    public void ServiceMapErrorsAreNamedServices()
    {
        var result = Validate(Valid with { Services = "SSH=0,WEB=localhost:80" });

        Assert.Equal(["services", "services"], result.Errors.Select(error => error.Field));
    }

    [Fact]
    public void UndefinedModeIsAnError()
    {
        var result = Validate(Valid with { Mode = (SessionMode)7 });

        Assert.Equal("mode", Assert.Single(result.Errors).Field);
    }

    [Fact]
    public void UndefinedMessageFormatIsAnError()
    {
        Assert.Equal("messageFormat", Assert.Single(Validate(Valid with { MessageFormat = (MessageFormat)9 }).Errors).Field);
    }

    [Theory]
    [InlineData(MessageFormat.V1, "5555", true)]
    [InlineData(MessageFormat.V1, "SSH=5555", true)]
    [InlineData(MessageFormat.V1, null, true)]
    [InlineData(MessageFormat.V1, "SSH=5555,WEB=8080", false)]
    [InlineData(MessageFormat.V2, "SSH=5555,WEB=8080", true)]
    [InlineData(MessageFormat.V3, "SSH=5555,WEB=8080", true)]
    public void V1CarriesOneService(MessageFormat format, string? services, bool valid)
    {
        var result = Validate(Valid with { MessageFormat = format, Services = services });

        Assert.Equal(valid, result.IsValid);
        if (!valid)
        {
            Assert.Equal("messageFormat", Assert.Single(result.Errors).Field);
        }
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fe80::1%eth0")]
    [InlineData("localhost")]
    [InlineData("my-host.example.com")]
    public void GoodBindAddresses(string address)
    {
        Assert.True(Validate(Valid with { BindAddress = address }).IsValid);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[::1]")]
    [InlineData("256.0.0.1")]
    [InlineData("10.1")]
    [InlineData("bad host")]
    [InlineData("under_score")]
    [InlineData("host:22")]
    public void BadBindAddressesAreErrors(string address)
    {
        Assert.Equal("bindAddress", Assert.Single(Validate(Valid with { BindAddress = address }).Errors).Field);
    }

    [Fact]
    public void BindAddressIsAtMost253Characters()
    {
        var address = string.Join('.', Enumerable.Repeat(new string('a', 63), 4));

        Assert.Equal("bindAddress", Assert.Single(Validate(Valid with { BindAddress = address }).Errors).Field);
    }

    [Fact]
    public void CaPathMustBeAnExistingDirectory()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-ca-dir-" + Guid.NewGuid().ToString("N"));

        Assert.True(Validate(Valid with { CaPath = Path.GetTempPath() }).IsValid);
        var error = Assert.Single(Validate(Valid with { CaPath = missing }).Errors);
        Assert.Equal("caPath", error.Field);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Equal("caPath", Assert.Single(Validate(Valid with { CaPath = string.Empty }).Errors).Field);
    }

    [Theory]
    [InlineData("/proc")]
    [InlineData("/proc/self")]
    [InlineData("/dev")]
    [InlineData("/sys/kernel")]
    public void CaPathUnderDevProcOrSysIsRefused(string caPath)
    {
        var error = Assert.Single(Validate(Valid with { CaPath = caPath }).Errors);

        Assert.Equal("caPath", error.Field);
        Assert.Contains("under /dev, /proc or /sys", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CaPathLinkedToProcIsRefused()
    {
        var link = Path.Combine(Path.GetTempPath(), "ca-link-to-proc-" + Guid.NewGuid().ToString("N"));
        Directory.CreateSymbolicLink(link, "/proc/self");
        try
        {
            var error = Assert.Single(Validate(Valid with { CaPath = link }).Errors);

            Assert.Equal("caPath", error.Field);
            Assert.Contains("under /dev, /proc or /sys", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(link);
        }
    }

    [Fact]
    public void HttpsProxyIsParsed()
    {
        var spec = Validate(Valid with { HttpsProxy = "https://u:p@proxy.local:8443" }).Spec!;

        Assert.Equal(new WebProxyAddress("proxy.local", 8443, true, "u", "p"), spec.WebProxy);
    }

    [Fact]
    public void BadHttpsProxyIsAnErrorWithoutThePassword()
    {
        var error = Assert.Single(Validate(Valid with { HttpsProxy = "socks5://u:hunter2@proxy" }).Errors);

        Assert.Equal("httpsProxy", error.Field);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://lower:3128", "http://upper:3128", "lower")]
    [InlineData(null, "http://upper:3128", "upper")]
    [InlineData("", "http://upper:3128", "upper")]
    public void EnvironmentProxyPrefersLowerCase(string? lower, string? upper, string host)
    {
        var environment = FakeEnvironment(("https_proxy", lower), ("HTTPS_PROXY", upper));

        var spec = SessionSpecValidator.Validate(Valid, environment).Spec!;

        Assert.Equal(new WebProxyAddress(host, 3128, false, null, null), spec.WebProxy);
    }

    [Fact]
    public void SpecProxyWinsOverTheEnvironment()
    {
        var environment = FakeEnvironment(("https_proxy", "http://env:1"));

        Assert.Equal("spec", SessionSpecValidator.Validate(Valid with { HttpsProxy = "spec:2" }, environment).Spec!.WebProxy!.Host);
    }

    [Fact]
    public void EmptySpecProxyTurnsTheEnvironmentProxyOff()
    {
        var environment = FakeEnvironment(("https_proxy", "http://env:1"));

        Assert.Null(SessionSpecValidator.Validate(Valid with { HttpsProxy = string.Empty }, environment).Spec!.WebProxy);
    }

    [Theory]
    [InlineData("https_proxy")]
    [InlineData("HTTPS_PROXY")]
    public void BadEnvironmentProxyNamesTheVariable(string variable)
    {
        var environment = FakeEnvironment((variable, "ftp://user:hunter2@proxy"));

        var error = Assert.Single(SessionSpecValidator.Validate(Valid, environment).Errors);

        Assert.Equal("httpsProxy", error.Field);
        Assert.Contains($"environment variable {variable}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnvironmentIsOnlyReadForTheProxy()
    {
        var asked = new List<string>();

        SessionSpecValidator.Validate(Valid, name =>
        {
            asked.Add(name);
            return null;
        });
        SessionSpecValidator.Validate(Valid with { HttpsProxy = "proxy" }, name =>
        {
            asked.Add("unexpected " + name);
            return null;
        });

        Assert.Equal(["https_proxy", "HTTPS_PROXY"], asked);
    }

    [Fact]
    public void NameIsAtMost200Characters()
    {
        Assert.True(Validate(Valid with { Name = new string('n', 200) }).IsValid);
        Assert.Equal("name", Assert.Single(Validate(Valid with { Name = new string('n', 201) }).Errors).Field);
    }

    [Fact]
    public void SettingsErrorsAreNamedBySettingsProperty()
    {
        var result = Validate(Valid with { Settings = ProxySettings.Default with { PingPeriodMs = 1, Subprotocol = "x" } });

        Assert.Equal(["settings.pingPeriodMs", "settings.subprotocol"], result.Errors.Select(error => error.Field).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EveryErrorIsReportedAtOnce()
    {
        var spec = new SessionSpec
        {
            Name = new string('n', 300),
            Mode = SessionMode.Destination,
            Region = "BAD",
            AccessToken = string.Empty,
            ClientToken = "short",
            Services = "bad id=22",
            BindAddress = "bad host",
            CaPath = "/no/such/dir/for/sure",
            HttpsProxy = "socks://p",
            Settings = ProxySettings.Default with { TcpMaxActiveConnections = 0 },
        };

        var result = Validate(spec);

        Assert.False(result.IsValid);
        Assert.Null(result.Spec);
        Assert.Equal(
            ["accessToken", "bindAddress", "caPath", "clientToken", "httpsProxy", "name", "region", "services", "settings.tcpMaxActiveConnections"],
            result.Errors.Select(error => error.Field).Order(StringComparer.Ordinal));
        Assert.All(result.Errors, error => Assert.False(string.IsNullOrWhiteSpace(error.Message)));
    }

    private static SpecValidationResult Validate(SessionSpec spec) => SessionSpecValidator.Validate(spec, NoEnvironment);

    private static Func<string, string?> FakeEnvironment(params (string Name, string? Value)[] variables) =>
        name => variables.FirstOrDefault(variable => variable.Name == name).Value;
}
