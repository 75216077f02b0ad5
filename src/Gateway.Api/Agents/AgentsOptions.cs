using System.ComponentModel.DataAnnotations;

namespace Gateway.Api.Agents;

/// <summary>The <c>Agents</c> settings: how agents talk to their brokers and take notifications.</summary>
internal sealed class AgentsOptions
{
    public const string SectionName = "Agents";

    /// <summary>A notification payload larger than this is refused unread (AWS's are well under 2 KiB).</summary>
    [Range(256, 1024 * 1024)]
    public int MaxPayloadBytes { get; set; } = 16 * 1024;

    /// <summary>The first delay before reconnecting to a broker; it doubles up to <see cref="MaxReconnectDelay"/>, with jitter.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>MQTT keep-alive (AWS IoT Core allows 30 to 1200 seconds).</summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a connection attempt (TCP, TLS, CONNECT, SUBSCRIBE) may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>After a notification, how long to wait for a newer one for the same thing before starting its session: a flood starts one session.</summary>
    public TimeSpan CoalesceWindow { get; set; } = TimeSpan.FromMilliseconds(100);
}
