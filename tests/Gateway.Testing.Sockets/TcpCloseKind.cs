namespace Gateway.Testing;

/// <summary>How a TCP peer ended the connection.</summary>
public enum TcpCloseKind
{
    /// <summary>Orderly close: FIN, the read returned 0.</summary>
    Eof,

    /// <summary>Reset: RST, the read failed with ConnectionReset.</summary>
    Reset,
}
