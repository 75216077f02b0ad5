namespace Gateway.Interop.Tests.Infrastructure;

/// <summary>Which program runs a tunnel end.</summary>
public enum EndKind
{
    /// <summary>The reference C++ local proxy, as a process.</summary>
    Reference,

    /// <summary>An engine session run by the gateway (started through <c>POST /api/tunnels</c>).</summary>
    Engine,

    /// <summary>Our <c>localproxy</c> CLI, as a process.</summary>
    Cli,
}
