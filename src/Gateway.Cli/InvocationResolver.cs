using System.Globalization;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;
using Gateway.Engine.Settings;
using Microsoft.Extensions.Logging;

namespace Gateway.Cli;

/// <summary>
/// Turns the three option layers into an <see cref="Invocation"/>: command line over <c>--config</c> file
/// over environment over defaults, with the reference's rules (docs/protocol.md section 13). Every error
/// names the option and where its value came from; token values never appear in a message.
/// </summary>
internal sealed class InvocationResolver
{
    public const long MaxSettingsBytes = 1024 * 1024;

    /// <summary>Highest -v/--verbose accepted; 6 and above all mean trace.</summary>
    public const int MaxVerbose = 255;

    private readonly IReadOnlyDictionary<string, string> _commandLine;
    private readonly Func<string, string?> _environment;
    private readonly List<string> _errors = [];
    private readonly List<string> _warnings = [];
    private Dictionary<string, string>? _configFile;
    private string? _configPath;
    private bool _fileError;
    private bool _endpointError;

    private InvocationResolver(IReadOnlyDictionary<string, string> commandLine, Func<string, string?> environment)
    {
        _commandLine = commandLine;
        _environment = environment;
    }

    /// <param name="commandLine">Long option name -> value as given (switches as <c>true</c>).</param>
    /// <param name="environment">Reads an environment variable.</param>
    public static Resolution Resolve(IReadOnlyDictionary<string, string> commandLine, Func<string, string?> environment) =>
        new InvocationResolver(commandLine, environment).Resolve();

    private Resolution Resolve()
    {
        if (_commandLine.TryGetValue(CliOptions.Config.Long, out var configPath))
        {
            _configPath = configPath;
            _configFile = string.IsNullOrWhiteSpace(configPath)
                ? Fail($"{CliOptions.Config.Display}: the file name is empty.")
                : ConfigFile.Read(configPath, _errors);
            _fileError = _configFile is null;
            if (_configFile is null)
            {
                return Failed();
            }
        }

        // The reference checks the token first; its message leads here too.
        var accessToken = Get(CliOptions.AccessToken);
        if (accessToken is null)
        {
            _errors.Add($"the option '--{CliOptions.AccessToken.Long}' is required but missing: give {CliOptions.AccessToken.Display} in the environment variable {CliOptions.AccessToken.EnvironmentVariable}, a {CliOptions.Config.Display} file, or on the command line.");
        }
        else if (accessToken.Layer == OptionLayer.CommandLine)
        {
            _warnings.Add($"the access token was given on the command line ({CliOptions.AccessToken.Display}), where other users of this machine can read it; prefer {CliOptions.AccessToken.EnvironmentVariable} or a {CliOptions.Config.Display} file.");
        }

        var logLevel = ResolveLogLevel();
        var (region, endpoint) = ResolveEndpoint();
        var (mode, services) = ResolveMode();
        var clientToken = Get(CliOptions.ClientToken);
        if (clientToken?.Layer == OptionLayer.CommandLine)
        {
            _warnings.Add($"the client token was given on the command line ({CliOptions.ClientToken.Display}); prefer {CliOptions.ClientToken.EnvironmentVariable} or a {CliOptions.Config.Display} file.");
        }

        var format = ResolveMessageFormat(mode);
        var settings = ResolveSettings();
        var bind = Get(CliOptions.LocalBindAddress);
        var caPath = Get(CliOptions.CaPath);
        var skipVerify = Get(CliOptions.NoSslHostVerify);
        var configDir = Get(CliOptions.ConfigDir);
        if (mode is null || settings is null)
        {
            return Failed();
        }

        var spec = new SessionSpec
        {
            Name = "localproxy",
            Mode = mode.Value,
            Region = region?.Text,
            Endpoint = endpoint?.Text,
            AccessToken = accessToken?.Text ?? string.Empty,
            ClientToken = clientToken?.Text,
            Services = services?.Text,
            BindAddress = bind?.Text,
            CaPath = caPath?.Text,
            SkipTlsVerify = skipVerify?.Text == "true",
            MessageFormat = format,
            Settings = settings,
        };

        var validation = SessionSpecValidator.Validate(spec, _environment);
        // Errors already reported above (no token; no or two endpoints) are not repeated in the validator's words.
        foreach (var error in validation.Errors.Where(e => (accessToken is not null || e.Field != "accessToken") && (!_endpointError || e.Field is not ("endpoint" or "region"))))
        {
            _errors.Add($"{Describe(error.Field, mode.Value, region, endpoint, services)}: {error.Message}");
        }

        if (_errors.Count > 0)
        {
            return Failed();
        }

        if (spec.SkipTlsVerify)
        {
            _warnings.Add($"{CliOptions.NoSslHostVerify.Display}: the service's TLS certificate and host name are not verified; use this for development only.");
        }

        string? directory = null;
        if (services is null)
        {
            directory = configDir?.Text ?? ConfigDirectory.DefaultPath;
            if (directory.Length == 0)
            {
                _errors.Add($"{configDir!.Origin}: the directory name is empty.");
                return Failed();
            }
        }
        else if (configDir is not null)
        {
            _warnings.Add($"{configDir.Origin} is not used: {services.Origin} maps the services.");
        }

        var invocation = new Invocation(spec, logLevel, directory, configDir is not null, _warnings);
        return new Resolution(invocation, [], ExitCodes.Ok);
    }

