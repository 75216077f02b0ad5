using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;
using Gateway.Engine.Tests.Infrastructure;

namespace Gateway.Engine.Tests.Sessions;

/// <summary>What the service sends (service ids, close reasons) reaches the session's log escaped (issue 14).</summary>
public sealed class SessionLogEscapingTests
{
    private const string Forged = "EVIL\r\nINFO forged line\u001b[2J\0";
    private const string ForgedEscaped = "EVIL\\x0D\\x0AINFO forged line\\x1B[2J\\x00";

    [Fact]
    public async Task ServiceIdsWithControlCharactersAreLoggedEscaped()
    {
        var loggers = new CapturingLoggerFactory();
        int port = Tcp.FreePort();
        await using var kit = await SessionTestKit.CreateAsync(loggers: loggers);
        kit.Start(kit.Source($"SSH1={port}"));
        var service = await kit.Fake.AcceptAsync();
        await service.SendFramesAsync(FrameWriter.ToArray(TunnelMessages.ServiceIds(["SSH1", Forged])));
        await kit.WaitForAsync(s => s.State == SessionState.Failed, "Failed (service ids do not match)");

        AssertEscapedEverywhere(loggers, kit);
    }

    [Fact]
    public async Task CloseReasonWithControlCharactersIsLoggedEscaped()
    {
        var loggers = new CapturingLoggerFactory();
        int port = Tcp.FreePort();
        await using var kit = await SessionTestKit.CreateAsync(loggers: loggers);
        var service = await kit.ConnectAsync(kit.Source($"SSH1={port}"), FrameWriter.ToArray(TunnelMessages.ServiceIds(["SSH1"])));
        await service.SendCloseAsync(1001, Forged);
        await kit.WaitForAsync(s => s.State == SessionState.Closed, "Closed by the service");

        AssertEscapedEverywhere(loggers, kit);
    }

    // The logger and the session's own recent lines (shown in the UI) both got the escaped text, and no raw control character.
    private static void AssertEscapedEverywhere(CapturingLoggerFactory loggers, SessionTestKit kit)
    {
        var lines = loggers.Lines;
        Assert.Contains(lines, l => l.Contains(ForgedEscaped, StringComparison.Ordinal));
        Assert.Contains(ForgedEscaped, kit.LogText, StringComparison.Ordinal);
        foreach (var line in lines.Concat(kit.LogText.Split('\n')))
        {
            Assert.False(line.Any(char.IsControl), $"a log line carries a raw control character: {line.Replace("\u001b", "<ESC>", StringComparison.Ordinal)}");
        }
    }
}
