using System.Text;

namespace Gateway.Testing;

/// <summary>Reading a Dockerfile without a Docker engine (the deployment tests check what they can).</summary>
public static class Dockerfiles
{
    /// <summary>One string per instruction: comments dropped, backslash continuations joined.</summary>
    public static List<string> Instructions(IEnumerable<string> lines)
    {
        var instructions = new List<string>();
        var current = new StringBuilder();
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && current.Length == 0))
            {
                continue;
            }

            bool continued = line.EndsWith('\\');
            current.Append(continued ? line[..^1].TrimEnd() + " " : line);
            if (!continued)
            {
                instructions.Add(current.ToString().Trim());
                current.Clear();
            }
        }

        return instructions;
    }
}
