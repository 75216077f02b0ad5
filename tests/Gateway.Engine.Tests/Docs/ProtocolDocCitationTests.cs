using System.Text.RegularExpressions;

namespace Gateway.Engine.Tests.Docs;

/// <summary>
/// Comments and docs cite docs/protocol.md by its numbers (in the docs also as a link,
/// "[protocol.md](protocol.md) section 17"): "section 13", "sections 6 and 18",
/// "sections 1-3 and 16", "8.3", "section 16 item 7", "8.1 step 4". Every such citation in the
/// code (src, tests, bench) and the docs must name a numbered heading of that file, and, when it
/// names an item or a step, a numbered entry of that section's list.
/// </summary>
public sealed partial class ProtocolDocCitationTests
{
    [Fact]
    public void EveryCitationNamesASectionAndItemOfDocsProtocolMd()
    {
        string root = RepositoryRoot();
        var doc = ProtocolDoc.Parse(File.ReadAllLines(Path.Combine(root, "docs", "protocol.md")));
        Assert.True(doc.SectionCount >= 18, $"only {doc.SectionCount} numbered headings in docs/protocol.md: the parser is broken");

        var citations = CitingFiles(root)
            .SelectMany(path => FindCitations(File.ReadAllText(path)).Select(c => (Path: Path.GetRelativePath(root, path), Citation: c)))
            .ToList();
        Assert.True(citations.Count >= 40, $"only {citations.Count} citations of protocol.md found: the scan is broken");

        var broken = citations
            .Where(x => !doc.Has(x.Citation))
            .Select(x => $"{x.Path}:{x.Citation.Line}: \"{x.Citation.Text}\" names {x.Citation}, which docs/protocol.md does not have")
            .ToList();
        Assert.True(broken.Count == 0, "citations of sections or items that docs/protocol.md does not have:\n" + string.Join("\n", broken));
    }

    [Theory]
    [InlineData("(protocol.md section 13)", "13")]
    [InlineData("docs/protocol.md sections 6 and 18", "6|18")]
    [InlineData("protocol.md sections 1-3 and 16): token", "1|2|3|16")]
    [InlineData("protocol.md sections 2, 3 and 16), checked", "2|3|16")]
    [InlineData("(protocol.md 8.3, vector 6b)", "8.3")]
    [InlineData("protocol.md 8.1 step 4 and section 13", "8.1 step 4|13")]
    [InlineData("protocol.md section 16 item 7 and the validity rules of section 7", "16 item 7")]
    [InlineData("protocol.md section 16 item 7 and section 4: a violation", "16 item 7|4")]
    [InlineData("(clients may not extend the message, docs/protocol.md\n// section 6), so", "6")]
    [InlineData("the reference (docs/protocol.md\n    /// section 17). No", "17")]
    [InlineData("each row of [protocol.md](protocol.md) section 17 names", "17")]
    [InlineData("see docs/protocol.md for the rest", "")]
    public void CitationsAreReadAsWritten(string text, string expected)
    {
        var found = FindCitations(text).Select(c => c.ToString());
        Assert.Equal(expected, string.Join("|", found));
    }

    [Fact]
    public void AMissingSectionOrItemIsNoticed()
    {
        var doc = ProtocolDoc.Parse(
        [
            "# Title",
            "## 1. One",
            "1. first",
            "2. second",
            "## 2. Two",
            "### 2.1 Two one",
            "1. only",
        ]);
        Assert.True(doc.Has(new Citation("1", null, 1, string.Empty)));
        Assert.True(doc.Has(new Citation("1", 2, 1, string.Empty)));
        Assert.True(doc.Has(new Citation("2.1", 1, 1, string.Empty)));
        Assert.False(doc.Has(new Citation("3", null, 1, string.Empty)));
        Assert.False(doc.Has(new Citation("1", 3, 1, string.Empty)));
        Assert.False(doc.Has(new Citation("2", 1, 1, string.Empty)));
        Assert.False(doc.Has(new Citation("2.2", null, 1, string.Empty)));
    }

