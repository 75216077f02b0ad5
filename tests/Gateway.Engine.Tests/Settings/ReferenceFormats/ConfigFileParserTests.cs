using Gateway.Engine.Settings.ReferenceFormats;

namespace Gateway.Engine.Tests.Settings.ReferenceFormats;

/// <summary><see cref="ReferenceFiles.ParseConfigFile"/>: the reference's <c>--config</c> file of <c>name = value</c> lines.</summary>
public sealed class ConfigFileParserTests
{
    private static ConfigKeyKind Classify(string name) => name switch
    {
        "region" or "access-token" or "destination-app" or "tunnel.region" => ConfigKeyKind.Value,
        "no-ssl-host-verify" => ConfigKeyKind.Switch,
        "verbose" => ConfigKeyKind.Ignored,
        _ => ConfigKeyKind.Unknown,
    };

    private static ConfigFileResult Parse(string text) => ReferenceFiles.ParseConfigFile(text, Classify, name => $"'{name}' is unknown.");

    [Fact]
    public void NameValueLinesWithCommentsBlankLinesAndCrLfAreRead()
    {
        var result = Parse("# a comment\r\n\r\n  region = us-east-1  # where\r\naccess-token=abc=def\n\tdestination-app =  SSH=127.0.0.1:22 \n");

        Assert.True(result.IsValid);
        Assert.Equal(new Dictionary<string, string>
        {
            ["region"] = "us-east-1",
            ["access-token"] = "abc=def",
            ["destination-app"] = "SSH=127.0.0.1:22",
        }, result.Values);
        Assert.Empty(result.Ignored);
    }

    [Fact]
    public void ASectionPrefixesTheNamesAfterIt()
    {
        var result = Parse("[tunnel]\nregion = eu-west-1\n");

        Assert.True(result.IsValid);
        Assert.Equal("eu-west-1", result.Values["tunnel.region"]);
        Assert.False(result.Values.ContainsKey("region"));
    }

    [Theory]
    [InlineData("yes", "true")]
    [InlineData("TRUE", "true")]
    [InlineData("on", "true")]
    [InlineData("1", "true")]
    [InlineData("No", "false")]
    [InlineData("off", "false")]
    [InlineData("0", "false")]
    [InlineData("false", "false")]
    public void ASwitchsBooleanWordComesBackAsTrueOrFalse(string written, string expected)
    {
        var result = Parse($"no-ssl-host-verify = {written}\n");

        Assert.True(result.IsValid);
        Assert.Equal(expected, result.Values["no-ssl-host-verify"]);
    }

    [Fact]
    public void IgnoredNamesAreListedWithTheirLinesEvenWhenRepeated()
    {
        var result = Parse("verbose = 5\nregion = us-east-1\nverbose = 6\n");

        Assert.True(result.IsValid);
        Assert.Equal([new ConfigFileLine(1, "verbose", "5"), new ConfigFileLine(3, "verbose", "6")], result.Ignored);
        Assert.Equal(["region"], result.Values.Keys);
    }

    [Fact]
    public void EveryProblemIsAnErrorWithItsLineAndKeyInLineOrderAndNoValue()
    {
        var result = Parse("region = us-east-1\n[]\n= secret-value-1\ncolour = secret-value-2\nregion = secret-value-3\nno-ssl-host-verify = secret-value-4\n[open\nno equals sign\n");

        Assert.False(result.IsValid);
        Assert.Equal(
            [
                new ReferenceFileError(null, 2, null, "a section header must look like [name]."),
                new ReferenceFileError(null, 3, null, "expected 'name = value' with a long option name such as region or access-token."),
                new ReferenceFileError(null, 4, "colour", "'colour' is unknown."),
                new ReferenceFileError(null, 5, "region", "'region' is given more than once."),
                new ReferenceFileError(null, 6, "no-ssl-host-verify", "'no-ssl-host-verify' is a switch: its value must be true or false."),
                new ReferenceFileError(null, 7, null, "a section header must look like [name]."),
                new ReferenceFileError(null, 8, null, "expected 'name = value' with a long option name such as region or access-token."),
            ],
            result.Errors);
        Assert.DoesNotContain(result.Errors, e => e.Message.Contains("secret-value", StringComparison.Ordinal));

        // The first value stays; a name with an error is left out.
        Assert.Equal(new Dictionary<string, string> { ["region"] = "us-east-1" }, result.Values);
        Assert.Equal("line 4: 'colour' is unknown.", result.Errors[2].ToString());
    }

    [Fact]
    public void AnEmptyTextHasNoValuesAndNoErrors()
    {
        var result = Parse(string.Empty);

        Assert.True(result.IsValid);
        Assert.Empty(result.Values);
    }
}
