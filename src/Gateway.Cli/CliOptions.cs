namespace Gateway.Cli;

/// <summary>Every option of <c>localproxy</c>, with the reference's long and short names.</summary>
internal static class CliOptions
{
    public static readonly CliOption AccessToken = new(
        "access-token", "-t",
        "Client access token of the tunnel end. Prefer the environment variable AWSIOT_TUNNEL_ACCESS_TOKEN or a --config file: the command line is visible to other users.",
        "TOKEN", EnvironmentVariable: "AWSIOT_TUNNEL_ACCESS_TOKEN");

    public static readonly CliOption ClientToken = new(
        "client-token", "-i",
        "Client token (32-128 characters of [a-zA-Z0-9-]) sent with the access token, so a reconnect is accepted. Generated when not given.",
        "TOKEN", EnvironmentVariable: "AWSIOT_TUNNEL_CLIENT_TOKEN");

    public static readonly CliOption ProxyEndpoint = new(
        "proxy-endpoint", "-e",
        "Service endpoint HOST[:PORT] or [IPv6]:PORT (TLS, port 443 by default); also a wss:// or ws:// URL. Exactly one of -e and -r.",
        "HOST[:PORT]", EnvironmentVariable: "AWSIOT_TUNNEL_ENDPOINT");

    public static readonly CliOption Region = new(
        "region", "-r",
        "AWS region of the tunnel (endpoint data.tunneling.iot.REGION.amazonaws.com, .com.cn for cn-*). Exactly one of -e and -r.",
        "REGION", EnvironmentVariable: "AWSIOT_TUNNEL_REGION");

    public static readonly CliOption SourceListenPort = new(
        "source-listen-port", "-s",
        "Source mode: local ports to listen on, PORT or SERVICE=PORT[,SERVICE=PORT...] (ports 1-65535).",
        "MAP");

    public static readonly CliOption DestinationApp = new(
        "destination-app", "-d",
        "Destination mode: local services to connect to, PORT, HOST:PORT, [IPv6]:PORT, or SERVICE=ENDPOINT[,...] where ENDPOINT may also be a unix socket path.",
        "MAP");

    public static readonly CliOption LocalBindAddress = new(
        "local-bind-address", "-b",
        "Source: the address to listen on (default: tunneling.proxy.default_bind_address, localhost). Destination: the local address outgoing connections are bound to.",
        "ADDRESS");

    public static readonly CliOption CaPath = new(
        "capath", "-c",
        "Directory of extra trusted CA certificates (PEM or DER files, OpenSSL hashed names allowed).",
        "DIR");

    public static readonly CliOption NoSslHostVerify = new(
        "no-ssl-host-verify", "-k",
        "Do not verify the service's TLS certificate or host name (development only).",
        IsFlag: true);

    public static readonly CliOption Verbose = new(
        "verbose", "-v",
        "Log level: 0 off, 1 fatal, 2 error, 3 warning, 4 info (default), 5 debug, 6 trace.",
        "N");

    public static readonly CliOption Mode = new(
        "mode", "-m",
        "src|source or dst|destination, when no -s/-d map is given: the services then come from --config-dir and the tunnel's SERVICE_IDS.",
        "MODE");

    public static readonly CliOption DestinationClientType = new(
        "destination-client-type", "-y",
        "Source mode: message format of the other end, V1 (Device Client, Greengrass, console, localproxy 1.x) or V2; V3 by default.",
        "V1|V2");

    public static readonly CliOption ExportDefaultSettings = new(
        "export-default-settings", null,
        "Write the default fine-grained settings as JSON to FILE and exit.",
        "FILE", InConfigFile: false);

    public static readonly CliOption SettingsJson = new(
        "settings-json", null,
        "Read fine-grained settings (tunneling.proxy.*) from a JSON file; keys not given keep their defaults, unknown keys are ignored.",
        "FILE");

    public static readonly CliOption Config = new(
        "config", null,
        "Read options from an INI file of long option names (region = us-east-1, access-token = ..., source-listen-port = 5000). The command line wins over the file, the file over the environment.",
        "FILE", InConfigFile: false);

    public static readonly CliOption ConfigDir = new(
        "config-dir", null,
        "Directory (searched recursively) of INI files with SERVICE_ID = ENDPOINT lines, used for service ids that no -s/-d map names (default: ./config).",
        "DIR");

    public static readonly IReadOnlyList<CliOption> All =
    [
        AccessToken, ClientToken, ProxyEndpoint, Region, SourceListenPort, DestinationApp, LocalBindAddress, CaPath,
        NoSslHostVerify, Verbose, Mode, DestinationClientType, ExportDefaultSettings, SettingsJson, Config, ConfigDir,
    ];
}
