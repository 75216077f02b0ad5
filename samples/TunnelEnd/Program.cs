// One tunnel end in a dozen lines. Source: listens on the local ports of the service map and carries each
// connection through the tunnel. Destination: connects each stream to the local service it names.
//   TUNNEL_ACCESS_TOKEN=... dotnet run -- source wss://relay.example:8443 SSH=2222
//   TUNNEL_ACCESS_TOKEN=... dotnet run -- destination us-east-1 SSH=127.0.0.1:22
// The second argument is an AWS region (the AWS data plane) or an endpoint (host:port or a wss:// URL).
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;
using Microsoft.Extensions.Logging.Abstractions;

if (args.Length != 3 || !Enum.TryParse<SessionMode>(args[0], ignoreCase: true, out var mode))
{
    Console.Error.WriteLine("usage: TunnelEnd source|destination REGION|ENDPOINT SERVICES (the access token in TUNNEL_ACCESS_TOKEN)");
    return 2;
}

// A region looks like us-east-1 or eu-central-2; anything else (localhost, a host, host:port, a URL) is an endpoint.
bool isRegion = System.Text.RegularExpressions.Regex.IsMatch(args[1], "^[a-z]{2}(-[a-z]+)+-[0-9]+$");
var spec = new SessionSpec
{
    Mode = mode,
    Region = isRegion ? args[1] : null,
    Endpoint = isRegion ? null : args[1],
    AccessToken = Environment.GetEnvironmentVariable("TUNNEL_ACCESS_TOKEN") ?? string.Empty,
    Services = args[2],
};

await using var sessions = new SessionManager(TimeProvider.System, NullLoggerFactory.Instance);
var ended = new TaskCompletionSource<SessionSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
string? said = null;
sessions.Changed += change =>
{
    // Say the state when it (or its reason) changes, not at every connection that opens or closes.
    var session = change.Session;
    string now = $"{session.State}{(session.StateReason is { } reason ? ": " + reason : string.Empty)}";
    if (change.Kind == SessionEventKind.Changed && now != said)
    {
        said = now;
        Console.WriteLine(now);
    }

    if (session.State.IsFinal())
    {
        ended.TrySetResult(session);
    }
};

var start = sessions.Start(spec);
if (!start.Started)
{
    foreach (var error in start.Errors)
    {
        Console.Error.WriteLine($"{error.Field}: {error.Message}");
    }

    return 2;
}

// Ctrl+C or SIGTERM stops the session: its local connections close and the tunnel end disconnects.
using var interrupt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Stop);
using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Stop);
var last = await ended.Task;
return last.State == SessionState.Failed ? 1 : 0;

void Stop(System.Runtime.InteropServices.PosixSignalContext signal)
{
    signal.Cancel = true;
    _ = sessions.StopAsync(start.Session!.Id);
}
