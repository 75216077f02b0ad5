using Gateway.Engine.Protocol;
using Gateway.Engine.Proxy;
using Gateway.Engine.Sessions;
using Gateway.Engine.Settings.ReferenceFormats;
using Gateway.Engine.Settings;

namespace Gateway.Engine.Tests.Settings.ReferenceFormats;

/// <summary><see cref="ReferenceFiles.ParseConfigDirectory"/>: the reference's <c>--config-dir</c> files of <c>SERVICE_ID = ENDPOINT</c> lines.</summary>
public sealed class ConfigDirectoryParserTests
{
    private static ConfigDirectoryResult Parse(SessionMode? mode, params (string Name, string Text)[] files) =>
        ReferenceFiles.ParseConfigDirectory(files.Select(f => new KeyValuePair<string, string>(f.Name, f.Text)), mode);

    [Fact]
    public void EntriesWithCommentsAndBlankLinesAreReadAndCheckedAgainstTheMode()
    {
        var result = Parse(SessionMode.Destination, ("services.ini", "# the services\r\n; another comment\n\n SSH = 127.0.0.1:22 \nWEB=8080\n"));

        var file = Assert.Single(result.Files);
        Assert.Null(file.Error);
        Assert.Empty(file.Sections);
        Assert.Equal(["SSH", "WEB"], result.Services.Select(s => s.ServiceId));
        Assert.Equal(4, result.Services[0].Line);
        Assert.Equal("127.0.0.1:22", result.Services[0].Value);
        Assert.Equal(new ServiceEndpoint { Host = "127.0.0.1", Port = 22 }, result.Services[0].Endpoint);
        Assert.Equal(8080, result.Services[1].Endpoint!.Port);
        Assert.All(result.Services, s => Assert.Null(s.Error));
    }

    [Fact]
    public void FilesAreTakenInOrdinalNameOrderAndTheFirstDefinitionWins()
    {
        var result = Parse(SessionMode.Source, ("b.ini", "SSH = 2002\nWEB = 8080\n"), ("a.ini", "SSH = 2001\n"), ("B.ini", "DB = 5432\n"));

        Assert.Equal(["B.ini", "a.ini", "b.ini"], result.Files.Select(f => f.Name));
        Assert.Equal([("DB", "B.ini"), ("SSH", "a.ini"), ("WEB", "b.ini")], result.Services.Select(s => (s.ServiceId, s.File)));
        Assert.Equal(2001, result.Services[1].Endpoint!.Port);

        // The later definition is still in its file's entries.
        Assert.Equal(["SSH", "WEB"], result.Files[2].Entries.Select(e => e.ServiceId));
    }

    [Fact]
    public void AnEntryThatDoesNotFitTheModeIsNotUsedAndALaterFileMayDefineItsId()
    {
        var result = Parse(SessionMode.Source, ("a.ini", "SSH = 10.0.0.1:22\nWEB = 80\n"), ("b.ini", "SSH = 2222\n"));

        var bad = result.Files[0].Entries[0];
        Assert.Null(bad.Endpoint);
        Assert.NotNull(bad.Error);
        Assert.Null(result.Files[0].Error);
        Assert.Equal([("SSH", "b.ini"), ("WEB", "a.ini")], result.Services.Select(s => (s.ServiceId, s.File)).Order());
    }

    [Fact]
    public void WithoutAModeEntriesAreNotChecked()
    {
        var result = Parse(null, ("a.ini", "SSH = not an endpoint at all\n"));

        var entry = Assert.Single(result.Services);
        Assert.Null(entry.Endpoint);
        Assert.Null(entry.Error);
        Assert.Equal("not an endpoint at all", entry.Value);
    }

    [Fact]
    public void EntriesUnderASectionAreNotUsedAndTheSectionIsListed()
    {
        var result = Parse(SessionMode.Destination, ("a.ini", "SSH = 22\n[servers]\nDB = 5432\n"));

        var file = Assert.Single(result.Files);
        Assert.Null(file.Error);
        Assert.Equal([new ConfigDirectorySection(2, "servers")], file.Sections);
        Assert.Equal(["SSH"], file.Entries.Select(e => e.ServiceId));
        Assert.Equal(["SSH"], result.Services.Select(s => s.ServiceId));
    }

    [Theory]
    [InlineData("SSH = 22\nthis is not an entry\nWEB = 80\n", 2, null, "the file cannot be parsed: expected SERVICE_ID = ENDPOINT.")]
    [InlineData("SSH = 22\n= 80\n", 2, null, "the file cannot be parsed: expected SERVICE_ID = ENDPOINT.")]
    [InlineData("SSH = 22\nWEB = 8\00\n", 2, null, "the file cannot be parsed: expected SERVICE_ID = ENDPOINT.")]
    [InlineData("SSH = 22\n[servers\nDB = 1\n", 2, null, "the file cannot be parsed: a section header must look like [name].")]
    [InlineData("SSH = 22\nWEB = 80\nSSH = 23\n", 3, "SSH", "the file cannot be parsed: service id 'SSH' is defined twice.")]
    [InlineData("[s]\nSSH = 22\nSSH = 23\n", 3, "SSH", "the file cannot be parsed: service id 'SSH' is defined twice.")]
    public void AFileThatIsNotIniIsNotUsedAtAll(string text, int line, string? key, string message)
    {
        var result = Parse(SessionMode.Destination, ("broken.ini", text), ("good.ini", "RDP = 3389\n"));

        var broken = result.Files[0];
        Assert.Equal(new ReferenceFileError("broken.ini", line, key, message), broken.Error);
        Assert.Equal($"broken.ini line {line}: {message}", broken.Error!.ToString());
        Assert.Equal(["RDP"], result.Services.Select(s => s.ServiceId));

        // What came before the fatal line is kept, for a caller that reports the first problem.
        Assert.All(broken.Entries, e => Assert.True(e.Line < line));
    }

    [Fact]
    public void ALongDuplicatedIdIsShortenedInTheMessageButWholeInTheKey()
    {
        string id = new('A', 100);
        var result = Parse(null, ("a.ini", $"{id} = 1\n{id} = 2\n"));

        var error = result.Files[0].Error!;
        Assert.Equal(id, error.Key);
        Assert.Contains(new string('A', 64) + "...'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('A', 65), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoFilesDefineNoServices()
    {
        var result = Parse(SessionMode.Source);

        Assert.Empty(result.Files);
        Assert.Empty(result.Services);
    }
}
