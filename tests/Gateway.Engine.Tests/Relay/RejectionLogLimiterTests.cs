using Gateway.Engine.Relay;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Engine.Tests.Relay;

public sealed class RejectionLogLimiterTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly List<(string Address, int Count)> _summaries = [];

    [Fact]
    public void FirstFivePerWindowAreLoggedThenOneSummaryGivesTheCountLeftOut()
    {
        var limiter = Limiter(maxAddresses: 10);
        var logged = Enumerable.Range(0, 50).Select(i => limiter.ShouldLog("10.0.0.1", out _)).ToList();
        Assert.Equal([true, true, true, true, true], logged.Take(5));
        Assert.All(logged.Skip(5), Assert.False);
        Assert.Empty(_summaries);

        _time.Advance(Window - TimeSpan.FromSeconds(1));
        Assert.Empty(_summaries);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([("10.0.0.1", 45)], _summaries);
        Assert.Equal(0, limiter.TrackedCount);

        // A new window: logged again, and nothing more to summarise for the old one.
        Assert.True(limiter.ShouldLog("10.0.0.1", out _));
        _time.Advance(Window);
        Assert.Single(_summaries);
    }

    [Fact]
    public void EachAddressHasItsOwnAllowance()
    {
        var limiter = Limiter(maxAddresses: 10);
        for (int i = 0; i < 5; i++)
        {
            Assert.True(limiter.ShouldLog("10.0.0.1", out _));
            Assert.True(limiter.ShouldLog("10.0.0.2", out _));
        }

        Assert.False(limiter.ShouldLog("10.0.0.1", out _));
        Assert.True(limiter.ShouldLog("10.0.0.3", out _));
        _time.Advance(Window);
        Assert.Equal([("10.0.0.1", 1)], _summaries);
    }

    [Fact]
    public void AddressesBeyondTheCapShareOneEntrySoMemoryStaysBounded()
    {
        var limiter = Limiter(maxAddresses: 3);
        int logged = 0;
        for (int i = 0; i < 1000; i++)
        {
            if (limiter.ShouldLog($"10.0.{i / 256}.{i % 256}", out string key))
            {
                logged++;
            }

            Assert.Equal(i < 3 ? $"10.0.0.{i}" : RejectionLogLimiter.OtherAddresses, key);
            Assert.True(limiter.TrackedCount <= 4, $"{limiter.TrackedCount} entries after {i + 1} addresses");
        }

        Assert.Equal(3 + 5, logged);
        _time.Advance(Window);
        Assert.Equal([(RejectionLogLimiter.OtherAddresses, 1000 - 3 - 5)], _summaries);
        Assert.Equal(0, limiter.TrackedCount);
    }

    [Fact]
    public void AnAddressSeenLateInTheWindowIsSummarisedAtTheEndOfItsOwnWindow()
    {
        var limiter = Limiter(maxAddresses: 10);
        Assert.True(limiter.ShouldLog("10.0.0.1", out _));
        _time.Advance(TimeSpan.FromSeconds(40));
        for (int i = 0; i < 7; i++)
        {
            limiter.ShouldLog("10.0.0.2", out _);
        }

        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Empty(_summaries);
        Assert.Equal(1, limiter.TrackedCount);
        _time.Advance(TimeSpan.FromSeconds(40));
        Assert.Equal([("10.0.0.2", 2)], _summaries);
        Assert.Equal(0, limiter.TrackedCount);
    }

    [Fact]
    public async Task RelayWithOutOfRangeSettingsStartsAndStillRefuses()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new RelayOptions
        {
            RejectedHandshakeLogLimit = -1,
            RejectedHandshakeLogWindow = TimeSpan.Zero,
            RejectedHandshakeLogMaxAddresses = 0,
        });
        var relay = new TunnelRelay(new InMemoryTunnelStore(), _time, options, Microsoft.Extensions.Logging.Abstractions.NullLogger<TunnelRelay>.Instance);
        var result = await relay.AuthorizeAsync(new RelayUpgradeRequest { RemoteAddress = "10.0.0.1:4000" }, CancellationToken.None);
        Assert.False(result.Accepted);
        Assert.Equal(400, result.StatusCode);
    }

    private RejectionLogLimiter Limiter(int maxAddresses) =>
        new(_time, limit: 5, Window, maxAddresses, (address, count) => _summaries.Add((address, count)));
}
