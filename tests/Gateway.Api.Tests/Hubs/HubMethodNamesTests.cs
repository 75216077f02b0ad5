using System.Net;
using System.Reflection;
using System.Text.RegularExpressions;
using Gateway.Api.Hubs;
using Gateway.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace Gateway.Api.Tests.Hubs;

/// <summary>
/// The dashboard's one list of hub method names (<c>/js/hub-methods.js</c>, as the gateway serves it)
/// names exactly what the server pushes (<see cref="ISessionsClient"/>) and what a client may invoke
/// (<see cref="SessionsHub"/>'s public methods), so a rename on either side fails here, not in a browser.
/// </summary>
public sealed partial class HubMethodNamesTests
{
    [Fact]
    public async Task TheDashboardsHubMethodNamesAreTheClientInterfacesAndTheHubsMethods()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var client = gateway.CreateClient(apiKey: null);
        using var response = await client.GetAsync("/js/hub-methods.js");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string script = await response.Content.ReadAsStringAsync();

        Assert.Equal(SessionsHub.Path, HubPath().Match(script).Groups["path"].Value);
        Assert.Equal(ClientMethodNames(), Entries(script, "CLIENT_METHODS"));
        Assert.Equal(HubMethodNames(), Entries(script, "HUB_METHODS"));
    }

    [Fact]
    public void TheNamesOnTheWireAreTheOnesTheDashboardAlwaysUsed()
    {
        Assert.Equal(["agentChanged", "sessionChanged", "sessionCounters", "sessionDetail", "sessionLog", "sessionRemoved"], ClientMethodNames());
        Assert.Equal(["GetSessions", "Subscribe", "Unsubscribe"], HubMethodNames());
    }

    /// <summary>The methods of the client interface, in ordinal order.</summary>
    private static List<string> ClientMethodNames() =>
        [.. typeof(ISessionsClient).GetMethods().Select(m => m.Name).Order(StringComparer.Ordinal)];

    /// <summary>What SignalR lets clients invoke: the hub's own public instance methods (not the overrides of <see cref="Hub{T}"/>), in ordinal order.</summary>
    private static List<string> HubMethodNames() =>
        [.. typeof(SessionsHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.GetBaseDefinition().DeclaringType == typeof(SessionsHub))
            .Select(m => m.GetCustomAttribute<HubMethodNameAttribute>()?.Name ?? m.Name)
            .Order(StringComparer.Ordinal)];

    /// <summary>The <c>name: 'name'</c> entries of <c>export const <paramref name="constant"/> = Object.freeze({ … })</c>, in ordinal order.</summary>
    private static List<string> Entries(string script, string constant)
    {
        var block = Regex.Match(script, $@"export const {constant} = Object\.freeze\(\{{(?<body>[^}}]*)\}}\);", RegexOptions.None, TimeSpan.FromSeconds(1));
        Assert.True(block.Success, $"hub-methods.js has no `export const {constant} = Object.freeze({{ ... }});`");
        var names = new List<string>();
        foreach (string line in block.Groups["body"].Value.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0))
        {
            var entry = Entry().Match(line);
            Assert.True(entry.Success, $"{constant}: '{line}' is not `name: 'name',`");
            Assert.Equal(entry.Groups["key"].Value, entry.Groups["value"].Value);
            names.Add(entry.Groups["value"].Value);
        }

        return [.. names.Order(StringComparer.Ordinal)];
    }

    [GeneratedRegex(@"^(?<key>[A-Za-z_][A-Za-z0-9_]*): '(?<value>[^']*)',$")]
    private static partial Regex Entry();

    [GeneratedRegex(@"export const HUB_PATH = '(?<path>[^']*)';")]
    private static partial Regex HubPath();
}
