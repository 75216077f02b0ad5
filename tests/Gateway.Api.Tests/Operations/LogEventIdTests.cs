using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Gateway.Api.Tests.Operations;

/// <summary>
/// Every log message of the gateway has its own event id, so an operator's filter or alert on an id
/// means one thing. Read from the [LoggerMessage] attributes of the engine and the API.
/// </summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void NoTwoLogMessagesShareAnEventId()
    {
        Assembly[] assemblies = [typeof(Gateway.Engine.Sessions.SessionManager).Assembly, typeof(Gateway.Api.Relay.RelayEndpointOptions).Assembly];
        var messages = assemblies
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(x => x.Attribute is not null)
            .ToList();
        Assert.True(messages.Count > 50, $"only {messages.Count} log messages found: the scan is broken");

        var shared = messages
            .Where(x => x.Attribute!.EventId != 0)
            .GroupBy(x => x.Attribute!.EventId)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(x => $"{x.Method.DeclaringType!.FullName}.{x.Method.Name}"))}")
            .ToList();
        Assert.True(shared.Count == 0, "event ids used by more than one log message:\n" + string.Join("\n", shared));
    }
}
