namespace Gateway.Engine.Protocol;

/// <summary>A framing error with a sentence a person can act on.</summary>
internal readonly record struct FrameError(FrameErrorKind Kind, string Detail)
{
    public override string ToString() => $"{Kind}: {Detail}";
}
