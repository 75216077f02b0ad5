using System.Text.Json;
using Gateway.Engine.Settings;

namespace Gateway.Engine.Tests.Settings;

public sealed class ProxySettingsJsonTests
{
    private static readonly Lazy<string> ReferenceFile = new(FindReferenceFile);

    [Fact]
    public void DefaultExportMatchesTheReferenceFileKeyForKeyInOrder()
    {
        var expected = Leaves(File.ReadAllText(ReferenceFile.Value));
        var actual = Leaves(ProxySettingsJson.Export(ProxySettings.Default));

        Assert.Equal(19, expected.Count);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void DefaultExportIsTheReferenceFileTextWithFourSpaceIndentation()
    {
        var expected = File.ReadAllText(ReferenceFile.Value).ReplaceLineEndings("\n");

        Assert.Equal(expected, ProxySettingsJson.Export(ProxySettings.Default));
    }

    [Fact]
    public void ExportWritesEveryValueAsAStringAndLeavesOutTheKeysTheReferenceDoesNotExport()
    {
        var leaves = Leaves(ProxySettingsJson.Export(ProxySettings.Default with { EndpointFormat = "x.%s.example", TcpWriteBufferSize = 4096 }));

        Assert.All(leaves, leaf => Assert.Equal(JsonValueKind.String, leaf.Kind));
        Assert.DoesNotContain(leaves, leaf => leaf.Key.EndsWith("endpoint_format", StringComparison.Ordinal));
        Assert.DoesNotContain(leaves, leaf => leaf.Key == "tunneling.proxy.tcp.write_buffer_size");
        Assert.DoesNotContain(leaves, leaf => leaf.Value == "4096");
    }

    [Fact]
    public void ExportListsEveryRegionOverrideAndChangedValues()
    {
        var settings = ProxySettings.Default with
        {
            RegionEndpointOverrides = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["us-gov-west-1"] = "tunnel.example.gov",
                ["cn-north-1"] = "data.tunneling.iot.cn-north-1.amazonaws.com.cn",
            },
            ReconnectOnDataError = false,
            ConnectRetryCount = 3,
        };

        var leaves = Leaves(ProxySettingsJson.Export(settings)).ToDictionary(leaf => leaf.Key, leaf => leaf.Value);

        Assert.Equal("tunnel.example.gov", leaves["tunneling.proxy.region_endpoint_overrides.us-gov-west-1"]);
        Assert.Equal("data.tunneling.iot.cn-north-1.amazonaws.com.cn", leaves["tunneling.proxy.region_endpoint_overrides.cn-north-1"]);
        Assert.False(leaves.ContainsKey("tunneling.proxy.region_endpoint_overrides.cn-northwest-1"));
        Assert.Equal("false", leaves["tunneling.proxy.websocket.reconnect_on_data_error"]);
        Assert.Equal("3", leaves["tunneling.proxy.websocket.connect_retry_count"]);
    }

    [Fact]
    public void ImportOfTheReferenceFileGivesTheDefaults()
    {
        var result = ProxySettingsJson.Import(File.ReadAllText(ReferenceFile.Value));

        Assert.True(result.IsValid);
        Assert.Empty(result.Errors);
        AssertSameSettings(ProxySettings.Default, result.Settings!);
    }

    [Fact]
    public void ExportThenImportRoundTripsEveryExportedValue()
    {
        var settings = new ProxySettings
        {
            DefaultBindAddress = "0.0.0.0",
            DataFrameMaxSize = 70000,
            MaxPayloadSize = 32000,
            MaxMessageSize = 40000,
            TcpConnectionRetryCount = -1,
            TcpConnectionRetryDelayMs = 10,
            TcpReadBufferSize = 8192,
            TcpMaxActiveConnections = 7,
            PingPeriodMs = 1000,
            RetryDelayMs = 0,
            ConnectRetryCount = 9,
            ReconnectOnDataError = false,
            Subprotocol = "aws.iot.securetunneling-2.0",
            MaxFrameSize = 2048,
            WebSocketWriteBufferSize = 3000,
            WebSocketReadBufferSize = 4000,
            RegionEndpointOverrides = new Dictionary<string, string>(StringComparer.Ordinal) { ["xx-test-1"] = "relay.example" },
        };

        var result = ProxySettingsJson.Import(ProxySettingsJson.Export(settings), new ProxySettings { RegionEndpointOverrides = new Dictionary<string, string>() });

        Assert.Empty(result.Errors);
        AssertSameSettings(settings, result.Settings!);
    }

