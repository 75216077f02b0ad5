using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Protocol;
using Gateway.Engine.Tests.Protocol;
using Xunit.Abstractions;
using MessageType = Gateway.Engine.Protocol.Wire.Message.Types.Type;

namespace Gateway.Api.Tests.Relay;

/// <summary>
/// Both ends send the reference proxy's frames (vectors.json), some mutated or refused, cut at
/// random points across WebSocket messages, and drop and reconnect at random, keeping or not the
/// rest of what they were sending. Whatever the relay does with that, each end must only ever
/// receive whole frames that pass its rules (<see cref="RelayFrameOracle"/>). Bounded in
/// iterations and time; the seed is printed and can be replayed with RELAY_FUZZ_SEED.
/// </summary>
public sealed class RelayFramingFuzzTests(ITestOutputHelper output)
{
    private const int Iterations = 2000;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(3);
    private static readonly string[] Services = ["SSH1", "WEB"];

    [Fact]
    public async Task EachEndReceivesOnlyWholeCheckedFramesWhateverTheOtherSendsAcrossReconnects()
    {
        int seed = Environment.GetEnvironmentVariable("RELAY_FUZZ_SEED") is { Length: > 0 } given
            ? int.Parse(given, CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        string context = $"RELAY_FUZZ_SEED={seed}";
        output.WriteLine(context);
        var random = new Random(seed);
        var corpus = new Corpus(ReferenceVectors.Frames.Where(f => !f.Truncated).ToArray());

        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync(Services);
        await using var source = new FuzzEnd(gateway, "source", tunnel.SourceAccessToken);
        await using var destination = new FuzzEnd(gateway, "destination", tunnel.DestinationAccessToken);
        await source.ReconnectAsync(keepPending: false);
        await destination.ReconnectAsync(keepPending: false);

        var clock = Stopwatch.StartNew();
        int iteration = 0;
        for (; iteration < Iterations && clock.Elapsed < Budget; iteration++)
        {
            var end = random.Next(2) == 0 ? source : destination;
            if (!end.IsOpen || random.Next(16) == 0)
            {
                await end.ReconnectAsync(keepPending: random.Next(2) == 0, withServiceId: random.Next(2) == 0);
                continue;
            }

            if (end.PendingLength == 0)
            {
                end.Append(NextFrames(random, corpus.For(end)));
            }

            await end.SendSomeAsync(random);
        }

        // Fresh connections both ways, and a last frame each way: the relay still relays.
        await source.ReconnectAsync(keepPending: false);
        await destination.ReconnectAsync(keepPending: false);
        var toDestination = FrameWriter.ToArray(TunnelMessages.Data(1, "SSH1", 1, "last to the destination"u8));
        var toSource = FrameWriter.ToArray(TunnelMessages.Data(1, "SSH1", 1, "last to the source"u8));
        await source.SendWholeAsync(toDestination);
        await destination.SendWholeAsync(toSource);
        await destination.WaitForAsync(toDestination, context);
        await source.WaitForAsync(toSource, context);
        await source.StopAsync();
        await destination.StopAsync();

        var oracle = new RelayFrameOracle(Services);
        var sentBySource = source.SentFrames();
        var sentByDestination = destination.SentFrames();
        var resets = sentBySource
            .Select(Convert.FromHexString)
            .Select(Decode)
            .Where(m => m.Type is MessageType.StreamStart or MessageType.ConnectionStart)
            .Select(m => Convert.ToHexString(FrameWriter.ToArray(TunnelMessages.StreamReset(m.StreamId, m.ServiceId))))
            .ToHashSet(StringComparer.Ordinal);
        int toDestinationFrames = destination.Received.Sum(c => oracle.Check("destination", c, sentBySource, resets, context));
        int toSourceFrames = source.Received.Sum(c => oracle.Check("source", c, sentByDestination, resets, context));
        output.WriteLine(
            $"{iteration} iterations in {clock.ElapsedMilliseconds} ms; connections {source.Received.Count}/{destination.Received.Count}; "
            + $"frames relayed to the destination {toDestinationFrames}, to the source {toSourceFrames}");
        gateway.Logs.AssertNoErrors();
    }

    // One to four frames: mostly the reference's own (those this end may send on this connection),
    // some mutated, some the relay must refuse, some smuggling refused frames inside a DATA
    // payload, some cut short.
    private static byte[] NextFrames(Random random, byte[][] corpus)
    {
        var stream = new List<byte>();
        int count = random.Next(1, 5);
        for (int i = 0; i < count; i++)
        {
            var frame = (byte[])corpus[random.Next(corpus.Length)].Clone();
            switch (random.Next(40))
            {
                case 0:
                    frame[random.Next(frame.Length)] ^= (byte)random.Next(1, 256);
                    break;
                case 1:
                    BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)Math.Max(0, frame.Length - FrameReader.LengthPrefixSize + random.Next(-3, 4)));
                    break;
                case 2:
                    frame = frame[..random.Next(1, frame.Length)];
                    break;
                case 3:
                    frame = Refused(random);
                    break;
                case 4:
                    frame = FrameWriter.ToArray(TunnelMessages.Data(1, random.Next(2) == 0 ? "SSH1" : null, 1, [.. Refused(random), .. Refused(random)]));
                    break;
            }

            stream.AddRange(frame);
        }

