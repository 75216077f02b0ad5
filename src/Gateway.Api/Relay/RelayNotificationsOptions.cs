namespace Gateway.Api.Relay;

/// <summary>
/// <c>Relay:Notifications</c>: the MQTT broker the built-in relay publishes tunnel notifications to, as
/// AWS IoT does (<c>$aws/things/&lt;thing&gt;/tunnels/notify</c>). Without <see cref="Host"/> nothing is published.
/// </summary>
internal sealed class RelayNotificationsOptions
{
    public const string SectionName = "Relay:Notifications";

    public string? Host { get; set; }

    /// <summary>Default 8883 with TLS, 1883 without.</summary>
    public int? Port { get; set; }

    public bool Tls { get; set; } = true;

    /// <summary>A PEM file of CA certificates for the broker; default: the system's trust store.</summary>
    public string? CaFile { get; set; }

    /// <summary>PEM files of a client certificate and its key, for brokers that require one.</summary>
    public string? ClientCertificateFile { get; set; }

    public string? ClientKeyFile { get; set; }

    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary>Default <c>tunnelgateway-relay-&lt;random&gt;</c>.</summary>
    public string? ClientId { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Host);
}
