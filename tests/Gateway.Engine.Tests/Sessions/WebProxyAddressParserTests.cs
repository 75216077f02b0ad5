using Gateway.Engine.Sessions;
using Gateway.Engine.Settings;
using Gateway.Engine.Transport;

namespace Gateway.Engine.Tests.Sessions;

public sealed class WebProxyAddressParserTests
{
    private const string Field = "httpsProxy";

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void NoValueIsNoProxyAndNoError(string? value)
    {
        var (proxy, errors) = Parse(value);

        Assert.Null(proxy);
        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("http://proxy.example.com:8080", "proxy.example.com", 8080, false)]
    [InlineData("https://proxy.example.com:8443", "proxy.example.com", 8443, true)]
    [InlineData("HTTPS://proxy.example.com", "proxy.example.com", 3128, true)]
    [InlineData("http://proxy.example.com", "proxy.example.com", 3128, false)]
    [InlineData("http://proxy.example.com/", "proxy.example.com", 3128, false)]
    [InlineData("proxy.example.com", "proxy.example.com", 3128, false)]
    [InlineData("proxy:3129", "proxy", 3129, false)]
    [InlineData("10.0.0.1:3128", "10.0.0.1", 3128, false)]
    [InlineData("http://[::1]:3128", "::1", 3128, false)]
    [InlineData("http://[2001:db8::1]", "2001:db8::1", 3128, false)]
    [InlineData("https://[fe80::1%eth0]:8443", "fe80::1%eth0", 8443, true)]
    [InlineData("  http://proxy:1  ", "proxy", 1, false)]
    public void ParsesSchemeHostAndPort(string value, string host, int port, bool useTls)
    {
        var (proxy, errors) = Parse(value);

        Assert.Empty(errors);
        Assert.Equal(new WebProxyAddress(host, port, useTls, null, null), proxy);
        Assert.False(proxy!.HasCredentials);
    }

    [Theory]
    [InlineData("http://user:pass@proxy:3128", "user", "pass")]
    [InlineData("http://us%65r:p%40ss%3Aw%2Fd@proxy", "user", "p@ss:w/d")]
    [InlineData("http://user:p@ss@proxy", "user", "p@ss")]
    [InlineData("http://user@proxy", "user", "")]
    [InlineData("http://user:@proxy", "user", "")]
    [InlineData("http://%C3%BCser:%E2%82%AC@proxy", "üser", "€")]
    [InlineData("http://user:a:b@proxy", "user", "a:b")]
    public void CredentialsArePercentDecoded(string value, string user, string password)
    {
        var (proxy, errors) = Parse(value);

        Assert.Empty(errors);
        Assert.Equal(user, proxy!.UserName);
        Assert.Equal(password, proxy.Password);
        Assert.True(proxy.HasCredentials);
        Assert.Equal("proxy", proxy.Host);
    }

    [Theory]
    [InlineData("socks5://proxy:1080", "'socks5'")]
    [InlineData("ftp://proxy", "'ftp'")]
    [InlineData("://proxy", "empty scheme")]
    public void OtherSchemesAreErrors(string value, string shown)
    {
        var (proxy, errors) = Parse(value);

        Assert.Null(proxy);
        var error = Assert.Single(errors);
        Assert.Equal(Field, error.Field);
        Assert.Contains(shown, error.Message, StringComparison.Ordinal);
        Assert.Contains("http:// and https://", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://proxy:0", "is not a port")]
    [InlineData("http://proxy:65536", "is not a port")]
    [InlineData("http://proxy:abc", "is not a port")]
    [InlineData("http://proxy:", "is not a port")]
    [InlineData("http://::1:3128", "must be in brackets")]
    [InlineData("http://[::1", "no closing ']'")]
    [InlineData("http://[not-v6]:3128", "is not an IPv6 address")]
    [InlineData("http://bad host", "is not a valid host name")]
    [InlineData("http://", "no host")]
    [InlineData("http://user:pass@", "no host")]
    [InlineData("http://proxy/path", "path, query or fragment")]
    [InlineData("http://proxy?x=1", "path, query or fragment")]
    [InlineData("http://proxy#frag", "path, query or fragment")]
    [InlineData("http://:pass@proxy", "user name before '@' is empty")]
    [InlineData("http://us%00er:pw@proxy", "user name contains %00")]
    [InlineData("http://user%4:pw@proxy", "user name has a '%'")]
    [InlineData("http://%FF:pw@proxy", "user name is not valid UTF-8")]
    public void BadAddressesAreErrorsOnTheField(string value, string reason)
    {
        var (proxy, errors) = Parse(value);

        Assert.Null(proxy);
        var error = Assert.Single(errors);
        Assert.Equal(Field, error.Field);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://user:s3cr%00et@proxy:3128", "password contains %00")]
    [InlineData("http://user:s3cr%zzet@proxy:3128", "password has a '%'")]
    [InlineData("http://user:s3cr%FEet@proxy:3128", "password is not valid UTF-8")]
    [InlineData("http://user:s3cret@proxy:99999", "is not a port")]
    [InlineData("http://user:s3cret@bad_host!:3128", "is not a valid host name")]
    [InlineData("http://user:s3cret@proxy/x", "path")]
    [InlineData("http://user:s3cret@[::1]x", "only ':'")]
    public void ErrorsNeverShowThePassword(string value, string reason)
    {
        var (_, errors) = Parse(value);

        var error = Assert.Single(errors);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToStringHidesThePassword()
    {
        var (proxy, _) = Parse("https://alice:s3cret@[::1]:8443");

        Assert.Equal("https://alice:***@[::1]:8443", proxy!.ToString());
    }

    [Fact]
    public void ErrorsUseTheGivenFieldAndAreAppended()
    {
        var errors = new List<SpecError> { new("x", "earlier") };

        WebProxyAddressParser.Parse("gopher://proxy", "sessions[0].httpsProxy", errors);

        Assert.Equal(["x", "sessions[0].httpsProxy"], errors.Select(error => error.Field));
    }

    private static (WebProxyAddress? Proxy, List<SpecError> Errors) Parse(string? value)
    {
        var errors = new List<SpecError>();
        var proxy = WebProxyAddressParser.Parse(value, Field, errors);
        return (proxy, errors);
    }
}
