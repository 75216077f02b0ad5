using System.Globalization;
using System.Text;
using System.Text.Json;
using Gateway.Engine.Proxy;
using Gateway.Engine.Sessions;

namespace Gateway.Engine.Settings;

/// <summary>
/// The reference's settings JSON (docs/protocol.md section 12): <c>--export-default-settings</c> output and
/// <c>--settings-json</c> input, plus range checks of a <see cref="ProxySettings"/>.
/// </summary>
public static class ProxySettingsJson
{
    /// <summary>The path of the object that holds the settings in the JSON, <c>{"tunneling": {"proxy": {...}}}</c>; keys outside it are ignored.</summary>
    public const string RootKey = "tunneling.proxy";

    private const string OverridesKey = "region_endpoint_overrides";

    private const string ErrorFieldPrefix = "settings.";

    private const int MaxDelayMs = 86_400_000;

    /// <summary>
    /// Smallest <c>websocket.retry_delay_ms</c> and <c>tcp.connection_retry_delay_ms</c> accepted (docs/deployment.md,
    /// Limits): with 0 a session that cannot connect retries in a tight loop, burning cores and filling the log.
    /// </summary>
    public const int MinRetryDelayMs = 100;

    private const int MinBufferSize = 1024;

    private const int MaxBufferSize = 64 * 1024 * 1024;

    /// <summary>Room a DATA message needs beside its payload (type, stream id, 128-char service id, connection id).</summary>
    private const int MessageOverhead = 256;

    private static readonly string[] Subprotocols =
    [
        "aws.iot.securetunneling-1.0",
        "aws.iot.securetunneling-2.0",
        "aws.iot.securetunneling-3.0",
    ];

    /// <summary>Every key <see cref="Import"/> reads, relative to <see cref="RootKey"/>, besides the region overrides.</summary>
    private static readonly HashSet<string> KnownKeys = new(StringComparer.Ordinal)
    {
        "default_bind_address",
        "endpoint_format",
        "message.data_length_size",
        "message.data_frame_max_size",
        "message.max_payload_size",
        "message.max_size",
        "tcp.connection_retry_count",
        "tcp.connection_retry_delay_ms",
        "tcp.read_buffer_size",
        "tcp.max_active_connections",
        "tcp.write_buffer_size",
        "websocket.ping_period_ms",
        "websocket.retry_delay_ms",
        "websocket.connect_retry_count",
        "websocket.reconnect_on_data_error",
        "websocket.subprotocol",
        "websocket.max_frame_size",
        "websocket.write_buffer_size",
        "websocket.read_buffer_size",
        "limits.session_bytes_per_second_to_tunnel",
        "limits.session_bytes_per_second_from_tunnel",
        "limits.connection_bytes_per_second",
        "limits.max_session_connections",
    };

