using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;

namespace Gateway.Engine.Tests.Sessions;

public sealed class MessageFormatsTests
{
    [Theory]
    [InlineData("V1", MessageFormat.V1)]
    [InlineData("v2", MessageFormat.V2)]
    [InlineData("V3", MessageFormat.V3)]
    public void TheNamesInAnyCaseAreFormats(string text, MessageFormat expected) =>
        Assert.Equal(expected, MessageFormats.Parse(text));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("2")]
    [InlineData("V1,V2")]
    [InlineData(" V1")]
    [InlineData("V4")]
    public void NumbersListsAndOtherTextAreNot(string? text) =>
        Assert.Null(MessageFormats.Parse(text));
}
