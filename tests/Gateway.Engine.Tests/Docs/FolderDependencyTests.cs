using System.Reflection;
using System.Reflection.Emit;
using Gateway.Engine.Sessions;

namespace Gateway.Engine.Tests.Docs;

/// <summary>
/// The engine's folders (one namespace each, sub-namespaces counted with their folder) depend on
/// each other one way only: the graph of "a type in folder A uses a type in folder B" has no
/// cycle. Read from the compiled assembly (signatures, fields, locals and every member a method
/// body touches), so a use in code counts and a mention in a comment does not. docs/architecture.md
/// draws the layers this test keeps.
/// </summary>
public sealed class FolderDependencyTests
{
    private static readonly Assembly Engine = typeof(SessionManager).Assembly;

    [Fact]
    public void TheEnginesFoldersDependOnEachOtherOneWayOnly()
    {
        var edges = Dependencies();
        Assert.True(edges.Count >= 15, $"only {edges.Count} dependencies between folders found: the scan is broken");

        var cycle = FindCycle(edges);
        Assert.True(cycle is null, cycle is null ? null : $"the folders depend on each other in a cycle: {string.Join(" -> ", cycle)}\nwhere:\n" + string.Join("\n", Where(edges, cycle)));
    }

    [Fact]
    public void TheLowestFoldersUseNoOtherFolder()
    {
        var edges = Dependencies();
        foreach (string leaf in new[] { "Protocol", "Scheduling", "Logging", "Platform", "Aws" })
        {
            var uses = edges.Keys.Where(e => e.From == leaf).Select(e => $"{e.To} ({string.Join(", ", edges[e].Take(3))})").ToList();
            Assert.True(uses.Count == 0, $"{leaf} is a leaf of the engine but uses {string.Join("; ", uses)}");
        }
    }

    private static IEnumerable<string> Where(Dictionary<(string From, string To), SortedSet<string>> edges, List<string> cycle)
    {
        for (int i = 0; i + 1 < cycle.Count; i++)
        {
            yield return $"  {cycle[i]} -> {cycle[i + 1]}: {string.Join(", ", edges[(cycle[i], cycle[i + 1])].Take(5))}";
        }
    }

    private static List<string>? FindCycle(Dictionary<(string From, string To), SortedSet<string>> edges)
    {
        var next = edges.Keys.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).OrderBy(t => t, StringComparer.Ordinal).ToList());
        var state = new Dictionary<string, int>();
        var path = new List<string>();

        List<string>? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (string to in next.GetValueOrDefault(node) ?? [])
            {
                if (state.GetValueOrDefault(to) == 1)
                {
                    return [.. path.Skip(path.IndexOf(to)), to];
                }

                if (state.GetValueOrDefault(to) == 0 && Visit(to) is { } found)
                {
                    return found;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }

        foreach (string node in next.Keys.OrderBy(n => n, StringComparer.Ordinal))
        {
            if (state.GetValueOrDefault(node) == 0 && Visit(node) is { } cycle)
            {
                return cycle;
            }
        }

        return null;
    }

    /// <summary>Folder -> folder, with the uses that make each edge ("Type -> Type").</summary>
    private static Dictionary<(string From, string To), SortedSet<string>> Dependencies()
    {
        var edges = new Dictionary<(string, string), SortedSet<string>>();
        foreach (var type in Engine.GetTypes())
        {
            if (Folder(type) is not { } from)
            {
                continue;
            }

            foreach (var used in Uses(type))
            {
                if (Folder(used) is { } to && to != from)
                {
                    if (!edges.TryGetValue((from, to), out var why))
                    {
                        edges[(from, to)] = why = new SortedSet<string>(StringComparer.Ordinal);
                    }

                    why.Add($"{Outermost(type).Name} -> {Outermost(used).Name}");
                }
            }
        }

        return edges;
    }

    /// <summary>The engine folder a type belongs to: "Sessions" for Gateway.Engine.Sessions.*, "(root)" for Gateway.Engine.</summary>
    private static string? Folder(Type type)
    {
        type = Outermost(type);
        if (type.Assembly != Engine || type.Namespace is not { } ns)
        {
            return null;
        }

        if (ns == "Gateway.Engine")
        {
            return "(root)";
        }

        return ns.StartsWith("Gateway.Engine.", StringComparison.Ordinal) ? ns["Gateway.Engine.".Length..].Split('.')[0] : null;
    }

    private static Type Outermost(Type type)
    {
        while (type.IsNested)
        {
            type = type.DeclaringType!;
        }

        return type;
    }

    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static IEnumerable<Type> Uses(Type type)
    {
        var found = new List<Type>();
        if (type.BaseType is { } baseType)
        {
            found.Add(baseType);
        }

        found.AddRange(type.GetInterfaces());
        found.AddRange(type.GetFields(Declared).Select(f => f.FieldType));
        found.AddRange(type.GetProperties(Declared).Select(p => p.PropertyType));
        found.AddRange(type.GetEvents(Declared).Select(e => e.EventHandlerType!));
        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (method is MethodInfo info)
            {
                found.Add(info.ReturnType);
            }

            found.AddRange(method.GetParameters().Select(p => p.ParameterType));
            found.AddRange(BodyUses(method));
        }

        return found.SelectMany(Expand);
    }

    /// <summary>A type with its element type and generic arguments, recursively.</summary>
    private static IEnumerable<Type> Expand(Type type)
    {
        if (type.HasElementType)
        {
            foreach (var inner in Expand(type.GetElementType()!))
            {
                yield return inner;
            }

            yield break;
        }

        if (type.IsGenericParameter)
        {
            yield break;
        }

        yield return type;
        if (type.IsGenericType)
        {
            foreach (var argument in type.GetGenericArguments().SelectMany(Expand))
            {
                yield return argument;
            }
        }
    }

    private static IEnumerable<Type> BodyUses(MethodBase method)
    {
        MethodBody? body;
        try
        {
            body = method.GetMethodBody();
        }
        catch (InvalidOperationException)
        {
            yield break;
        }

        if (body is null)
        {
            yield break;
        }

        foreach (var local in body.LocalVariables)
        {
            yield return local.LocalType;
        }

        var il = body.GetILAsByteArray() ?? [];
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (int at = 0; at < il.Length;)
        {
            var op = il[at] == 0xFE ? TwoByte[il[at + 1]] : OneByte[il[at]];
            at += op.Size;
            int operand = OperandSize(op, il, at);
            if (op.OperandType is OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineType or OperandType.InlineTok)
            {
                int token = BitConverter.ToInt32(il, at);
                Type? used = null;
                try
                {
                    used = method.Module.ResolveMember(token, typeArguments, methodArguments) switch
                    {
                        Type t => t,
                        MemberInfo m => m.DeclaringType,
                        _ => null,
                    };
                }
                catch (ArgumentException)
                {
                }

                if (used is not null)
                {
                    yield return used;
                }
            }

            at += operand;
        }
    }

    private static int OperandSize(OpCode op, byte[] il, int at) => op.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, at)),
        _ => 4,
    };

    private static readonly OpCode[] OneByte = new OpCode[256];
    private static readonly OpCode[] TwoByte = new OpCode[256];

    static FolderDependencyTests()
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var op = (OpCode)field.GetValue(null)!;
            ushort value = unchecked((ushort)op.Value);
            if (op.Size == 1)
            {
                OneByte[value] = op;
            }
            else
            {
                TwoByte[value & 0xFF] = op;
            }
        }
    }
}