    private Resolution Failed() => new(null, _errors, _fileError ? ExitCodes.ConfigurationError : ExitCodes.UsageError, IsUsageError: !_fileError);

    private Dictionary<string, string>? Fail(string error)
    {
        _errors.Add(error);
        return null;
    }

    /// <summary>The effective value of <paramref name="option"/>, from the highest layer that sets it.</summary>
    private OptionValue? Get(CliOption option)
    {
        foreach (var layer in Enum.GetValues<OptionLayer>())
        {
            if (GetFrom(option, layer) is { } value)
            {
                return value;
            }
        }

        return null;
    }

    private OptionValue? GetFrom(CliOption option, OptionLayer layer)
    {
        switch (layer)
        {
            case OptionLayer.CommandLine when _commandLine.TryGetValue(option.Long, out var text):
                return new OptionValue(option, text, option.Display, layer);
            case OptionLayer.ConfigFile when _configFile is not null && _configFile.TryGetValue(option.Long, out var text):
                return new OptionValue(option, text, $"{option.Long} in {CliOptions.Config.Display} {_configPath}", layer);
            case OptionLayer.Environment when option.EnvironmentVariable is { } name && _environment(name) is { Length: > 0 } text:
                return new OptionValue(option, text, name, layer);
            default:
                return null;
        }
    }

    /// <summary>
    /// Of two exclusive options (-r/-e, -s/-d) the highest layer that sets either decides; both in
    /// the same layer is an error. (The reference merges layers first, so AWSIOT_TUNNEL_REGION in the
    /// environment would conflict with -e on the command line.)
    /// </summary>
    /// <param name="rule">The reference's sentence for the rule, which starts the message.</param>
    private (OptionValue? First, OptionValue? Second, bool Conflict) Exclusive(CliOption first, CliOption second, string rule)
    {
        foreach (var layer in Enum.GetValues<OptionLayer>())
        {
            var a = GetFrom(first, layer);
            var b = GetFrom(second, layer);
            if (a is not null && b is not null)
            {
                _errors.Add($"{rule}: {a.Origin} and {b.Origin} cannot be used together.");
                return (null, null, true);
            }

            if (a is not null || b is not null)
            {
                return (a, b, false);
            }
        }

        return (null, null, false);
    }

