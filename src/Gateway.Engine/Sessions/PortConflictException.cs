using System.Net;
using System.Net.Sockets;

namespace Gateway.Engine.Sessions;

/// <summary>A source port could not be bound when the session started.</summary>
internal sealed class PortConflictException(int port, IPAddress address, SocketException inner)
    : Exception($"cannot listen on {new IPEndPoint(address, port)}: {(inner.SocketErrorCode == SocketError.AddressAlreadyInUse ? "the port is already in use" : inner.Message)}", inner)
{
    public int Port { get; } = port;
}