    [Fact]
    public void PartialFileChangesOnlyItsKeys()
    {
        const string Json = """
            { "tunneling": { "proxy": { "tcp": { "max_active_connections": "16" }, "websocket": { "ping_period_ms": "5000" } } } }
            """;

        var result = ProxySettingsJson.Import(Json);

        Assert.Empty(result.Errors);
        AssertSameSettings(ProxySettings.Default with { TcpMaxActiveConnections = 16, PingPeriodMs = 5000 }, result.Settings!);
    }

    [Fact]
    public void AbsentKeysKeepTheBaseSettings()
    {
        var baseSettings = ProxySettings.Default with { RetryDelayMs = 111, DefaultBindAddress = "127.0.0.1" };

        var result = ProxySettingsJson.Import("""{ "tunneling": { "proxy": { "websocket": { "retry_delay_ms": "222" } } } }""", baseSettings);

        Assert.Equal(222, result.Settings!.RetryDelayMs);
        Assert.Equal("127.0.0.1", result.Settings.DefaultBindAddress);
    }

    [Fact]
    public void ValuesMayBeJsonNumbersAndBooleans()
    {
        const string Json = """
            { "tunneling": { "proxy": {
                "message": { "max_size": 60000, "max_payload_size": 50000 },
                "tcp": { "connection_retry_count": -1 },
                "websocket": { "reconnect_on_data_error": false }
            } } }
            """;

        var settings = ProxySettingsJson.Import(Json).Settings!;

        Assert.Equal(60000, settings.MaxMessageSize);
        Assert.Equal(50000, settings.MaxPayloadSize);
        Assert.Equal(-1, settings.TcpConnectionRetryCount);
        Assert.False(settings.ReconnectOnDataError);
    }

    [Fact]
    public void FlatDottedKeysAreReadLikeNestedOnes()
    {
        const string Json = """
            {
                "tunneling.proxy.tcp.max_active_connections": "3",
                "tunneling": { "proxy.websocket": { "subprotocol": "aws.iot.securetunneling-1.0" } },
                "tunneling.proxy.region_endpoint_overrides.eu-test-1": "relay.eu.example"
            }
            """;

        var settings = ProxySettingsJson.Import(Json).Settings!;

        Assert.Equal(3, settings.TcpMaxActiveConnections);
        Assert.Equal("aws.iot.securetunneling-1.0", settings.Subprotocol);
        Assert.Equal("relay.eu.example", settings.ResolveRegionHost("eu-test-1"));
    }

    [Fact]
    public void UnknownKeysAreIgnored()
    {
        const string Json = """
            {
                "comment": "not a setting",
                "other": { "proxy": { "tcp": { "max_active_connections": "abc" } } },
                "tunneling": { "proxy": {
                    "message": { "may_payload_size": "1", "max_size": "65536" },
                    "future_option": [1, 2],
                    "websocket": { "compression": "yes" }
                } }
            }
            """;

        var result = ProxySettingsJson.Import(Json);

        Assert.True(result.IsValid);
        AssertSameSettings(ProxySettings.Default, result.Settings!);
    }

    [Fact]
    public void NotExportedKeysAreRead()
    {
        const string Json = """
            { "tunneling": { "proxy": { "endpoint_format": "tunnel.%s.example.com", "tcp": { "write_buffer_size": "65536" } } } }
            """;

        var settings = ProxySettingsJson.Import(Json).Settings!;

        Assert.Equal("tunnel.%s.example.com", settings.EndpointFormat);
        Assert.Equal(65536, settings.TcpWriteBufferSize);
        Assert.Equal("tunnel.us-east-1.example.com", settings.ResolveRegionHost("us-east-1"));
    }