        return [.. stream];
    }

    private static byte[] Refused(Random random) => FrameWriter.ToArray(random.Next(5) switch
    {
        0 => TunnelMessages.ServiceIds(["SSH1"]),
        1 => TunnelMessages.SessionReset(),
        2 => TunnelMessages.StreamStart(1, "EVIL\r\n\u001b[31m", 1),
        3 => TunnelMessages.Data(0, "SSH1", 1, "x"u8),
        _ => TunnelMessages.Data(1, "WEB\0", 1, "x"u8),
    });

    private static Gateway.Engine.Protocol.Wire.Message Decode(byte[] frame)
    {
        var bytes = new System.Buffers.ReadOnlySequence<byte>(frame);
        FrameReader.TryRead(ref bytes, out var message, out _);
        return message!;
    }

    /// <summary>
    /// The reference's frames by what a connection may send: clients never send SERVICE_IDS or
    /// SESSION_RESET, the destination never opens streams, and one connection sends serviceId
    /// always or never. Everything else (type 9, frames of the other kind) comes in as mutations.
    /// </summary>
    private sealed class Corpus(VectorFrame[] frames)
    {
        private readonly Dictionary<(string Mode, bool WithServiceId), byte[][]> _allowed = new()
        {
            [("source", true)] = Allowed(frames, "source", withServiceId: true),
            [("source", false)] = Allowed(frames, "source", withServiceId: false),
            [("destination", true)] = Allowed(frames, "destination", withServiceId: true),
            [("destination", false)] = Allowed(frames, "destination", withServiceId: false),
        };

        public byte[][] For(FuzzEnd end) => _allowed[(end.Mode, end.WithServiceId)];

        private static byte[][] Allowed(VectorFrame[] frames, string mode, bool withServiceId)
        {
            var allowed = frames
                .Where(f => f.Type is MessageType.Data or MessageType.StreamReset or MessageType.ConnectionReset
                    || (mode == "source" && f.Type is MessageType.StreamStart or MessageType.ConnectionStart))
                .Where(f => f.ServiceId is not null == withServiceId)
                .Select(f => f.Hex)
                .ToArray();
            Assert.NotEmpty(allowed);
            return allowed;
        }
    }

    /// <summary>One tunnel end: its connections in order, what it sent on each, what each received.</summary>
    private sealed class FuzzEnd(TestGateway gateway, string mode, string accessToken) : IAsyncDisposable
    {
        private readonly string _clientToken = RelayForwardingSupport.NewClientToken();
        private readonly List<Connection> _connections = [];
        private readonly CancellationTokenSource _stop = new(TestGateway.Timeout * 4);
        private byte[] _pending = [];
        private Connection? _current;

        public string Mode => mode;

        /// <summary>Whether the current connection sends serviceId (chosen at random per connection).</summary>
        public bool WithServiceId { get; private set; }

        public bool IsOpen => _current is { Loop.IsCompleted: false } && _current.Socket.Socket.State == WebSocketState.Open;

        public int PendingLength => _pending.Length;

        public IReadOnlyList<IReadOnlyList<byte[]>> Received => [.. _connections.Select(c => (IReadOnlyList<byte[]>)[.. c.Messages])];

        public void Append(byte[] bytes) => _pending = [.. _pending, .. bytes];

        /// <summary>Drops the current connection (no close frame) and opens another with the client token.</summary>
        public async Task ReconnectAsync(bool keepPending, bool withServiceId = true)
        {
            _current?.Socket.Socket.Abort();
            if (!keepPending)
            {
                _pending = [];
            }

            WithServiceId = withServiceId;
            var socket = new TunnelSocket(await gateway.ConnectAsync(mode, accessToken, _clientToken));
            var connection = new Connection(socket);
            connection.Loop = connection.ReceiveAllAsync(_stop.Token);
            _connections.Add(connection);
            _current = connection;
        }

        /// <summary>Sends a random-length head of the pending bytes as one message, in one or two fragments.</summary>
        public async Task SendSomeAsync(Random random)
        {
            int length = random.Next(1, Math.Min(_pending.Length, 200) + 1);
            var chunk = _pending[..length];
            _pending = _pending[length..];
            int cut = random.Next(3) == 0 && length > 1 ? random.Next(1, length) : 0;
            try
            {
                if (cut > 0)
                {
                    await _current!.SendAsync(chunk[..cut], endOfMessage: false);
                }

                await _current!.SendAsync(chunk[cut..], endOfMessage: true);
            }
            catch (WebSocketException)
            {
                // The relay closed this connection for a violation; the next turn reconnects.
            }
        }

        public Task SendWholeAsync(byte[] frame) => _current!.SendAsync(frame, endOfMessage: true);

        /// <summary>Waits (bounded) until the current connection has received exactly this message.</summary>
        public async Task WaitForAsync(byte[] message, string context)
        {
            var deadline = DateTime.UtcNow + TestGateway.Timeout;
            while (!_current!.Messages.Any(m => m.AsSpan().SequenceEqual(message)))
            {
                Assert.True(DateTime.UtcNow < deadline, $"{context}: the {mode} never received {Convert.ToHexString(message)}");
                Assert.False(_current.Loop.IsCompleted, $"{context}: the {mode}'s last connection ended before its last frame arrived");
                await Task.Delay(TimeSpan.FromMilliseconds(10)); // poll interval of a bounded wait
            }
        }

        /// <summary>Every frame this end sent whole, read from the start of each of its connections.</summary>
        public HashSet<string> SentFrames() =>
            [.. _connections.SelectMany(c => RelayFrameOracle.FramesFromStart(c.Sent.ToArray()))];

        public async Task StopAsync()
        {
            foreach (var connection in _connections)
            {
                connection.Socket.Socket.Abort();
            }

            await Task.WhenAll(_connections.Select(c => c.Loop)).WaitAsync(TestGateway.Timeout);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            foreach (var connection in _connections)
            {
                connection.Socket.Socket.Dispose();
            }

            _stop.Dispose();
        }
    }

    private sealed class Connection(TunnelSocket socket)
    {
        public TunnelSocket Socket { get; } = socket;

        public MemoryStream Sent { get; } = new();

        public System.Collections.Concurrent.ConcurrentQueue<byte[]> Messages { get; } = new();

        public Task Loop { get; set; } = Task.CompletedTask;

        public async Task SendAsync(byte[] bytes, bool endOfMessage)
        {
            // Recorded first: bytes the relay may have read count as sent even if the send fails.
            Sent.Write(bytes);
            await Socket.SendRawAsync(bytes, endOfMessage);
        }

        public async Task ReceiveAllAsync(CancellationToken cancellationToken)
        {
            try
            {
                while (await Socket.ReceiveMessageAsync(cancellationToken) is { } message)
                {
                    Messages.Enqueue(message);
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Dropped by the test or by the relay.
            }
        }
    }
}
