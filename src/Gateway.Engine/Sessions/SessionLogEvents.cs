using Microsoft.Extensions.Logging;

namespace Gateway.Engine.Sessions;

/// <summary>
/// The event ids of a session's log lines (2200-2299), one per kind of line, so a log filter or an alert
/// can pick one kind. Every line still reads <c>session {SessionId}: {Message}</c>; the id says which
/// line it is. Ids are stable: a new kind of line takes the next free id in its area.
/// </summary>
public static class SessionLogEvents
{
    // 2201-2209: the session's own start and end.

    /// <summary>The session starts (mode and endpoint).</summary>
    public static readonly EventId Starting = new(2201, nameof(Starting));

    /// <summary>The session ended, and why (an error when it failed).</summary>
    public static readonly EventId Ended = new(2202, nameof(Ended));

    /// <summary>A bug ended the session (the exception).</summary>
    public static readonly EventId FailedUnexpectedly = new(2203, nameof(FailedUnexpectedly));

    /// <summary>A file of the CA directory (<c>--capath</c>) was skipped.</summary>
    public static readonly EventId CaDirectoryProblem = new(2204, nameof(CaDirectoryProblem));

    // 2211-2219: the connection to the service (handshake, close, loss).

    /// <summary>The reference's wording of a successful handshake (scripts wait for it).</summary>
    public static readonly EventId Established = new(2211, nameof(Established));

    /// <summary>Connected to the service, with the channel id.</summary>
    public static readonly EventId Connected = new(2212, nameof(Connected));

    /// <summary>The service closed the tunnel (close code and reason).</summary>
    public static readonly EventId ClosedByService = new(2213, nameof(ClosedByService));

    /// <summary>The connection was lost and the settings say not to reconnect.</summary>
    public static readonly EventId ConnectionLost = new(2214, nameof(ConnectionLost));

    /// <summary>The service does not take the control frames queued for it: the connection ends.</summary>
    public static readonly EventId ControlQueueFull = new(2215, nameof(ControlQueueFull));

    /// <summary>A pong whose payload is not one of our ping timestamps.</summary>
    public static readonly EventId PongIgnored = new(2216, nameof(PongIgnored));

    // 2221-2229: retries (written through the repeated-line limiter).

    /// <summary>A connect attempt failed; the next one is due after a delay.</summary>
    public static readonly EventId ConnectRetry = new(2221, nameof(ConnectRetry));

    /// <summary>The connection was lost; reconnecting after a delay.</summary>
    public static readonly EventId Reconnecting = new(2222, nameof(Reconnecting));

    // 2231-2239: access tokens.

    /// <summary>The service refused the access token; a new one is asked for.</summary>
    public static readonly EventId TokenRefused = new(2231, nameof(TokenRefused));

    /// <summary>Asking for a new access token failed.</summary>
    public static readonly EventId TokenRenewalFailed = new(2232, nameof(TokenRenewalFailed));

    /// <summary>No new access token was given.</summary>
    public static readonly EventId TokenNotRenewed = new(2233, nameof(TokenNotRenewed));

    /// <summary>A new access token arrived; connecting again.</summary>
    public static readonly EventId TokenRenewed = new(2234, nameof(TokenRenewed));

    // 2241-2249: SERVICE_IDS.

    /// <summary>SERVICE_IDS arrived and set up the services (what listens or forwards where).</summary>
    public static readonly EventId ServiceIds = new(2241, nameof(ServiceIds));

    /// <summary>SERVICE_IDS lists an id twice.</summary>
    public static readonly EventId ServiceIdRepeated = new(2242, nameof(ServiceIdRepeated));

    /// <summary>SERVICE_IDS does not match the configured services: the session fails.</summary>
    public static readonly EventId ServiceIdsRejected = new(2243, nameof(ServiceIdsRejected));

    /// <summary>The services of SERVICE_IDS could not be set up (a listen port is taken): the session fails.</summary>
    public static readonly EventId ServicesUnavailable = new(2244, nameof(ServicesUnavailable));

    /// <summary>A frame before SERVICE_IDS was ignored.</summary>
    public static readonly EventId BeforeServiceIds = new(2245, nameof(BeforeServiceIds));

    // 2251-2269: local listeners and connections.

    /// <summary>The reference's wording: a source listens on a port.</summary>
    public static readonly EventId Listening = new(2251, nameof(Listening));

    /// <summary>A listen port was assigned (port 0 configured) for a service id.</summary>
    public static readonly EventId ListenPortAssigned = new(2252, nameof(ListenPortAssigned));

    /// <summary>The reference's wording: a source accepted a local connection.</summary>
    public static readonly EventId Accepted = new(2253, nameof(Accepted));

    /// <summary>A source's local connection started a stream.</summary>
    public static readonly EventId StreamStarted = new(2254, nameof(StreamStarted));