    private LogLevel ResolveLogLevel()
    {
        var verbose = Get(CliOptions.Verbose);
        if (verbose is null)
        {
            return LogLevel.Information;
        }

        if (!int.TryParse(verbose.Text, NumberStyles.None, CultureInfo.InvariantCulture, out int level))
        {
            _errors.Add($"{verbose.Origin}: '{verbose.Text}' is not a log level: use a number from 0 (off) to 6 (trace).");
            return LogLevel.Information;
        }

        // Levels above 6 mean trace, as in the reference; above 255 is taken for a typo and refused.
        if (level > MaxVerbose)
        {
            _errors.Add($"{verbose.Origin}: '{verbose.Text}' is out of range: use a number from 0 (off) to 6 (trace); up to {MaxVerbose} means trace.");
            return LogLevel.Information;
        }

        return level switch
        {
            0 => LogLevel.None,
            1 => LogLevel.Critical,
            2 => LogLevel.Error,
            3 => LogLevel.Warning,
            4 => LogLevel.Information,
            5 => LogLevel.Debug,
            _ => LogLevel.Trace,
        };
    }

    private (OptionValue? Region, OptionValue? Endpoint) ResolveEndpoint()
    {
        const string rule = "Must specify one and only one of --region/-r or --proxy-endpoint/-e options";
        var (region, endpoint, conflict) = Exclusive(CliOptions.Region, CliOptions.ProxyEndpoint, rule);
        if (region is null && endpoint is null && !conflict)
        {
            _errors.Add($"{rule}: neither is given (nor the environment variable {CliOptions.Region.EnvironmentVariable} or {CliOptions.ProxyEndpoint.EnvironmentVariable}).");
        }

        _endpointError = conflict || (region is null && endpoint is null);

        return (region, endpoint);
    }

    private (SessionMode? Mode, OptionValue? Services) ResolveMode()
    {
        var (source, destination, conflict) = Exclusive(CliOptions.SourceListenPort, CliOptions.DestinationApp, "Must specify one and only one of --source-listen-port/-s or --destination-app/-d");
        if (conflict)
        {
            return (null, null);
        }

        var modeValue = Get(CliOptions.Mode);
        SessionMode? fromMode = null;
        if (modeValue is not null)
        {
            fromMode = SessionModes.Parse(modeValue.Text);
            if (fromMode is null)
            {
                _errors.Add($"Mode value is wrong! Allowed values are: src, dst, source, destination ({modeValue.Origin}: '{modeValue.Text}').");
                return (null, null);
            }
        }

        var services = source ?? destination;
        SessionMode? fromMap = source is not null ? SessionMode.Source : destination is not null ? SessionMode.Destination : null;
        if (fromMap is null && fromMode is null)
        {
            _errors.Add($"Must specify one of --source-listen-port/-s or --destination-app/-d or --mode: none of {CliOptions.SourceListenPort.Display}, {CliOptions.DestinationApp.Display} and {CliOptions.Mode.Display} is given.");
            return (null, null);
        }

        if (fromMap is not null && fromMode is not null && fromMap != fromMode)
        {
            var map = source is not null ? CliOptions.SourceListenPort : CliOptions.DestinationApp;
            _errors.Add($"{map.Short} and --{CliOptions.Mode.Long} have mismatched mode. Mode is set to {fromMode.Value.Name()}! ({modeValue!.Origin} '{modeValue.Text}' does not agree with {services!.Origin}: {CliOptions.SourceListenPort.Display} is source mode, {CliOptions.DestinationApp.Display} destination mode.)");
            return (null, null);
        }

        if (services is not null && string.IsNullOrWhiteSpace(services.Text))
        {
            _errors.Add($"{services.Origin}: the service map is empty; give a map or use {CliOptions.Mode.Display} with {CliOptions.ConfigDir.Display}.");
            return (null, null);
        }

        return (fromMap ?? fromMode, services);
    }

    private MessageFormat ResolveMessageFormat(SessionMode? mode)
    {
        var type = Get(CliOptions.DestinationClientType);
        if (type is null)
        {
            return MessageFormat.V3;
        }

        if (mode == SessionMode.Destination)
        {
            _warnings.Add($"{type.Origin} is only used in source mode; a destination follows the format of what it receives.");
            return MessageFormat.V3;
        }

        if (MessageFormats.Parse(type.Text) is { } format)
        {
            return format;
        }

        // The reference warns and goes on with V3; so do we.
        _warnings.Add($"{type.Origin}: '{type.Text}' is not V1 or V2; using the V3 format.");
        return MessageFormat.V3;
    }