    private static readonly JsonDocumentOptions ReadOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
    };

    private static readonly JsonWriterOptions WriteOptions = new()
    {
        Indented = true,
        IndentSize = 4,
        NewLine = "\n",
    };

    /// <summary>
    /// The settings in the shape and key order of <c>--export-default-settings</c>: nested objects, every
    /// value a string, 4-space indentation, a final newline. <c>endpoint_format</c> and
    /// <c>tcp.write_buffer_size</c> are not written (as in the reference); every region override is.
    /// </summary>
    public static string Export(ProxySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, WriteOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("tunneling");
            writer.WriteStartObject("proxy");
            writer.WriteString("default_bind_address", settings.DefaultBindAddress);

            writer.WriteStartObject("message");
            WriteInt(writer, "data_length_size", settings.DataLengthSize);
            WriteInt(writer, "data_frame_max_size", settings.DataFrameMaxSize);
            WriteInt(writer, "max_payload_size", settings.MaxPayloadSize);
            WriteInt(writer, "max_size", settings.MaxMessageSize);
            writer.WriteEndObject();

            writer.WriteStartObject("tcp");
            WriteInt(writer, "connection_retry_count", settings.TcpConnectionRetryCount);
            WriteInt(writer, "connection_retry_delay_ms", settings.TcpConnectionRetryDelayMs);
            WriteInt(writer, "read_buffer_size", settings.TcpReadBufferSize);
            WriteInt(writer, "max_active_connections", settings.TcpMaxActiveConnections);
            writer.WriteEndObject();

            writer.WriteStartObject("websocket");
            WriteInt(writer, "ping_period_ms", settings.PingPeriodMs);
            WriteInt(writer, "retry_delay_ms", settings.RetryDelayMs);
            WriteInt(writer, "connect_retry_count", settings.ConnectRetryCount);
            writer.WriteString("reconnect_on_data_error", settings.ReconnectOnDataError ? "true" : "false");
            writer.WriteString("subprotocol", settings.Subprotocol);
            WriteInt(writer, "max_frame_size", settings.MaxFrameSize);
            WriteInt(writer, "write_buffer_size", settings.WebSocketWriteBufferSize);
            WriteInt(writer, "read_buffer_size", settings.WebSocketReadBufferSize);
            writer.WriteEndObject();

            // Our own keys; written only when set, so a default export stays the reference's file.
            if (settings.SessionBandwidthToTunnel != 0 || settings.SessionBandwidthFromTunnel != 0 || settings.ConnectionBandwidth != 0 || settings.MaxSessionConnections != 0)
            {
                writer.WriteStartObject("limits");
                WriteInt(writer, "session_bytes_per_second_to_tunnel", settings.SessionBandwidthToTunnel);
                WriteInt(writer, "session_bytes_per_second_from_tunnel", settings.SessionBandwidthFromTunnel);
                WriteInt(writer, "connection_bytes_per_second", settings.ConnectionBandwidth);
                WriteInt(writer, "max_session_connections", settings.MaxSessionConnections);
                writer.WriteEndObject();
            }

            writer.WriteStartObject(OverridesKey);
            foreach (var (region, host) in (settings.RegionEndpointOverrides ?? new Dictionary<string, string>()).OrderBy(pair => pair.Key, StringComparer.Ordinal))
            {
                writer.WriteString(region, host);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>
    /// Reads a (partial) settings file. Keys may be nested objects as exported, or dotted
    /// (<c>"tunneling.proxy.tcp.max_active_connections"</c>); values may be strings, numbers or booleans.
    /// Absent keys keep the value of <paramref name="baseSettings"/> (default <see cref="ProxySettings.Default"/>),
    /// unknown keys are ignored, and <c>region_endpoint_overrides</c> entries are merged into the base
    /// overrides (an empty host removes that region's override). Only syntax is checked here; see
    /// <see cref="Validate"/> for ranges. Every bad value is an error named <c>settings.&lt;dotted key&gt;</c>.
    /// </summary>
    public static ProxySettingsImportResult Import(string json, ProxySettings? baseSettings = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        var settings = baseSettings ?? ProxySettings.Default;
        var errors = new List<SpecError>();
        var leaves = new List<KeyValuePair<string, JsonElement>>();
        try
        {
            using var document = JsonDocument.Parse(json, ReadOptions);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Failed(new SpecError("settings", "The settings file must hold a JSON object, e.g. {\"tunneling\": {\"proxy\": {...}}}."));
            }

            Flatten(document.RootElement, string.Empty, leaves);
            Dictionary<string, string>? overrides = null;
            foreach (var (fullKey, element) in leaves)
            {
                if (!fullKey.StartsWith(RootKey + ".", StringComparison.Ordinal))
                {
                    continue;
                }

                var key = fullKey[(RootKey.Length + 1)..];
                var isOverride = key.StartsWith(OverridesKey + ".", StringComparison.Ordinal) && key.Length > OverridesKey.Length + 1;
                if (!isOverride && !KnownKeys.Contains(key))
                {
                    continue;
                }

                var text = ValueText(key, element, errors);
                if (text is null)
                {
                    continue;
                }

                if (isOverride)
                {
                    overrides ??= new Dictionary<string, string>(settings.RegionEndpointOverrides ?? new Dictionary<string, string>(), StringComparer.Ordinal);
                    var region = key[(OverridesKey.Length + 1)..];
                    if (text.Length == 0)
                    {
                        overrides.Remove(region);
                    }
                    else
                    {
                        overrides[region] = text;
                    }

                    continue;
                }

                settings = Apply(settings, key, text, errors);
            }

            if (overrides is not null)
            {
                settings = settings with { RegionEndpointOverrides = overrides };
            }
        }
        catch (JsonException ex)
        {
            return Failed(new SpecError("settings", $"The settings file is not valid JSON: {ex.Message}"));
        }

        return errors.Count == 0 ? new ProxySettingsImportResult(settings, []) : new ProxySettingsImportResult(null, errors);
    }

    /// <summary>Range checks; fields are <c>settings.&lt;camelCase property&gt;</c>, e.g. <c>settings.pingPeriodMs</c>.</summary>
    public static IReadOnlyList<SpecError> Validate(ProxySettings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var errors = new List<SpecError>();
        if (string.IsNullOrWhiteSpace(s.DefaultBindAddress))
        {
            errors.Add(Error("defaultBindAddress", "default_bind_address must not be empty; the reference default is 'localhost'."));
        }

        if (s.DataLengthSize != 2)
        {
            errors.Add(Error("dataLengthSize", $"message.data_length_size must be 2 (the only frame length prefix the protocol has); {s.DataLengthSize} was given."));
        }

        Range(errors, "dataFrameMaxSize", "message.data_frame_max_size", s.DataFrameMaxSize, 1, int.MaxValue);
        var messageSizeOk = Range(errors, "maxMessageSize", "message.max_size", s.MaxMessageSize, 1, 65536);
        var payloadOk = Range(errors, "maxPayloadSize", "message.max_payload_size", s.MaxPayloadSize, 1, 65000);
        if (messageSizeOk && payloadOk && s.MaxPayloadSize > s.MaxMessageSize - MessageOverhead)
        {
            errors.Add(Error("maxPayloadSize", $"message.max_payload_size must leave {MessageOverhead} bytes of message.max_size ({s.MaxMessageSize}) for the other fields of a DATA message, so at most {s.MaxMessageSize - MessageOverhead}; {s.MaxPayloadSize} was given."));
        }

        Range(errors, "tcpConnectionRetryCount", "tcp.connection_retry_count (-1 = retry forever)", s.TcpConnectionRetryCount, -1, int.MaxValue);
        Range(errors, "tcpConnectionRetryDelayMs", "tcp.connection_retry_delay_ms", s.TcpConnectionRetryDelayMs, MinRetryDelayMs, MaxDelayMs);
        Range(errors, "tcpReadBufferSize", "tcp.read_buffer_size", s.TcpReadBufferSize, MinBufferSize, MaxBufferSize);
        Range(errors, "tcpMaxActiveConnections", "tcp.max_active_connections", s.TcpMaxActiveConnections, 1, 65535);
        Range(errors, "tcpWriteBufferSize", "tcp.write_buffer_size", s.TcpWriteBufferSize, MinBufferSize, MaxBufferSize);
        Range(errors, "pingPeriodMs", "websocket.ping_period_ms", s.PingPeriodMs, 100, MaxDelayMs);
        Range(errors, "retryDelayMs", "websocket.retry_delay_ms", s.RetryDelayMs, MinRetryDelayMs, MaxDelayMs);
        Range(errors, "connectRetryCount", "websocket.connect_retry_count (-1 = retry forever)", s.ConnectRetryCount, -1, int.MaxValue);
        if (!Subprotocols.Contains(s.Subprotocol, StringComparer.Ordinal))
        {
            errors.Add(Error("subprotocol", $"websocket.subprotocol must be one of {string.Join(", ", Subprotocols)}; {ServiceMapParser.Quote(s.Subprotocol ?? string.Empty)} was given."));
        }

        Range(errors, "maxFrameSize", "websocket.max_frame_size", s.MaxFrameSize, MinBufferSize, MaxBufferSize);
        Range(errors, "webSocketWriteBufferSize", "websocket.write_buffer_size", s.WebSocketWriteBufferSize, MinBufferSize, MaxBufferSize);
        Range(errors, "webSocketReadBufferSize", "websocket.read_buffer_size", s.WebSocketReadBufferSize, MinBufferSize, MaxBufferSize);
        Bandwidth(errors, "sessionBandwidthToTunnel", "limits.session_bytes_per_second_to_tunnel", s.SessionBandwidthToTunnel);
        Bandwidth(errors, "sessionBandwidthFromTunnel", "limits.session_bytes_per_second_from_tunnel", s.SessionBandwidthFromTunnel);
        Bandwidth(errors, "connectionBandwidth", "limits.connection_bytes_per_second", s.ConnectionBandwidth);
        Range(errors, "maxSessionConnections", "limits.max_session_connections (0 = no cap)", s.MaxSessionConnections, 0, 65535);
        ValidateEndpointFormat(errors, s.EndpointFormat);
        ValidateOverrides(errors, s.RegionEndpointOverrides);
        return errors;
    }

    private static void ValidateEndpointFormat(List<SpecError> errors, string? format)
    {
        format ??= string.Empty;
        var placeholders = CountOccurrences(format, "%s");
        if (placeholders != 1)
        {
            errors.Add(Error("endpointFormat", $"endpoint_format must contain exactly one %s (replaced by the region), e.g. data.tunneling.iot.%s.amazonaws.com; {ServiceMapParser.Quote(format)} has {placeholders}."));
        }
        else if (!ServiceMapParser.IsHostName(format.Replace("%s", "us-east-1", StringComparison.Ordinal), allowUnderscore: false))
        {
            errors.Add(Error("endpointFormat", $"endpoint_format must give a host name (letters, digits, '.' and '-') once %s is replaced by a region; {ServiceMapParser.Quote(format)} was given."));
        }
    }

    private static void ValidateOverrides(List<SpecError> errors, IReadOnlyDictionary<string, string>? overrides)
    {
        if (overrides is null)
        {
            errors.Add(Error("regionEndpointOverrides", "region_endpoint_overrides must not be null; use an empty map for none."));
            return;
        }

        foreach (var (region, host) in overrides.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (string.IsNullOrWhiteSpace(region))
            {
                errors.Add(Error("regionEndpointOverrides", "region_endpoint_overrides has an entry with an empty region."));
            }
            else if (host is null || !ServiceMapParser.IsHostName(host, allowUnderscore: false))
            {
                errors.Add(Error($"regionEndpointOverrides.{region}", $"region_endpoint_overrides.{region} must be a host name (letters, digits, '.' and '-'); {ServiceMapParser.Quote(host ?? string.Empty)} was given."));
            }
        }
    }

    /// <summary>Smallest bandwidth cap: below a kilobyte per second one DATA frame would take a minute.</summary>
    public const int MinBandwidth = 1024;

    private static void Bandwidth(List<SpecError> errors, string property, string key, int value)
    {
        if (value != 0 && value < MinBandwidth)
        {
            errors.Add(Error(property, $"{key} must be 0 (no cap) or at least {MinBandwidth} bytes per second; {value.ToString(CultureInfo.InvariantCulture)} was given."));
        }
    }

    private static bool Range(List<SpecError> errors, string property, string key, int value, int min, int max)
    {
        if (value >= min && value <= max)
        {
            return true;
        }

        var allowed = max == int.MaxValue
            ? $"at least {min.ToString(CultureInfo.InvariantCulture)}"
            : $"between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}";
        errors.Add(Error(property, $"{key} must be {allowed}; {value.ToString(CultureInfo.InvariantCulture)} was given."));
        return false;
    }

    private static SpecError Error(string property, string message) => new(ErrorFieldPrefix + property, message);

    private static int CountOccurrences(string text, string part)
    {
        var count = 0;
        for (var index = text.IndexOf(part, StringComparison.Ordinal); index >= 0; index = text.IndexOf(part, index + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static ProxySettingsImportResult Failed(SpecError error) => new(null, [error]);

    private static void WriteInt(Utf8JsonWriter writer, string name, int value) =>
        writer.WriteString(name, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>Every non-object value under its dotted path; a dotted property name joins the same way a nested one does.</summary>
    private static void Flatten(JsonElement element, string prefix, List<KeyValuePair<string, JsonElement>> leaves)
    {
        foreach (var property in element.EnumerateObject())
        {
            var key = prefix.Length == 0 ? property.Name : prefix + "." + property.Name;
            if (property.Value.ValueKind == JsonValueKind.Object)
            {
                Flatten(property.Value, key, leaves);
            }
            else
            {
                leaves.Add(new KeyValuePair<string, JsonElement>(key, property.Value));
            }
        }
    }

    /// <summary>A leaf value as text (strings as they are, numbers as written, booleans as true/false); null for JSON null or an error.</summary>
    private static string? ValueText(string key, JsonElement element, List<SpecError> errors)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return element.GetString();
            case JsonValueKind.Number:
                return element.GetRawText();
            case JsonValueKind.True:
                return "true";
            case JsonValueKind.False:
                return "false";
            case JsonValueKind.Null:
                return null;
            default:
                errors.Add(new SpecError(ErrorFieldPrefix + key, $"{key} must be a string, number or boolean, not {element.ValueKind.ToString().ToLowerInvariant()}."));
                return null;
        }
    }

    private static ProxySettings Apply(ProxySettings s, string key, string text, List<SpecError> errors) => key switch
    {
        "default_bind_address" => s with { DefaultBindAddress = text },
        "endpoint_format" => s with { EndpointFormat = text },
        "message.data_length_size" => ReadInt(key, text, errors) is { } v ? s with { DataLengthSize = v } : s,
        "message.data_frame_max_size" => ReadInt(key, text, errors) is { } v ? s with { DataFrameMaxSize = v } : s,
        "message.max_payload_size" => ReadInt(key, text, errors) is { } v ? s with { MaxPayloadSize = v } : s,
        "message.max_size" => ReadInt(key, text, errors) is { } v ? s with { MaxMessageSize = v } : s,
        "tcp.connection_retry_count" => ReadInt(key, text, errors) is { } v ? s with { TcpConnectionRetryCount = v } : s,
        "tcp.connection_retry_delay_ms" => ReadInt(key, text, errors) is { } v ? s with { TcpConnectionRetryDelayMs = v } : s,
        "tcp.read_buffer_size" => ReadInt(key, text, errors) is { } v ? s with { TcpReadBufferSize = v } : s,
        "tcp.max_active_connections" => ReadInt(key, text, errors) is { } v ? s with { TcpMaxActiveConnections = v } : s,
        "tcp.write_buffer_size" => ReadInt(key, text, errors) is { } v ? s with { TcpWriteBufferSize = v } : s,
        "websocket.ping_period_ms" => ReadInt(key, text, errors) is { } v ? s with { PingPeriodMs = v } : s,
        "websocket.retry_delay_ms" => ReadInt(key, text, errors) is { } v ? s with { RetryDelayMs = v } : s,
        "websocket.connect_retry_count" => ReadInt(key, text, errors) is { } v ? s with { ConnectRetryCount = v } : s,
        "websocket.reconnect_on_data_error" => ReadBool(key, text, errors) is { } b ? s with { ReconnectOnDataError = b } : s,
        "websocket.subprotocol" => s with { Subprotocol = text },
        "websocket.max_frame_size" => ReadInt(key, text, errors) is { } v ? s with { MaxFrameSize = v } : s,
        "websocket.write_buffer_size" => ReadInt(key, text, errors) is { } v ? s with { WebSocketWriteBufferSize = v } : s,
        "websocket.read_buffer_size" => ReadInt(key, text, errors) is { } v ? s with { WebSocketReadBufferSize = v } : s,
        "limits.session_bytes_per_second_to_tunnel" => ReadInt(key, text, errors) is { } v ? s with { SessionBandwidthToTunnel = v } : s,
        "limits.session_bytes_per_second_from_tunnel" => ReadInt(key, text, errors) is { } v ? s with { SessionBandwidthFromTunnel = v } : s,
        "limits.connection_bytes_per_second" => ReadInt(key, text, errors) is { } v ? s with { ConnectionBandwidth = v } : s,
        "limits.max_session_connections" => ReadInt(key, text, errors) is { } v ? s with { MaxSessionConnections = v } : s,
        _ => s,
    };

    private static int? ReadInt(string key, string text, List<SpecError> errors)
    {
        if (int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        errors.Add(new SpecError(ErrorFieldPrefix + key, $"{key} must be a whole number; {ServiceMapParser.Quote(text)} was given."));
        return null;
    }

    private static bool? ReadBool(string key, string text, List<SpecError> errors)
    {
        var trimmed = text.Trim();
        if (trimmed.Equals("true", StringComparison.OrdinalIgnoreCase) || trimmed == "1")
        {
            return true;
        }

        if (trimmed.Equals("false", StringComparison.OrdinalIgnoreCase) || trimmed == "0")
        {
            return false;
        }

        errors.Add(new SpecError(ErrorFieldPrefix + key, $"{key} must be true, false, 1 or 0; {ServiceMapParser.Quote(text)} was given."));
        return null;
    }
}