    [Fact]
    public void ChinaOverridesSurviveASettingsFileThatAddsAnother()
    {
        const string Json = """
            { "tunneling": { "proxy": { "region_endpoint_overrides": { "xx-west-1": "relay.example" } } } }
            """;

        var settings = ProxySettingsJson.Import(Json).Settings!;

        Assert.Equal("data.tunneling.iot.cn-north-1.amazonaws.com.cn", settings.ResolveRegionHost("cn-north-1"));
        Assert.Equal("data.tunneling.iot.cn-northwest-1.amazonaws.com.cn", settings.ResolveRegionHost("cn-northwest-1"));
        Assert.Equal("relay.example", settings.ResolveRegionHost("xx-west-1"));
        Assert.Equal("data.tunneling.iot.us-east-1.amazonaws.com", settings.ResolveRegionHost("us-east-1"));
        Assert.Equal(3, settings.RegionEndpointOverrides.Count);
    }

    [Fact]
    public void ChinaOverridesSurviveAFileWithoutOverrides()
    {
        var settings = ProxySettingsJson.Import("""{ "tunneling": { "proxy": { "default_bind_address": "0.0.0.0" } } }""").Settings!;

        Assert.Equal("data.tunneling.iot.cn-north-1.amazonaws.com.cn", settings.ResolveRegionHost("cn-north-1"));
    }

    [Fact]
    public void AnOverrideCanBeReplacedOrRemoved()
    {
        const string Json = """
            { "tunneling": { "proxy": { "region_endpoint_overrides": { "cn-north-1": "mirror.example", "cn-northwest-1": "" } } } }
            """;

        var settings = ProxySettingsJson.Import(Json).Settings!;

        Assert.Equal("mirror.example", settings.ResolveRegionHost("cn-north-1"));
        Assert.Equal("data.tunneling.iot.cn-northwest-1.amazonaws.com", settings.ResolveRegionHost("cn-northwest-1"));
        Assert.Equal(2, ProxySettings.Default.RegionEndpointOverrides.Count);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("True", true)]
    [InlineData("1", true)]
    [InlineData("false", false)]
    [InlineData("False", false)]
    [InlineData("0", false)]
    public void BooleansAcceptTrueFalseOneZeroInAnyCase(string value, bool expected)
    {
        var baseSettings = ProxySettings.Default with { ReconnectOnDataError = !expected };

        var settings = ProxySettingsJson.Import(Nested("websocket", "reconnect_on_data_error", value), baseSettings).Settings!;

        Assert.Equal(expected, settings.ReconnectOnDataError);
    }

