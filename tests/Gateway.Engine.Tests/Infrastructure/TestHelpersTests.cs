namespace Gateway.Engine.Tests.Infrastructure;

public sealed class TestHelpersTests
{
    [Fact]
    public void HexRoundTripsAndIgnoresWhiteSpace()
    {
        Assert.Equal("00ff10ab", Hex.Of([0x00, 0xFF, 0x10, 0xAB]));
        Assert.Equal(new byte[] { 0x00, 0xFF, 0x10, 0xAB }, Hex.Parse("00 FF\n10ab"));
        Assert.Empty(Hex.Parse(string.Empty));
    }

    [Fact]
    public void TheSharedKitTheEngineTestsUseBringsNoHost()
    {
        // Gateway.Testing.Sockets is the host-independent part of the shared kit: neither it nor these tests reach the web host.
        string[] host = ["Gateway.Api", "Gateway.Testing", "Microsoft.AspNetCore"];
        foreach (var assembly in new[] { typeof(EchoServer).Assembly, typeof(TestHelpersTests).Assembly })
        {
            Assert.DoesNotContain(assembly.GetReferencedAssemblies(), a => host.Any(h => a.Name == h || a.Name!.StartsWith(h + ".", StringComparison.Ordinal)) && a.Name != "Gateway.Testing.Sockets");
        }

        Assert.Equal("Gateway.Testing.Sockets", typeof(EchoServer).Assembly.GetName().Name);
    }

    [Fact]
    public void TimeoutsAreTheAgreedValues()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), TestTimeouts.Default);
        Assert.Equal(TimeSpan.FromSeconds(2), TestTimeouts.Short);
    }

    [Fact]
    public async Task EchoServerEchoesCountsAndClosesWhenThePeerCloses()
    {
        await using var server = EchoServer.Start(keepReceived: true);
        await using var client = await TcpTestClient.ConnectAsync(server.Port);
        var connection = await server.NextConnectionAsync();
        Assert.Equal(1, server.Accepted);

        await client.SendAsync("hello"u8.ToArray());
        Assert.Equal("hello"u8.ToArray(), await client.ReadExactlyAsync(5));
        await connection.WaitForReceivedAsync(5);
        Assert.Equal(5, connection.ReceivedBytes);
        Assert.Equal("hello"u8.ToArray(), connection.Received);

        client.ShutdownSend();
        Assert.Equal(TcpCloseKind.Eof, await connection.WaitForClosedAsync());
        var rest = await client.ReadUntilClosedAsync();
        Assert.Equal(TcpCloseKind.Eof, rest.ClosedBy);
        Assert.Empty(rest.Data);
    }

    [Fact]
    public async Task EchoConnectionCanBeClosedOrResetFromTheServerSide()
    {
        await using var server = EchoServer.Start();
        await using var graceful = await TcpTestClient.ConnectAsync(server.Port);
        await using var reset = await TcpTestClient.ConnectAsync(server.Port);
        var first = await server.NextConnectionAsync();
        var second = await server.NextConnectionAsync();
        Assert.Equal(2, server.Accepted);

        Assert.False(await graceful.IsClosedByPeerAsync(TimeSpan.FromMilliseconds(50)));
        var firstClient = first.RemoteEndPoint!.Equals(graceful.Socket.LocalEndPoint) ? graceful : reset;
        var secondClient = ReferenceEquals(firstClient, graceful) ? reset : graceful;

        first.Close();
        second.Abort();

        Assert.Equal(TcpCloseKind.Eof, (await firstClient.ReadUntilClosedAsync()).ClosedBy);
        Assert.Equal(TcpCloseKind.Reset, (await secondClient.ReadUntilClosedAsync()).ClosedBy);
        Assert.True(await firstClient.IsClosedByPeerAsync());
    }

    [Fact]
    public async Task EchoServerWithoutEchoKeepsDataAndServerCanSend()
    {
        await using var server = EchoServer.Start();
        await using var client = await TcpTestClient.ConnectAsync(server.Port);
        var connection = await server.NextConnectionAsync();
        connection.Echo = false;

        await client.SendAsync(new byte[100_000]);
        await connection.WaitForReceivedAsync(100_000);
        await connection.SendAsync("x"u8.ToArray());
        Assert.Equal("x"u8.ToArray(), await client.ReadExactlyAsync(1));
    }

    [Fact]
    public async Task TcpTestClientWaitsAreBounded()
    {
        await using var server = EchoServer.Start();
        await using var client = await TcpTestClient.ConnectAsync(server.Port);
        await using var connection = await server.NextConnectionAsync();

        await client.SendAsync("ab"u8.ToArray());
        var partial = await Assert.ThrowsAsync<TimeoutException>(() => client.ReadExactlyAsync(3, TimeSpan.FromMilliseconds(200)));
        Assert.Contains("6162", partial.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<TimeoutException>(() => client.ReadUntilClosedAsync(TimeSpan.FromMilliseconds(50)));
        await Assert.ThrowsAsync<TimeoutException>(() => server.NextConnectionAsync(TimeSpan.FromMilliseconds(50)));

        // Bytes read by the timed-out calls are not lost.
        await client.SendAsync("c"u8.ToArray());
        Assert.Equal("abc"u8.ToArray(), await client.ReadExactlyAsync(3));
    }

    [Fact]
    public async Task ClientSeesEndOfStreamWhenThePeerClosesEarly()
    {
        await using var server = EchoServer.Start();
        await using var client = await TcpTestClient.ConnectAsync(server.Port);
        var connection = await server.NextConnectionAsync();

        connection.Close();

        await Assert.ThrowsAsync<EndOfStreamException>(() => client.ReadExactlyAsync(1));
    }
}
