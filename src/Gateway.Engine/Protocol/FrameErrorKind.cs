namespace Gateway.Engine.Protocol;

/// <summary>Why a byte stream is not a valid sequence of tunnel frames.</summary>
internal enum FrameErrorKind
{
    /// <summary>The length prefix is 0: the protocol has no empty frames (type is required).</summary>
    ZeroLength,

    /// <summary>The length prefix is larger than the receiver's limit.</summary>
    TooLong,

    /// <summary>The frame's bytes are not a valid protobuf <c>Message</c>.</summary>
    Malformed,

    /// <summary>The message decoded but its <c>type</c> is absent or 0 (UNKNOWN).</summary>
    MissingType,

    /// <summary>The stream ended in the middle of a frame.</summary>
    TrailingBytes,
}
