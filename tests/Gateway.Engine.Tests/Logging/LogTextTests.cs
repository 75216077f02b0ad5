using Gateway.Engine.Logging;

namespace Gateway.Engine.Tests.Logging;

public sealed class LogTextTests
{
    [Theory]
    [InlineData("SSH1", "SSH1")]
    [InlineData("", "")]
    [InlineData("a\\x0Db", "a\\x0Db")]
    [InlineData("café ☕ 日本", "café ☕ 日本")]
    [InlineData("SSH\r\nINFO forged line", "SSH\\x0D\\x0AINFO forged line")]
    [InlineData("red\u001b[31m", "red\\x1B[31m")]
    [InlineData("nul\0tab\tdel\u007f", "nul\\x00tab\\x09del\\x7F")]
    [InlineData("c1\u0085\u009b", "c1\\x85\\x9B")]
    [InlineData("line\u2028sep\u2029", "line\\u2028sep\\u2029")]
    [InlineData("bidi\u202Eevil\u2066", "bidi\\u202Eevil\\u2066")]
    public void ControlCharactersAreWrittenAsEscapesAndPrintableTextIsKept(string value, string expected) =>
        Assert.Equal(expected, LogText.Escape(value));

    [Fact]
    public void PrintableShortTextIsReturnedAsItIs()
    {
        const string value = "aws.iot.securetunneling-3.0";
        Assert.Same(value, LogText.Escape(value));
    }

    [Fact]
    public void NullIsEmpty() => Assert.Equal(string.Empty, LogText.Escape(null));

    [Fact]
    public void EscapingTwiceChangesNothing()
    {
        string once = LogText.Escape("a\r\u001b\u2028\\b");
        Assert.Equal(once, LogText.Escape(once));
    }

    [Fact]
    public void LongTextIsCutAndSaysHowLongItWas()
    {
        string value = new('x', 10_000);
        string escaped = LogText.Escape(value);
        Assert.StartsWith(new string('x', LogText.DefaultMaxLength), escaped, StringComparison.Ordinal);
        Assert.EndsWith("... (10000 chars)", escaped, StringComparison.Ordinal);
        Assert.Equal(LogText.DefaultMaxLength + "... (10000 chars)".Length, escaped.Length);
        Assert.Equal("abc... (6 chars)", LogText.Escape("abcdef", 3));
        Assert.Equal("abcdef", LogText.Escape("abcdef", 6));
    }

    [Fact]
    public void CutNeverSplitsASurrogatePairAndLoneSurrogatesAreEscaped()
    {
        Assert.Equal("a... (3 chars)", LogText.Escape("a\U0001F600", 2));
        Assert.Equal("a\U0001F600", LogText.Escape("a\U0001F600", 3));
        Assert.Equal("x\\uD83Dy\\uDE00", LogText.Escape("x\uD83Dy\uDE00"));
    }
}