    private ProxySettings? ResolveSettings()
    {
        var file = Get(CliOptions.SettingsJson);
        if (file is null)
        {
            return ProxySettings.Default;
        }

        string json;
        try
        {
            var info = new FileInfo(file.Text);
            if (file.Text.Length == 0 || !info.Exists)
            {
                return SettingsError(file, "the file does not exist.");
            }

            if (info.Length > MaxSettingsBytes)
            {
                return SettingsError(file, $"the file is {info.Length} bytes; a settings file may have at most {MaxSettingsBytes}.");
            }

            json = File.ReadAllText(file.Text);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return SettingsError(file, "cannot be read: " + ex.Message);
        }

        var imported = ProxySettingsJson.Import(json);
        if (!imported.IsValid)
        {
            _fileError = true;
            foreach (var error in imported.Errors)
            {
                _errors.Add($"{file.Origin} {file.Text}: {SettingsMessage(error)}");
            }

            return null;
        }

        // Range checks belong to the file too: report them as its errors, with the reference's key names.
        var rangeErrors = ProxySettingsJson.Validate(imported.Settings!);
        if (rangeErrors.Count > 0)
        {
            _fileError = true;
            foreach (var error in rangeErrors)
            {
                _errors.Add($"{file.Origin} {file.Text}: {ProxySettingsJson.RootKey}.{error.Message}");
            }

            return null;
        }

        return imported.Settings;
    }

    private ProxySettings? SettingsError(OptionValue file, string message)
    {
        _fileError = true;
        _errors.Add($"{file.Origin} {file.Text}: {message}");
        return null;
    }

    /// <summary>An import error with the reference's full key: <c>tunneling.proxy.tcp.max_active_connections must be ...</c>.</summary>
    private static string SettingsMessage(SpecError error)
    {
        const string prefix = "settings.";
        return error.Field.StartsWith(prefix, StringComparison.Ordinal) && error.Message.StartsWith(error.Field[prefix.Length..], StringComparison.Ordinal)
            ? $"{ProxySettingsJson.RootKey}.{error.Message}"
            : SettingsKey(error.Field) + error.Message;
    }

    /// <summary><c>settings.tcp.max_active_connections</c> -> <c>tunneling.proxy.tcp.max_active_connections: </c>.</summary>
    private static string SettingsKey(string field) =>
        field.StartsWith("settings.", StringComparison.Ordinal) ? $"{ProxySettingsJson.RootKey}.{field["settings.".Length..]}: "
        : field == "settings" ? string.Empty : field + ": ";

    private string Describe(string field, SessionMode mode, OptionValue? region, OptionValue? endpoint, OptionValue? services)
    {
        CliOption? option = field switch
        {
            "region" => CliOptions.Region,
            "endpoint" => region is not null ? CliOptions.Region : CliOptions.ProxyEndpoint,
            "accessToken" => CliOptions.AccessToken,
            "clientToken" => CliOptions.ClientToken,
            "services" => mode == SessionMode.Source ? CliOptions.SourceListenPort : CliOptions.DestinationApp,
            "bindAddress" => CliOptions.LocalBindAddress,
            "caPath" => CliOptions.CaPath,
            "messageFormat" => CliOptions.DestinationClientType,
            _ => null,
        };
        if (option is null)
        {
            if (field == "httpsProxy")
            {
                return _environment("https_proxy") is { Length: > 0 } ? "https_proxy" : "HTTPS_PROXY";
            }

            return field.StartsWith("settings", StringComparison.Ordinal) && Get(CliOptions.SettingsJson) is { } file
                ? $"{file.Origin} {file.Text}: {SettingsKey(field).TrimEnd(' ', ':')}"
                : field;
        }

        if (option == CliOptions.SourceListenPort || option == CliOptions.DestinationApp)
        {
            return services?.Origin ?? option.Display;
        }

        if (field == "endpoint" && endpoint is not null)
        {
            return endpoint.Origin;
        }

        return Get(option)?.Origin ?? option.Display;
    }
}
