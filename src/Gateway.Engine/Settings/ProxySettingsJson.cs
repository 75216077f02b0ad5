using System.Globalization;
using System.Text.Json;
using System.Text;
using Gateway.Engine.Protocol;
using Gateway.Engine.Proxy;
using Gateway.Engine.Relay;
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

    /// <summary>
    /// Smallest <c>websocket.retry_delay_ms</c> and <c>tcp.connection_retry_delay_ms</c> accepted (docs/deployment.md,
    /// Limits): with 0 a session that cannot connect retries in a tight loop, burning cores and filling the log.
    /// </summary>
    public const int MinRetryDelayMs = 100;

    /// <summary>Smallest bandwidth cap: below a kilobyte per second one DATA frame would take a minute.</summary>
    public const int MinBandwidth = 1024;

    private const string OverridesKey = "region_endpoint_overrides";

    private const string ErrorFieldPrefix = "settings.";

    private const int MaxDelayMs = 86_400_000;

    private const int MinBufferSize = 1024;

    private const int MaxBufferSize = 64 * 1024 * 1024;

    /// <summary>Room a DATA message needs beside its payload (type, stream id, 128-char service id, connection id).</summary>
    private const int MessageOverhead = 256;

    private const string MaxSizeKey = "message.max_size";

    /// <summary>
    /// Every setting but the region overrides, one row each: its reference key, the camelCase field of its
    /// <see cref="Validate"/> errors, how it is read from and set on a <see cref="ProxySettings"/>, and its checks.
    /// <see cref="Export"/> writes the rows in this order, each under the object named by its key's part before
    /// the dot, so the order is the reference's export and the rows of one object stay together; <see cref="Validate"/>
    /// checks them in this order too, but a row with <see cref="Setting.CheckedAfter"/> right after that row.
    /// </summary>
    private static readonly Setting[] Table =
    [
        Text("default_bind_address", "defaultBindAddress", s => s.DefaultBindAddress, (s, v) => s with { DefaultBindAddress = v }, NotBlank("the reference default is 'localhost'")),
        Int("message.data_length_size", "dataLengthSize", s => s.DataLengthSize, (s, v) => s with { DataLengthSize = v }, Exactly(2, "the only frame length prefix the protocol has")),
        Int("message.data_frame_max_size", "dataFrameMaxSize", s => s.DataFrameMaxSize, (s, v) => s with { DataFrameMaxSize = v }, AtLeast(1)),
        Int("message.max_payload_size", "maxPayloadSize", s => s.MaxPayloadSize, (s, v) => s with { MaxPayloadSize = v }, Between(1, 65000), FitsInMessage) with { CheckedAfter = MaxSizeKey },
        Int(MaxSizeKey, "maxMessageSize", s => s.MaxMessageSize, (s, v) => s with { MaxMessageSize = v }, Between(1, 65536)),
        Int("tcp.connection_retry_count", "tcpConnectionRetryCount", s => s.TcpConnectionRetryCount, (s, v) => s with { TcpConnectionRetryCount = v }, AtLeast(-1, "-1 = retry forever")),
        Int("tcp.connection_retry_delay_ms", "tcpConnectionRetryDelayMs", s => s.TcpConnectionRetryDelayMs, (s, v) => s with { TcpConnectionRetryDelayMs = v }, Between(MinRetryDelayMs, MaxDelayMs)),
        Int("tcp.read_buffer_size", "tcpReadBufferSize", s => s.TcpReadBufferSize, (s, v) => s with { TcpReadBufferSize = v }, Buffer()),
        Int("tcp.max_active_connections", "tcpMaxActiveConnections", s => s.TcpMaxActiveConnections, (s, v) => s with { TcpMaxActiveConnections = v }, Between(1, 65535)),
        Int("tcp.write_buffer_size", "tcpWriteBufferSize", s => s.TcpWriteBufferSize, (s, v) => s with { TcpWriteBufferSize = v }, Buffer()) with { Exported = false },
        Int("websocket.ping_period_ms", "pingPeriodMs", s => s.PingPeriodMs, (s, v) => s with { PingPeriodMs = v }, Between(100, MaxDelayMs)),
        Int("websocket.retry_delay_ms", "retryDelayMs", s => s.RetryDelayMs, (s, v) => s with { RetryDelayMs = v }, Between(MinRetryDelayMs, MaxDelayMs)),
        Int("websocket.connect_retry_count", "connectRetryCount", s => s.ConnectRetryCount, (s, v) => s with { ConnectRetryCount = v }, AtLeast(-1, "-1 = retry forever")),
        Bool("websocket.reconnect_on_data_error", "reconnectOnDataError", s => s.ReconnectOnDataError, (s, v) => s with { ReconnectOnDataError = v }),
        Text("websocket.subprotocol", "subprotocol", s => s.Subprotocol, (s, v) => s with { Subprotocol = v }, OneOf(Subprotocols.All)),
        Int("websocket.max_frame_size", "maxFrameSize", s => s.MaxFrameSize, (s, v) => s with { MaxFrameSize = v }, Buffer()),
        Int("websocket.write_buffer_size", "webSocketWriteBufferSize", s => s.WebSocketWriteBufferSize, (s, v) => s with { WebSocketWriteBufferSize = v }, Buffer()),
        Int("websocket.read_buffer_size", "webSocketReadBufferSize", s => s.WebSocketReadBufferSize, (s, v) => s with { WebSocketReadBufferSize = v }, Buffer()),
        Int("limits.session_bytes_per_second_to_tunnel", "sessionBandwidthToTunnel", s => s.SessionBandwidthToTunnel, (s, v) => s with { SessionBandwidthToTunnel = v }, Bandwidth) with { Ours = true },
        Int("limits.session_bytes_per_second_from_tunnel", "sessionBandwidthFromTunnel", s => s.SessionBandwidthFromTunnel, (s, v) => s with { SessionBandwidthFromTunnel = v }, Bandwidth) with { Ours = true },
        Int("limits.connection_bytes_per_second", "connectionBandwidth", s => s.ConnectionBandwidth, (s, v) => s with { ConnectionBandwidth = v }, Bandwidth) with { Ours = true },
        Int("limits.max_session_connections", "maxSessionConnections", s => s.MaxSessionConnections, (s, v) => s with { MaxSessionConnections = v }, Between(0, 65535, "0 = no cap")) with { Ours = true },
        Text("endpoint_format", "endpointFormat", s => s.EndpointFormat, (s, v) => s with { EndpointFormat = v }, HostFormat) with { Exported = false },
    ];

    /// <summary>The rows by key, relative to <see cref="RootKey"/>: every key <see cref="Import"/> reads besides the region overrides.</summary>
    private static readonly Dictionary<string, Setting> ByKey = Table.ToDictionary(row => row.Key, StringComparer.Ordinal);

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

    /// <summary>Reads the text of a value; false (with the error added) when it is not one.</summary>
    private delegate bool Parser<T>(string key, string text, List<SpecError> errors, out T value);

    /// <summary>One check of a setting's value; false (with the error added) when the value fails it.</summary>
    private delegate bool Rule<in T>(Setting row, ProxySettings settings, T value, List<SpecError> errors);

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
            string? open = null;
            foreach (var row in Table)
            {
                // Our own keys are written only when one of their object is set, so a default export stays the reference's file.
                if (!row.Exported || (row.Ours && !IsAnySet(row.Group, settings)))
                {
                    continue;
                }

                if (row.Group != open)
                {
                    if (open is not null)
                    {
                        writer.WriteEndObject();
                    }

                    if (row.Group is not null)
                    {
                        writer.WriteStartObject(row.Group);
                    }

                    open = row.Group;
                }

                writer.WriteString(row.Name, row.Text(settings));
            }

            if (open is not null)
            {
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
                Setting? row = null;
                if (!isOverride && !ByKey.TryGetValue(key, out row))
                {
                    continue;
                }

                var text = ValueText(key, element, errors);
                if (text is null)
                {
                    continue;
                }

                if (row is not null)
                {
                    settings = row.Read(settings, text, errors);
                    continue;
                }

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
        foreach (var row in Table)
        {
            if (row.CheckedAfter is not null)
            {
                continue;
            }

            row.Check(s, errors);
            foreach (var dependent in Table)
            {
                if (dependent.CheckedAfter == row.Key)
                {
                    dependent.Check(s, errors);
                }
            }
        }

        ValidateOverrides(errors, s.RegionEndpointOverrides);
        return errors;
    }

    /// <summary>True when a row of <paramref name="group"/> that is <see cref="Setting.Ours"/> differs from its default.</summary>
    private static bool IsAnySet(string? group, ProxySettings settings) =>
        Table.Any(row => row.Ours && row.Group == group && row.Text(settings) != row.Text(ProxySettings.Default));

    private static Setting<int> Int(string key, string field, Func<ProxySettings, int> get, Func<ProxySettings, int, ProxySettings> set, params Rule<int>[] rules) =>
        new(key, field, get, set, ReadInt, value => value.ToString(CultureInfo.InvariantCulture), rules);

    private static Setting<bool> Bool(string key, string field, Func<ProxySettings, bool> get, Func<ProxySettings, bool, ProxySettings> set) =>
        new(key, field, get, set, ReadBool, value => value ? "true" : "false", []);

    private static Setting<string> Text(string key, string field, Func<ProxySettings, string> get, Func<ProxySettings, string, ProxySettings> set, params Rule<string>[] rules) =>
        new(key, field, get, set, ReadText, value => value, rules);

    private static Rule<int> AtLeast(int min, string? note = null) => Between(min, int.MaxValue, note);

    private static Rule<int> Buffer() => Between(MinBufferSize, MaxBufferSize);

    /// <summary>Between <paramref name="min"/> and <paramref name="max"/>; <paramref name="note"/> follows the key in the message, in parentheses.</summary>
    private static Rule<int> Between(int min, int max, string? note = null) => (row, _, value, errors) =>
    {
        if (value >= min && value <= max)
        {
            return true;
        }

        var allowed = max == int.MaxValue
            ? $"at least {min.ToString(CultureInfo.InvariantCulture)}"
            : $"between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}";
        var label = note is null ? row.Key : $"{row.Key} ({note})";
        return row.Fail(errors, $"{label} must be {allowed}; {value.ToString(CultureInfo.InvariantCulture)} was given.");
    };

    private static Rule<int> Exactly(int expected, string why) => (row, _, value, errors) =>
        value == expected || row.Fail(errors, $"{row.Key} must be {expected} ({why}); {value} was given.");

    private static bool Bandwidth(Setting row, ProxySettings settings, int value, List<SpecError> errors) =>
        value == 0 || value >= MinBandwidth
        || row.Fail(errors, $"{row.Key} must be 0 (no cap) or at least {MinBandwidth} bytes per second; {value.ToString(CultureInfo.InvariantCulture)} was given.");

    /// <summary>The payload leaves room in <c>message.max_size</c> for the other fields; checked once <c>message.max_size</c> itself is valid.</summary>
    private static bool FitsInMessage(Setting row, ProxySettings settings, int value, List<SpecError> errors)
    {
        var maxSize = settings.MaxMessageSize;
        return !ByKey[MaxSizeKey].Check(settings, []) || value <= maxSize - MessageOverhead
            || row.Fail(errors, $"{row.Key} must leave {MessageOverhead} bytes of {MaxSizeKey} ({maxSize}) for the other fields of a DATA message, so at most {maxSize - MessageOverhead}; {value} was given.");
    }

    private static Rule<string> NotBlank(string hint) => (row, _, value, errors) =>
        !string.IsNullOrWhiteSpace(value) || row.Fail(errors, $"{row.Key} must not be empty; {hint}.");

    private static Rule<string> OneOf(IReadOnlyList<string> allowed) => (row, _, value, errors) =>
        allowed.Contains(value, StringComparer.Ordinal)
        || row.Fail(errors, $"{row.Key} must be one of {string.Join(", ", allowed)}; {ServiceMapParser.Quote(value ?? string.Empty)} was given.");

    private static bool HostFormat(Setting row, ProxySettings settings, string? format, List<SpecError> errors)
    {
        format ??= string.Empty;
        var placeholders = CountOccurrences(format, "%s");
        if (placeholders != 1)
        {
            return row.Fail(errors, $"{row.Key} must contain exactly one %s (replaced by the region), e.g. data.tunneling.iot.%s.amazonaws.com; {ServiceMapParser.Quote(format)} has {placeholders}.");
        }

        return ServiceMapParser.IsHostName(format.Replace("%s", "us-east-1", StringComparison.Ordinal), allowUnderscore: false)
            || row.Fail(errors, $"{row.Key} must give a host name (letters, digits, '.' and '-') once %s is replaced by a region; {ServiceMapParser.Quote(format)} was given.");
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

    private static bool ReadText(string key, string text, List<SpecError> errors, out string value)
    {
        value = text;
        return true;
    }

    private static bool ReadInt(string key, string text, List<SpecError> errors, out int value)
    {
        if (int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        errors.Add(new SpecError(ErrorFieldPrefix + key, $"{key} must be a whole number; {ServiceMapParser.Quote(text)} was given."));
        return false;
    }

    private static bool ReadBool(string key, string text, List<SpecError> errors, out bool value)
    {
        var trimmed = text.Trim();
        value = trimmed.Equals("true", StringComparison.OrdinalIgnoreCase) || trimmed == "1";
        if (value || trimmed.Equals("false", StringComparison.OrdinalIgnoreCase) || trimmed == "0")
        {
            return true;
        }

        errors.Add(new SpecError(ErrorFieldPrefix + key, $"{key} must be true, false, 1 or 0; {ServiceMapParser.Quote(text)} was given."));
        return false;
    }

    /// <summary>One row of <see cref="Table"/>: a setting's key relative to <see cref="RootKey"/> and the camelCase field of its range errors.</summary>
    private abstract record Setting(string Key, string Field)
    {
        /// <summary>False for the keys the reference reads but does not export (<c>endpoint_format</c>, <c>tcp.write_buffer_size</c>).</summary>
        public bool Exported { get; init; } = true;

        /// <summary>The key of the setting that bounds this one, e.g. <c>message.max_size</c> for the payload: checked right after it.</summary>
        public string? CheckedAfter { get; init; }

        /// <summary>Our key, not the reference's: exported only when a row of its object is not at its default.</summary>
        public bool Ours { get; init; }

        /// <summary>The object the key is written in (the part before the dot), or null for a key of the proxy object itself.</summary>
        public string? Group => Key.IndexOf('.', StringComparison.Ordinal) is var dot and >= 0 ? Key[..dot] : null;

        /// <summary>The key within its <see cref="Group"/>.</summary>
        public string Name => Key[(Key.IndexOf('.', StringComparison.Ordinal) + 1)..];

        /// <summary>The value as exported.</summary>
        public abstract string? Text(ProxySettings settings);

        /// <summary>The settings with the value read from <paramref name="text"/>; the same settings and an error when it cannot be read.</summary>
        public abstract ProxySettings Read(ProxySettings settings, string text, List<SpecError> errors);

        /// <summary>Runs the checks in order up to the first that fails; false when one did.</summary>
        public abstract bool Check(ProxySettings settings, List<SpecError> errors);

        /// <summary>Adds <paramref name="message"/> as this setting's range error; false, for the rules to return.</summary>
        public bool Fail(List<SpecError> errors, string message)
        {
            errors.Add(Error(Field, message));
            return false;
        }
    }

    private sealed record Setting<T>(
        string Key,
        string Field,
        Func<ProxySettings, T> Get,
        Func<ProxySettings, T, ProxySettings> Set,
        Parser<T> Parse,
        Func<T, string?> Format,
        Rule<T>[] Rules) : Setting(Key, Field)
    {
        public override string? Text(ProxySettings settings) => Format(Get(settings));

        public override ProxySettings Read(ProxySettings settings, string text, List<SpecError> errors) =>
            Parse(Key, text, errors, out var value) ? Set(settings, value) : settings;

        public override bool Check(ProxySettings settings, List<SpecError> errors)
        {
            var value = Get(settings);
            foreach (var rule in Rules)
            {
                if (!rule(this, settings, value, errors))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
