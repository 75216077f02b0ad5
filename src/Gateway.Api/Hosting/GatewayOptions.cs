namespace Gateway.Api.Hosting;

/// <summary>
/// The gateway's own settings, section <c>Gateway</c> (environment: <c>Gateway__DataDirectory</c>,
/// <c>Gateway__Tls__CertificatePath</c>, ...).
/// </summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>Where the database, the generated certificate and keys live. Relative paths are
    /// taken from the current directory. Default <c>./data</c>.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>SQLite connection string; default <c>Data Source={DataDirectory}/gateway.db</c>.</summary>
    public string? Database { get; set; }

    public TlsOptions Tls { get; set; } = new();

    /// <summary>
    /// Origins (<c>https://host[:port]</c>) besides the gateway's own whose pages may use the dashboard's
    /// hub (<c>/hubs/sessions</c>), e.g. the public address of a reverse proxy in front of the gateway.
    /// Environment: <c>Gateway__AllowedOrigins__0</c>, ...
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    public LimitsOptions Limits { get; set; } = new();

    public string ResolveDataDirectory() => Path.GetFullPath(string.IsNullOrWhiteSpace(DataDirectory) ? "data" : DataDirectory);
}
