namespace Gateway.Api.Data;

/// <summary>
/// A device-side agent: one thing's MQTT connection, listening for its tunnel notifications, and the
/// service map its destination sessions use. The client certificate, its key and the password are
/// stored encrypted (Data Protection).
/// </summary>
public sealed class AgentEntity
{
    /// <summary>The agent's name: lower-case letters, digits and '-'.</summary>
    public string Name { get; set; } = string.Empty;

    public string? Description { get; set; }

    /// <summary>The AWS IoT thing (the notify topic is <c>$aws/things/&lt;thing&gt;/tunnels/notify</c>).</summary>
    public string ThingName { get; set; } = string.Empty;

    public string Host { get; set; } = string.Empty;

    public int Port { get; set; }

    public bool UseTls { get; set; } = true;

    /// <summary>CA certificates (PEM) trusted for the broker; null: the system's (or <see cref="CaPath"/>).</summary>
    public string? CaPem { get; set; }

    /// <summary>A directory of extra trusted CA certificates for the broker and the data plane.</summary>
    public string? CaPath { get; set; }

    /// <summary>The thing's X.509 certificate (PEM), protected.</summary>
    public string? ProtectedClientCertificate { get; set; }

    /// <summary>The certificate's private key (PEM), protected.</summary>
    public string? ProtectedClientKey { get; set; }

    public string? UserName { get; set; }

    public string? ProtectedPassword { get; set; }

    /// <summary>The MQTT client id; null: the thing name.</summary>
    public string? ClientId { get; set; }

    /// <summary>Destination service map, e.g. <c>SSH=127.0.0.1:22,WEB=10.0.0.7:80</c>.</summary>
    public string Services { get; set; } = string.Empty;

    /// <summary>The data plane sessions connect to; null: AWS's, from the notification's region; <c>local</c>: this gateway's relay.</summary>
    public string? DataEndpoint { get; set; }

    public bool Enabled { get; set; } = true;

    public DateTimeOffset CreatedAt { get; set; }

    public string? CreatedBy { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