    [Theory]
    [InlineData("tcp", "max_active_connections", "abc")]
    [InlineData("tcp", "connection_retry_count", "1.5")]
    [InlineData("tcp", "write_buffer_size", "")]
    [InlineData("message", "max_size", "99999999999")]
    [InlineData("message", "data_length_size", "two")]
    [InlineData("websocket", "ping_period_ms", "20s")]
    [InlineData("websocket", "reconnect_on_data_error", "maybe")]
    [InlineData("websocket", "reconnect_on_data_error", "yes")]
    public void UnparsableValuesAreErrorsNamingTheKey(string group, string key, string value)
    {
        var result = ProxySettingsJson.Import(Nested(group, key, value));

        Assert.False(result.IsValid);
        Assert.Null(result.Settings);
        var error = Assert.Single(result.Errors);
        Assert.Equal($"settings.{group}.{key}", error.Field);
        Assert.Contains($"{group}.{key}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryBadValueIsReported()
    {
        const string Json = """
            { "tunneling": { "proxy": { "tcp": { "read_buffer_size": "x", "max_active_connections": 2.5 }, "websocket": { "max_frame_size": [1] } } } }
            """;

        var result = ProxySettingsJson.Import(Json);

        Assert.Equal(
            ["settings.tcp.max_active_connections", "settings.tcp.read_buffer_size", "settings.websocket.max_frame_size"],
            result.Errors.Select(error => error.Field).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("{ \"tunneling\": ")]
    [InlineData("{ \"tunneling\": { \"proxy\": { \"tcp\": { \"max_active_connections\": 12 } }")]
    [InlineData("not json")]
    [InlineData("")]
    public void MalformedJsonIsOneErrorWithThePosition(string json)
    {
        var result = ProxySettingsJson.Import(json);

        Assert.Null(result.Settings);
        var error = Assert.Single(result.Errors);
        Assert.Equal("settings", error.Field);
        Assert.Contains("LineNumber", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("42")]
    public void ARootThatIsNotAnObjectIsAnError(string json)
    {
        var error = Assert.Single(ProxySettingsJson.Import(json).Errors);

        Assert.Equal("settings", error.Field);
    }

    [Fact]
    public void DefaultsAreValid()
    {
        Assert.Empty(ProxySettingsJson.Validate(ProxySettings.Default));
    }

    [Theory]
    [InlineData("dataLengthSize", 4, "2")]
    [InlineData("dataFrameMaxSize", 0, "at least 1")]
    [InlineData("maxPayloadSize", 0, "between 1 and 65000")]
    [InlineData("maxPayloadSize", 65001, "between 1 and 65000")]
    [InlineData("maxMessageSize", 0, "between 1 and 65536")]
    [InlineData("maxMessageSize", 65537, "between 1 and 65536")]
    [InlineData("tcpConnectionRetryCount", -2, "at least -1")]
    [InlineData("tcpConnectionRetryDelayMs", -1, "between 100 and 86400000")]
    [InlineData("tcpConnectionRetryDelayMs", 86_400_001, "between 100 and 86400000")]
    [InlineData("tcpReadBufferSize", 1023, "between 1024")]
    [InlineData("tcpWriteBufferSize", 100, "between 1024")]
    [InlineData("tcpMaxActiveConnections", 0, "between 1 and 65535")]
    [InlineData("tcpMaxActiveConnections", 65536, "between 1 and 65535")]
    [InlineData("pingPeriodMs", 99, "between 100 and 86400000")]
    [InlineData("pingPeriodMs", 86_400_001, "between 100 and 86400000")]
    [InlineData("retryDelayMs", -5, "between 100 and 86400000")]
    [InlineData("retryDelayMs", 0, "websocket.retry_delay_ms must be between 100 and 86400000")]
    [InlineData("retryDelayMs", 99, "between 100 and 86400000")]
    [InlineData("tcpConnectionRetryDelayMs", 0, "tcp.connection_retry_delay_ms must be between 100 and 86400000")]
    [InlineData("tcpConnectionRetryDelayMs", 10, "between 100 and 86400000")]
    [InlineData("connectRetryCount", -2, "at least -1")]
    [InlineData("maxFrameSize", 1000, "between 1024")]
    [InlineData("webSocketWriteBufferSize", 512, "between 1024")]
    [InlineData("webSocketReadBufferSize", 0, "between 1024")]
    public void OutOfRangeValuesAreNamedWithRangeAndValue(string property, int value, string range)
    {
        var error = Assert.Single(ProxySettingsJson.Validate(With(property, value)));

        Assert.Equal($"settings.{property}", error.Field);
        Assert.Contains(range, error.Message, StringComparison.Ordinal);
        Assert.Contains($"{value} was given", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tcpConnectionRetryCount", -1)]
    [InlineData("connectRetryCount", -1)]
    [InlineData("tcpConnectionRetryDelayMs", ProxySettingsJson.MinRetryDelayMs)]
    [InlineData("retryDelayMs", ProxySettingsJson.MinRetryDelayMs)]
    [InlineData("retryDelayMs", 86_400_000)]
    [InlineData("pingPeriodMs", 100)]
    [InlineData("tcpMaxActiveConnections", 65535)]
    [InlineData("tcpReadBufferSize", 1024)]
    [InlineData("maxMessageSize", 65536)]
    public void RangeEndsAreValid(string property, int value)
    {
        Assert.Empty(ProxySettingsJson.Validate(With(property, value)));
    }

    [Fact]
    public void PayloadMustFitTheMessageSize()
    {
        var error = Assert.Single(ProxySettingsJson.Validate(ProxySettings.Default with { MaxMessageSize = 32768 }));

        Assert.Equal("settings.maxPayloadSize", error.Field);
        Assert.Contains("64512 was given", error.Message, StringComparison.Ordinal);
        Assert.Empty(ProxySettingsJson.Validate(ProxySettings.Default with { MaxMessageSize = 32768, MaxPayloadSize = 32000 }));
    }

    [Theory]
    [InlineData("aws.iot.securetunneling-1.0", true)]
    [InlineData("aws.iot.securetunneling-2.0", true)]
    [InlineData("aws.iot.securetunneling-3.0", true)]
    [InlineData("aws.iot.securetunneling-4.0", false)]
    [InlineData("AWS.IOT.SECURETUNNELING-3.0", false)]
    [InlineData("", false)]
    public void SubprotocolMustBeOneOfTheThreeVersions(string subprotocol, bool valid)
    {
        var errors = ProxySettingsJson.Validate(ProxySettings.Default with { Subprotocol = subprotocol });

        if (valid)
        {
            Assert.Empty(errors);
        }
        else
        {
            Assert.Equal("settings.subprotocol", Assert.Single(errors).Field);
        }
    }

    [Theory]
    [InlineData("data.tunneling.iot.amazonaws.com")]
    [InlineData("%s.%s.example.com")]
    [InlineData("relay/%s")]
    [InlineData("")]
    public void EndpointFormatNeedsExactlyOnePlaceholderAndAHostName(string format)
    {
        var error = Assert.Single(ProxySettingsJson.Validate(ProxySettings.Default with { EndpointFormat = format }));

        Assert.Equal("settings.endpointFormat", error.Field);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void DefaultBindAddressMustNotBeEmpty(string address)
    {
        var error = Assert.Single(ProxySettingsJson.Validate(ProxySettings.Default with { DefaultBindAddress = address }));

        Assert.Equal("settings.defaultBindAddress", error.Field);
    }

    [Fact]
    public void OverrideHostsMustBeHostNames()
    {
        var settings = ProxySettings.Default with
        {
            RegionEndpointOverrides = new Dictionary<string, string>(StringComparer.Ordinal) { ["xx-1"] = "bad host" },
        };

        Assert.Equal("settings.regionEndpointOverrides.xx-1", Assert.Single(ProxySettingsJson.Validate(settings)).Field);
    }

    [Fact]
    public void LimitsAreReadWrittenOnlyWhenSetAndChecked()
    {
        var read = ProxySettingsJson.Import("""{"tunneling":{"proxy":{"limits":{"session_bytes_per_second_to_tunnel":"10000000","session_bytes_per_second_from_tunnel":2000,"connection_bytes_per_second":"1024","max_session_connections":"8"}}}}""");
        Assert.True(read.IsValid);
        var settings = read.Settings!;
        Assert.Equal((10_000_000, 2000, 1024, 8), (settings.SessionBandwidthToTunnel, settings.SessionBandwidthFromTunnel, settings.ConnectionBandwidth, settings.MaxSessionConnections));
        var again = ProxySettingsJson.Import(ProxySettingsJson.Export(settings)).Settings!;
        Assert.Equal((10_000_000, 2000, 1024, 8), (again.SessionBandwidthToTunnel, again.SessionBandwidthFromTunnel, again.ConnectionBandwidth, again.MaxSessionConnections));
        Assert.DoesNotContain("limits", ProxySettingsJson.Export(ProxySettings.Default), StringComparison.Ordinal);

        var bad = ProxySettings.Default with { SessionBandwidthToTunnel = 1023, SessionBandwidthFromTunnel = -5, ConnectionBandwidth = 1024, MaxSessionConnections = -1 };
        Assert.Equal(
            ["settings.maxSessionConnections", "settings.sessionBandwidthFromTunnel", "settings.sessionBandwidthToTunnel"],
            ProxySettingsJson.Validate(bad).Select(error => error.Field).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EveryRangeErrorIsReported()
    {
        var settings = ProxySettings.Default with { PingPeriodMs = 1, TcpMaxActiveConnections = 0, Subprotocol = "x" };

        Assert.Equal(
            ["settings.pingPeriodMs", "settings.subprotocol", "settings.tcpMaxActiveConnections"],
            ProxySettingsJson.Validate(settings).Select(error => error.Field).Order(StringComparer.Ordinal));
    }

    private static ProxySettings With(string property, int value) => property switch
    {
        "dataLengthSize" => ProxySettings.Default with { DataLengthSize = value },
        "dataFrameMaxSize" => ProxySettings.Default with { DataFrameMaxSize = value },
        "maxPayloadSize" => ProxySettings.Default with { MaxPayloadSize = value },
        "maxMessageSize" => ProxySettings.Default with { MaxMessageSize = value, MaxPayloadSize = 1000 },
        "tcpConnectionRetryCount" => ProxySettings.Default with { TcpConnectionRetryCount = value },
        "tcpConnectionRetryDelayMs" => ProxySettings.Default with { TcpConnectionRetryDelayMs = value },
        "tcpReadBufferSize" => ProxySettings.Default with { TcpReadBufferSize = value },
        "tcpWriteBufferSize" => ProxySettings.Default with { TcpWriteBufferSize = value },
        "tcpMaxActiveConnections" => ProxySettings.Default with { TcpMaxActiveConnections = value },
        "pingPeriodMs" => ProxySettings.Default with { PingPeriodMs = value },
        "retryDelayMs" => ProxySettings.Default with { RetryDelayMs = value },
        "connectRetryCount" => ProxySettings.Default with { ConnectRetryCount = value },
        "maxFrameSize" => ProxySettings.Default with { MaxFrameSize = value },
        "webSocketWriteBufferSize" => ProxySettings.Default with { WebSocketWriteBufferSize = value },
        "webSocketReadBufferSize" => ProxySettings.Default with { WebSocketReadBufferSize = value },
        _ => throw new ArgumentOutOfRangeException(nameof(property), property, null),
    };

    private static string Nested(string group, string key, string value) =>
        $$"""{ "tunneling": { "proxy": { "{{group}}": { "{{key}}": {{JsonSerializer.Serialize(value)}} } } } }""";

    private static void AssertSameSettings(ProxySettings expected, ProxySettings actual)
    {
        Assert.Equal(
            expected.RegionEndpointOverrides.OrderBy(pair => pair.Key, StringComparer.Ordinal),
            actual.RegionEndpointOverrides.OrderBy(pair => pair.Key, StringComparer.Ordinal));
        Assert.Equal(expected, actual with { RegionEndpointOverrides = expected.RegionEndpointOverrides });
    }

    /// <summary>Every leaf in document order as (dotted key, value kind, value text).</summary>
    private static List<(string Key, JsonValueKind Kind, string Value)> Leaves(string json)
    {
        using var document = JsonDocument.Parse(json);
        var leaves = new List<(string, JsonValueKind, string)>();
        Walk(document.RootElement, string.Empty, leaves);
        return leaves;
    }

    private static void Walk(JsonElement element, string prefix, List<(string, JsonValueKind, string)> leaves)
    {
        foreach (var property in element.EnumerateObject())
        {
            var key = prefix.Length == 0 ? property.Name : $"{prefix}.{property.Name}";
            if (property.Value.ValueKind == JsonValueKind.Object)
            {
                Walk(property.Value, key, leaves);
            }
            else
            {
                leaves.Add((key, property.Value.ValueKind, property.Value.ToString()));
            }
        }
    }

    /// <summary><c>../shared/reference/default-settings.json</c> next to the folder holding <c>TunnelGateway.sln</c>.</summary>
    private static string FindReferenceFile()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "TunnelGateway.sln")))
            {
                var path = Path.GetFullPath(Path.Combine(directory.FullName, "..", "shared", "reference", "default-settings.json"));
                return File.Exists(path) ? path : throw new FileNotFoundException("The reference settings file is missing.", path);
            }
        }

        throw new DirectoryNotFoundException($"No TunnelGateway.sln above {AppContext.BaseDirectory}.");
    }
}