    /// <summary>The folder holding TunnelGateway.sln, found from the test binaries upward.</summary>
    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "TunnelGateway.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no TunnelGateway.sln above {AppContext.BaseDirectory}");
    }

    private static IEnumerable<string> CitingFiles(string root)
    {
        foreach (string folder in new[] { "src", "tests", "bench" })
        {
            string path = Path.Combine(root, folder);
            if (!Directory.Exists(path))
            {
                continue;
            }

            foreach (string file in Directory.EnumerateFiles(path, "*.cs", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(root, file).Replace('\\', '/');
                if (!relative.Contains("/obj/", StringComparison.Ordinal) && !relative.Contains("/bin/", StringComparison.Ordinal))
                {
                    yield return file;
                }
            }
        }

        foreach (string file in Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md"))
        {
            yield return file;
        }

        yield return Path.Combine(root, "README.md");
    }

    internal static IEnumerable<Citation> FindCitations(string text)
    {
        foreach (Match match in CitationPattern().Matches(text))
        {
            int line = 1 + text.AsSpan(0, match.Index).Count('\n');
            string shown = Regex.Replace(match.Value, @"\s+", " ");
            int? previous = null;
            foreach (Match reference in ReferencePattern().Matches(match.Value, "protocol.md".Length))
            {
                string number = reference.Groups["num"].Value;
                int? item = reference.Groups["k"].Success ? int.Parse(reference.Groups["k"].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
                if (reference.Groups["range"].Success && previous is { } from && int.TryParse(number, out int to))
                {
                    // "sections 1-3": the ones between count too.
                    for (int section = from + 1; section < to; section++)
                    {
                        yield return new Citation(section.ToString(System.Globalization.CultureInfo.InvariantCulture), null, line, shown);
                    }
                }

                previous = int.TryParse(number, out int whole) ? whole : null;
                yield return new Citation(number, item, line, shown, reference.Groups["kind"].Success ? reference.Groups["kind"].Value.ToLowerInvariant() : "item");
            }
        }
    }

    // Between the words of a citation: spaces, line breaks and the comment marks of a wrapped line.
    private const string Gap = @"[\s/*>]+";
    private const string Reference = @"\d+(?:\.\d+)?(?:" + Gap + @"(?:item|step)" + Gap + @"\d+)?";

    [GeneratedRegex(@"protocol\.md(?:\]\([^)\s]*\))?" + Gap + @"(?:sections?" + Gap + @")?" + Reference + @"(?:[\s/*>]*(?:,|\band\b|-)[\s/*>]*(?:sections?" + Gap + @")?" + Reference + ")*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CitationPattern();

    [GeneratedRegex(@"(?<range>-)?[\s/*>]*(?:sections?" + Gap + @")?(?<num>\d+(?:\.\d+)?)(?:" + Gap + @"(?<kind>item|step)" + Gap + @"(?<k>\d+))?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ReferencePattern();

    /// <summary>One cited section (e.g. "8.1"), and the numbered entry of it when an item or step is named.</summary>
    internal sealed record Citation(string Section, int? Item, int Line, string Text, string Kind = "item")
    {
        public override string ToString() => Item is { } item ? $"{Section} {Kind} {item}" : Section;
    }

    /// <summary>The numbered headings of docs/protocol.md ("## 8. ...", "### 8.1 ...") and the numbered list entries under each.</summary>
    private sealed partial class ProtocolDoc
    {
        private readonly Dictionary<string, HashSet<int>> _sections = new(StringComparer.Ordinal);

        public int SectionCount => _sections.Count;

        public static ProtocolDoc Parse(IEnumerable<string> lines)
        {
            var doc = new ProtocolDoc();
            HashSet<int>? current = null;
            bool fenced = false;
            foreach (string line in lines)
            {
                if (line.StartsWith("```", StringComparison.Ordinal))
                {
                    fenced = !fenced;
                    continue;
                }

                if (fenced)
                {
                    continue;
                }

                var heading = Heading().Match(line);
                if (heading.Success)
                {
                    current = [];
                    doc._sections[heading.Groups["num"].Value] = current;
                    continue;
                }

                if (line.StartsWith('#'))
                {
                    current = null;
                    continue;
                }

                var entry = ListEntry().Match(line);
                if (entry.Success && current is not null)
                {
                    current.Add(int.Parse(entry.Groups["k"].Value, System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            return doc;
        }

        public bool Has(Citation citation) =>
            _sections.TryGetValue(citation.Section, out var items) && (citation.Item is not { } item || items.Contains(item));

        [GeneratedRegex(@"^#{1,6}\s+(?<num>\d+(?:\.\d+)?)\.?\s")]
        private static partial Regex Heading();

        [GeneratedRegex(@"^\s{0,3}(?<k>\d+)\.\s")]
        private static partial Regex ListEntry();
    }
}
