using Gateway.Api.Hosting;
using Gateway.Api.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Tests.Hosting;

/// <summary>Problems an operator must fix stop the start with a message that names them (Program prints it without a stack trace).</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task ADatabaseFileThatIsNotSqliteGivesAClearStartupError()
    {
        string dataDirectory = TestGateway.NewDataDirectory();
        await File.WriteAllTextAsync(Path.Combine(dataDirectory, "gateway.db"), new string('x', 8192));

        var error = await Assert.ThrowsAsync<GatewayStartupException>(() => TestGateway.StartAsync(dataDirectory));

        Assert.Contains("gateway.db", error.Message, StringComparison.Ordinal);
        Assert.Contains("not a SQLite database or it is damaged", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AZeroLengthDatabaseFileIsRefusedRatherThanReplacedByAnEmptyOne()
    {
        string dataDirectory = TestGateway.NewDataDirectory();
        string path = Path.Combine(dataDirectory, "gateway.db");
        await File.WriteAllBytesAsync(path, []);

        var error = await Assert.ThrowsAsync<GatewayStartupException>(() => TestGateway.StartAsync(dataDirectory));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("empty file (0 bytes)", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, new FileInfo(path).Length);
    }

    [Theory]
    [InlineData("Sessions:SourcePortMin", "0", "Sessions:SourcePortMin")]
    [InlineData("Sessions:SourcePortMin", "40000", "Sessions:SourcePortMax")]
    [InlineData("Auth:AdminPassword", "short", "Auth:AdminPassword")]
    [InlineData("Auth:AdminApiKey", "too-short-for-a-key", "Auth:AdminApiKey")]
    [InlineData("Auth:LoginAttemptsPerMinute", "0", "Auth:LoginAttemptsPerMinute")]
    [InlineData("Relay:ReceiveBufferBytes", "100", "Relay:ReceiveBufferBytes")]
    [InlineData("Relay:ReceiveBufferBytes", "-1", "Relay:ReceiveBufferBytes")]
    [InlineData("Relay:ReceiveBufferBytes", "100000000", "Relay:ReceiveBufferBytes")]
    [InlineData("Relay:MaxMessageSize", "1000", "Relay:MaxMessageSize")]
    [InlineData("Relay:AccountId", "12345", "Relay:AccountId")]
    [InlineData("Relay:DefaultLifetimeMinutes", "800", "Relay:DefaultLifetimeMinutes")]
    public async Task InvalidSettingsStopTheStartNamingTheSetting(string key, string value, string named)
    {
        var settings = new Dictionary<string, string?> { [key] = value };
        if (key == "Sessions:SourcePortMin" && value == "40000")
        {
            settings["Sessions:SourcePortMax"] = "30000";
        }

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestGateway.StartAsync(settings: settings));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }
}