    /// <summary>The reference's wording: a destination connected to its local endpoint.</summary>
    public static readonly EventId ConnectedToEndpoint = new(2255, nameof(ConnectedToEndpoint));

    /// <summary>A destination's connection (by key) connected to its endpoint.</summary>
    public static readonly EventId EndpointConnected = new(2256, nameof(EndpointConnected));

    /// <summary>One attempt to connect to a destination's endpoint failed.</summary>
    public static readonly EventId EndpointAttemptFailed = new(2257, nameof(EndpointAttemptFailed));

    /// <summary>A destination gave up connecting to its endpoint and reset the stream.</summary>
    public static readonly EventId EndpointUnreachable = new(2258, nameof(EndpointUnreachable));

    /// <summary>A local connection ended.</summary>
    public static readonly EventId LocalConnectionEnded = new(2259, nameof(LocalConnectionEnded));

    /// <summary>The peer reset a connection.</summary>
    public static readonly EventId ConnectionResetByPeer = new(2260, nameof(ConnectionResetByPeer));

    /// <summary>A second local connection to a service of a one-connection-per-stream format: both closed.</summary>
    public static readonly EventId SecondConnection = new(2261, nameof(SecondConnection));

    // 2271-2279: connection limits.

    /// <summary>A source refused a local connection: its service has <c>tcp.max_active_connections</c>.</summary>
    public static readonly EventId RefusedServiceFull = new(2271, nameof(RefusedServiceFull));

    /// <summary>A source refused a local connection: the session has <c>limits.max_session_connections</c>.</summary>
    public static readonly EventId RefusedSessionFull = new(2272, nameof(RefusedSessionFull));

    /// <summary>A destination refused a stream start: its service has <c>tcp.max_active_connections</c>.</summary>
    public static readonly EventId StartRefusedServiceFull = new(2273, nameof(StartRefusedServiceFull));

    /// <summary>A destination refused a stream start: the session has <c>limits.max_session_connections</c>.</summary>
    public static readonly EventId StartRefusedSessionFull = new(2274, nameof(StartRefusedSessionFull));

    // 2281-2299: streams and tunnel frames.

    /// <summary>A stream start was ignored: stream id 0 or a service id not configured.</summary>
    public static readonly EventId StartIgnored = new(2281, nameof(StartIgnored));

    /// <summary>A stream start while another stream is current: the current one is reset.</summary>
    public static readonly EventId StreamRestarted = new(2282, nameof(StreamRestarted));

    /// <summary>A stream start was ignored: another stream is current.</summary>
    public static readonly EventId StartNotCurrent = new(2283, nameof(StartNotCurrent));

    /// <summary>A stream start was ignored: its connection exists.</summary>
    public static readonly EventId StartDuplicate = new(2284, nameof(StartDuplicate));

    /// <summary>A stream start without a connection id: replying in the V2 format on that stream.</summary>
    public static readonly EventId StartWithoutConnectionId = new(2285, nameof(StartWithoutConnectionId));

    /// <summary>A stream start sent to a source was ignored: only a source starts streams.</summary>
    public static readonly EventId StartAtSource = new(2286, nameof(StartAtSource));

    /// <summary>The peer reset a stream.</summary>
    public static readonly EventId StreamResetByPeer = new(2287, nameof(StreamResetByPeer));

    /// <summary>A frame for a stream that is not the current one was ignored.</summary>
    public static readonly EventId NotCurrentStream = new(2288, nameof(NotCurrentStream));

    /// <summary>A frame for a connection that does not exist was ignored.</summary>
    public static readonly EventId NoSuchConnection = new(2289, nameof(NoSuchConnection));

    /// <summary>A frame of an unknown type marked ignorable was ignored.</summary>
    public static readonly EventId IgnorableIgnored = new(2290, nameof(IgnorableIgnored));

    /// <summary>A frame of an unknown type, not ignorable, that names no live stream was ignored.</summary>
    public static readonly EventId UnknownIgnored = new(2291, nameof(UnknownIgnored));

    /// <summary>A frame of an unknown type, not ignorable, reset its stream.</summary>
    public static readonly EventId UnknownResetStream = new(2292, nameof(UnknownResetStream));

    /// <summary>SESSION_RESET from the service closed the local connections.</summary>
    public static readonly EventId SessionReset = new(2293, nameof(SessionReset));

    /// <summary>The peer speaks V2: the session switched to the V2 message format.</summary>
    public static readonly EventId SwitchedToV2 = new(2294, nameof(SwitchedToV2));

    /// <summary>The connection to the service ended inside a tunnel frame.</summary>
    public static readonly EventId FrameCutOff = new(2295, nameof(FrameCutOff));

    /// <summary>Handling a tunnel frame failed unexpectedly (the exception).</summary>
    public static readonly EventId FrameFailed = new(2296, nameof(FrameFailed));
}
