namespace Gateway.Testing;

/// <summary>Bytes read until the peer closed, and how it closed.</summary>
/// <param name="Data">Every byte read (including bytes buffered by earlier calls and not consumed).</param>
/// <param name="ClosedBy">EOF or reset.</param>
public sealed record TcpReadResult(byte[] Data, TcpCloseKind ClosedBy);
