namespace Gateway.Engine.Transport;

/// <summary>What the receive loop reports besides data bytes. Called on the receive loop; must not block.</summary>
internal interface IWebSocketControlHandler
{
    void OnPing(ReadOnlySpan<byte> payload);

    void OnPong(ReadOnlySpan<byte> payload);

    /// <summary>True while the receive loop waits because the data consumer is behind.</summary>
    void OnReceivePaused(bool paused);
}
