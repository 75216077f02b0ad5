namespace Gateway.Api.Relay;

/// <summary>
/// <c>connect</c> of <c>POST /api/relay/tunnels</c>: also start both ends of the new tunnel as
/// sessions of this gateway, so traffic flows with no AWS account (the demo / self-hosted pairing).
/// </summary>
/// <param name="Destinations">Where the destination end connects, by service: <c>SSH=127.0.0.1:22,WEB=127.0.0.1:80</c>. The tunnel's services are these ids when <c>services</c> is not given.</param>
/// <param name="SourcePorts">Where the source end listens, by service: <c>SSH=2222</c>; services not named get a free port from the allowed range (Sessions:SourcePortMin/Max).</param>
/// <param name="BindAddress">The source's listen address (default 127.0.0.1).</param>
public sealed record RelayConnectBody(string? Destinations, string? SourcePorts, string? BindAddress);
