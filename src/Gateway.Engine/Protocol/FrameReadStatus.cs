namespace Gateway.Engine.Protocol;

/// <summary>Outcome of one <see cref="FrameReader.TryRead"/> call.</summary>
internal enum FrameReadStatus
{
    /// <summary>A whole frame was consumed and decoded.</summary>
    Message,

    /// <summary>The buffer holds only part of a frame (or nothing); nothing was consumed.</summary>
    NeedMoreData,

    /// <summary>The bytes cannot be a valid frame; see <see cref="FrameError"/>.</summary>
    Error,
}
