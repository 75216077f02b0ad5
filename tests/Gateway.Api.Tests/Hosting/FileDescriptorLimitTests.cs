using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Gateway.Api.Hosting;
using Gateway.Api.Tests.Infrastructure;

namespace Gateway.Api.Tests.Hosting;

/// <summary>
/// Issue 14: 1,500 idle TLS connections against a 1,024 descriptor limit ended the process ("Out of memory.").
/// The real gateway runs under a low open-file limit, more TLS connections than the limit are opened (bounded in
/// count and time), and the process lives, refuses the excess at once and answers /healthz afterwards.
/// </summary>
public sealed partial class FileDescriptorLimitTests
{
    private const int FileLimit = 640;

    private const int Attempts = 800;

    private const int Parallel = 32;

    [Fact]
    public async Task MoreTlsConnectionsThanTheOpenFileLimitAreRefusedAndTheGatewayLives()
    {
        await using var gateway = GatewayProcess.Start(openFileLimit: FileLimit);
        var address = await gateway.WaitListeningAsync();
        int max = int.Parse(BudgetLine().Match(gateway.Stdout).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(max, ConnectionBudget.MinConnections, FileLimit);

        var held = new List<SslStream>();
        int refused = 0;
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            for (int started = 0; started < Attempts; started += Parallel)
            {
                var batch = Enumerable.Range(0, Parallel).Select(_ => TryOpenTlsAsync(address.Port, deadline.Token)).ToArray();
                foreach (var stream in await Task.WhenAll(batch))
                {
                    if (stream is null)
                    {
                        refused++;
                    }
                    else
                    {
                        held.Add(stream);
                    }
                }

                Assert.False(gateway.HasExited, $"the gateway exited after {started + Parallel} connections.\nstdout:\n{gateway.Stdout}\nstderr:\n{gateway.Stderr}");
            }

            Assert.InRange(held.Count, 1, max);
            Assert.Equal(Attempts, held.Count + refused);
            Assert.False(gateway.HasExited, $"stderr:\n{gateway.Stderr}");
        }
        finally
        {
            foreach (var stream in held)
            {
                await stream.DisposeAsync();
            }
        }

        // Once the flood is gone the gateway answers again (its count drops as it notices the closes).
        await AssertHealthyAsync(address);
        Assert.Contains("Closed a connection from 127.0.0.1:", gateway.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Out of memory", gateway.Stdout + gateway.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1024L, 340, null, null, 428)]
    [InlineData(1_048_576L, 340, null, null, 1_048_576 - 340 - 262_144)]
    [InlineData(1024L, 340, 100, null, 584)]
    [InlineData(1024L, 1000, null, null, ConnectionBudget.MinConnections)]
    [InlineData(1024L, 340, null, 50, 50)]
    [InlineData(null, null, null, null, null)]
    public void TheCapIsWhatTheOpenFileLimitLeaves(long? fileLimit, int? openNow, int? reserved, int? configured, int? expected)
    {
        Assert.Equal(expected, ConnectionBudget.Derive(fileLimit, openNow, reserved, configured, out _));
    }

    /// <summary>A completed TLS handshake, or null when the gateway closed the connection (or it failed) first.</summary>
    private static async Task<SslStream?> TryOpenTlsAsync(int port, CancellationToken cancellationToken)
    {
        var client = new TcpClient();
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, attempt.Token);
            var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false, (_, _, _, _) => true);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, attempt.Token);
            return tls;
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
        {
            client.Dispose();
            return null;
        }
    }

    private static async Task AssertHealthyAsync(Uri address)
    {
        using var http = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromSeconds(5),
        };
        using var deadline = new CancellationTokenSource(TestGateway.Timeout);
        string last = "no answer";
        while (!deadline.IsCancellationRequested)
        {
            try
            {
                using var response = await http.GetAsync(new Uri("/healthz", UriKind.Relative), deadline.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = $"HTTP {(int)response.StatusCode}";
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message;
            }
            catch (TaskCanceledException)
            {
                last = "timed out";
            }
        }

        Assert.Fail($"/healthz did not answer 200 within {TestGateway.Timeout}: {last}");
    }

    [GeneratedRegex(@"At most (\d+) connections at once")]
    private static partial Regex BudgetLine();
}
