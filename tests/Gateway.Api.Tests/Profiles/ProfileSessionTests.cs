using System.Net;
using Gateway.Api.Profiles;
using Gateway.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Gateway.Api.Tests.Profiles.ProfileTestSupport;

namespace Gateway.Api.Tests.Profiles;

/// <summary>Profiles built into specs by <see cref="ProfileSessionSpecs"/> run real sessions through the built-in relay.</summary>
public sealed class ProfileSessionTests
{
    [Fact]
    public async Task BuiltInRelayProfilesStartSessionsThatCarryTraffic()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var echo = EchoServer.Start();
        using var http = gateway.CreateClient();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var specs = gateway.Services.GetRequiredService<ProfileSessionSpecs>();
        var sessions = gateway.Sessions();

        // The destination stores its token; the source gets a fresh one at start, as a user would.
        string destinationId = (await http.PostJsonAsync("/api/profiles", new
        {
            name = "relay-destination",
            mode = "destination",
            useBuiltInRelay = true,
            services = $"SSH=127.0.0.1:{echo.Port}",
            settings = FastSettingsJson,
            accessToken = tunnel.DestinationAccessToken,
        }, HttpStatusCode.Created)).GetProperty("id").GetString()!;
        string sourceId = (await http.PostJsonAsync("/api/profiles", new
        {
            name = "relay-source",
            mode = "source",
            useBuiltInRelay = true,
            services = "SSH=2222",
            bindAddress = "127.0.0.1",
            settings = FastSettingsJson,
        }, HttpStatusCode.Created)).GetProperty("id").GetString()!;

        var destinationSpec = specs.Build(await ProfileSecretsTests.LoadAsync(gateway, destinationId));
        Assert.True(destinationSpec.IsValid, string.Join("; ", destinationSpec.Errors.Select(e => $"{e.Field}: {e.Message}")));
        var destination = sessions.StartOrThrow(destinationSpec.Spec!);

        var sourceProfile = await ProfileSecretsTests.LoadAsync(gateway, sourceId);
        var (source, ports) = sessions.StartSourceOnFreePorts(1, ports =>
        {
            var built = specs.Build(sourceProfile, new ProfileStartOverrides(AccessToken: tunnel.SourceAccessToken, Services: $"SSH={ports[0]}"));
            Assert.True(built.IsValid, string.Join("; ", built.Errors.Select(e => $"{e.Field}: {e.Message}")));
            return built.Spec!;
        });
        Assert.Equal("relay-source", source.Name);

        await sessions.WaitReadyAsync(destination.Id);
        await sessions.WaitReadyAsync(source.Id);
        using (var client = await LocalClient.ConnectAsync(ports[0]))
        {
            await client.EchoRandomAsync(16 * 1024);
        }

        await sessions.StopAsync(source.Id).WaitAsync(TestGateway.Timeout);
        await sessions.StopAsync(destination.Id).WaitAsync(TestGateway.Timeout);
        gateway.Logs.AssertNeverLogged(tunnel.SourceAccessToken);
        gateway.Logs.AssertNeverLogged(tunnel.DestinationAccessToken);
        gateway.Logs.AssertNoErrors();
    }
}
