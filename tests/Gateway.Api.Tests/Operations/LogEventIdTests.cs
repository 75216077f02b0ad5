using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Gateway.Api.Tests.Operations;

/// <summary>
/// Every log message of the gateway has its own event id, so an operator's filter or alert on an id
/// means one thing. Read from the [LoggerMessage] attributes of the engine and the API, and from the
/// static <see cref="EventId"/> fields that name the ids of lines written without one (the session lines of
/// <see cref="Gateway.Engine.Sessions.SessionLogEvents"/>).
/// </summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void NoTwoLogMessagesShareAnEventId()
    {
        Assembly[] assemblies = [typeof(Gateway.Engine.Sessions.SessionManager).Assembly, typeof(Gateway.Api.Relay.RelayEndpointOptions).Assembly];
        var types = assemblies.SelectMany(a => a.GetTypes()).ToList();
        var messages = types
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(x => x.Attribute is not null)
            .Select(x => (Id: x.Attribute!.EventId, Name: $"{x.Method.DeclaringType!.FullName}.{x.Method.Name}"))
            .ToList();
        Assert.True(messages.Count > 50, $"only {messages.Count} log messages found: the scan is broken");

        var fields = types
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Where(f => f.FieldType == typeof(EventId))
            .Select(f => (((EventId)f.GetValue(null)!).Id, Name: $"{f.DeclaringType!.FullName}.{f.Name}"))
            .ToList();
        Assert.True(fields.Count(f => f.Name.StartsWith("Gateway.Engine.Sessions.SessionLogEvents.", StringComparison.Ordinal)) > 40, $"only {fields.Count} event id fields found: the scan is broken");

        var shared = messages.Concat(fields)
            .Where(x => x.Id != 0)
            .GroupBy(x => x.Id)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(x => x.Name))}")
            .ToList();
        Assert.True(shared.Count == 0, "event ids used by more than one log message:\n" + string.Join("\n", shared));
    }
}
