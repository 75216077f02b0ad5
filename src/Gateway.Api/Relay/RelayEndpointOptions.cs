namespace Gateway.Api.Relay;

/// <summary>The gateway's settings of the relay's <c>/tunnel</c> endpoint, in section <c>Relay</c> beside the engine's <c>RelayOptions</c>.</summary>
public sealed class RelayEndpointOptions
{
    /// <summary>
    /// Serve <c>/tunnel</c> on plain HTTP listeners too (<c>ws://</c>). Off: tunnel access tokens travel
    /// only over TLS. Turn on behind a reverse proxy that terminates TLS, or for tests on loopback.
    /// Environment: <c>Relay__AllowPlainHttp</c>.
    /// </summary>
    public bool AllowPlainHttp { get; set; }

    /// <summary>
    /// <c>SO_RCVBUF</c> of each proxy's connection to <c>/tunnel</c>, in bytes (default 131072, about what
    /// the reference proxy pins on its own socket; 0 leaves the kernel's autotuning, which grows it to megabytes).
    /// The protocol has no flow control per connection: every byte waiting in this buffer is in
    /// front of an interactive frame that arrives after it (docs/performance.md, figure 9). A larger
    /// value only helps a single fast stream over a long link (the window is this buffer).
    /// Environment: <c>Relay__ReceiveBufferBytes</c>.
    /// </summary>
    public int ReceiveBufferBytes { get; set; } = DefaultReceiveBufferBytes;

    /// <summary>The default of <see cref="ReceiveBufferBytes"/>: 128 KiB.</summary>
    public const int DefaultReceiveBufferBytes = 128 * 1024;

    /// <summary>Whether <see cref="ReceiveBufferBytes"/> is 0 or from 4 KiB to 64 MiB.</summary>
    public bool HasValidReceiveBuffer => ReceiveBufferBytes is 0 or (>= 4096 and <= 64 * 1024 * 1024);
}
