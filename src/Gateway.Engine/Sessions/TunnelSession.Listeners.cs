using System.Net.Sockets;
using Gateway.Engine.Proxy;

namespace Gateway.Engine.Sessions;

internal sealed partial class TunnelSession
{
    /// <summary>
    /// Points a listener at each of <paramref name="channels"/> (binding ports that
    /// were not bound at start: ids from the config directory, ephemeral ports) and starts
    /// listening. Returns an error to end the link with, or null.
    /// </summary>
    public string? AttachListeners(IReadOnlyList<ServiceChannel> channels)
    {
        lock (_listenersByPort)
        {
            foreach (var channel in channels)
            {
                SourceListener? listener;
                int port = channel.Endpoint.Port;
                if (port != 0)
                {
                    if (!_listenersByPort.TryGetValue(port, out listener))
                    {
                        try
                        {
                            listener = SourceListener.Bind(_listenAddress!, port);
                        }
                        catch (SocketException ex)
                        {
                            return new PortConflictException(port, _listenAddress!, ex).Message;
                        }

                        _listenersByPort[port] = listener;
                    }
                }
                else
                {
                    string key = channel.Key;
                    if (!_ephemeralListeners.TryGetValue(key, out listener))
                    {
                        listener = SourceListener.Bind(_listenAddress!, 0);
                        _ephemeralListeners[key] = listener;
                        Log.Info(SessionLogEvents.ListenPortAssigned, $"listen port assigned for service id {channel.ServiceId}: {listener.Port}");
                    }
                }

                channel.Listener = listener;
                listener.Target = channel;
                try
                {
                    listener.StartAccepting(OnAccepted);
                }
                catch (SocketException ex)
                {
                    // Another program took the port after this session bound it: a conflict, said as one.
                    return new PortConflictException(listener.Port, _listenAddress!, ex).Message;
                }

                Log.Info(SessionLogEvents.Listening, $"Listening for new connection on port {listener.Port}");
            }
        }

        return null;
    }

    private void OnAccepted(SourceListener listener, Socket socket)
    {
        var link = _link;
        if (link is null)
        {
            socket.Dispose();
            return;
        }

        link.OnAccepted(listener, socket);
    }

    private void DisposeListeners()
    {
        lock (_listenersByPort)
        {
            foreach (var listener in _listenersByPort.Values.Concat(_ephemeralListeners.Values))
            {
                listener.Dispose();
            }

            _listenersByPort.Clear();
            _ephemeralListeners.Clear();
        }
    }
}
