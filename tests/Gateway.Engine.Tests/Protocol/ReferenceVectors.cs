using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.Engine.Protocol.Wire;

namespace Gateway.Engine.Tests.Protocol;

/// <summary>One tunnel frame captured from the reference proxy (a step of vectors.json with a <c>hex</c> field).</summary>
internal sealed record VectorFrame(
    string Id,
    string Scenario,
    int StepIndex,
    string What,
    byte[] Hex,
    bool Truncated,
    byte[]? Tail,
    int? FrameLength,
    string? Sha256,
    string? WsMessage,
    string TypeLabel,
    Message.Types.Type Type,
    int? StreamId,
    string? ServiceId,
    uint? ConnectionId,
    int? PayloadLength,
    string? PayloadAscii,
    bool? Ignorable,
    IReadOnlyList<string>? AvailableServiceIds,
    IReadOnlyList<int> FieldOrder);

/// <summary>Several tunnel frames the relay sent in ONE WebSocket message (steps with <c>wsMessage</c>).</summary>
internal sealed record CoalescedMessage(string Id, IReadOnlyList<VectorFrame> Frames);

/// <summary>
/// Loads <c>shared/reference/vectors.json</c> (docs/protocol.md section 18). The shared folder is found by
/// walking up from the test binaries: either a <c>shared/reference/vectors.json</c> below some
/// ancestor, or <c>../shared/reference/vectors.json</c> next to the folder holding
/// <c>TunnelGateway.sln</c> (a fresh clone has <c>shared/</c> as a sibling of the repository).
/// </summary>
internal static partial class ReferenceVectors
{
    private static readonly Lazy<Loaded> Data = new(Load);

    public static string FilePath => Data.Value.Path;

    public static int ScenarioCount => Data.Value.ScenarioCount;

    public static IReadOnlyList<VectorFrame> Frames => Data.Value.Frames;

    public static IReadOnlyList<CoalescedMessage> CoalescedMessages => Data.Value.Coalesced;

    public static VectorFrame Frame(string id) =>
        Frames.SingleOrDefault(frame => frame.Id == id)
        ?? throw new KeyNotFoundException($"no frame '{id}' in {FilePath}");

    public static CoalescedMessage Coalesced(string id) =>
        CoalescedMessages.SingleOrDefault(message => message.Id == id)
        ?? throw new KeyNotFoundException($"no coalesced WebSocket message '{id}' in {FilePath}");

    /// <summary>Maps the names vectors.json uses (the .proto enum names) to the generated enum.</summary>
    public static Message.Types.Type ParseType(JsonElement type) => type.ValueKind switch
    {
        JsonValueKind.Number => (Message.Types.Type)type.GetInt32(),
        JsonValueKind.String => type.GetString() switch
        {
            "UNKNOWN" => Message.Types.Type.Unknown,
            "DATA" => Message.Types.Type.Data,
            "STREAM_START" => Message.Types.Type.StreamStart,
            "STREAM_RESET" => Message.Types.Type.StreamReset,
            "SESSION_RESET" => Message.Types.Type.SessionReset,
            "SERVICE_IDS" => Message.Types.Type.ServiceIds,
            "CONNECTION_START" => Message.Types.Type.ConnectionStart,
            "CONNECTION_RESET" => Message.Types.Type.ConnectionReset,
            var name => throw new InvalidDataException($"vectors.json names an unknown message type '{name}'"),
        },
        _ => throw new InvalidDataException($"vectors.json has a type of kind {type.ValueKind}"),
    };

    private static Loaded Load()
    {
        string path = Locate();
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var frames = new List<VectorFrame>();
        var coalesced = new List<CoalescedMessage>();
        int scenarioCount = 0;
        foreach (var scenario in document.RootElement.EnumerateArray())
        {
            scenarioCount++;
            string scenarioName = scenario.GetProperty("scenario").GetString()!;
            string scenarioKey = scenarioName.Split(' ', 2)[0];
            List<VectorFrame>? group = null;
            int groupSize = 0;
            int stepIndex = 0;
            foreach (var step in scenario.GetProperty("steps").EnumerateArray())
            {
                if (step.TryGetProperty("hex", out var hex))
                {
                    var frame = ReadFrame(scenarioName, scenarioKey, stepIndex, step, hex.GetString()!);
                    frames.Add(frame);
                    if (frame.WsMessage is not null)
                    {
                        var match = FrameOfMessage().Match(frame.WsMessage);
                        if (!match.Success)
                        {
                            throw new InvalidDataException($"{frame.Id}: unexpected wsMessage '{frame.WsMessage}'");
                        }

                        int position = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                        if (position == 1)
                        {
                            group = [];
                            groupSize = int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
                        }

                        if (group is null || position != group.Count + 1)
                        {
                            throw new InvalidDataException($"{frame.Id}: wsMessage '{frame.WsMessage}' is out of sequence");
                        }

                        group.Add(frame);
                        if (group.Count == groupSize)
                        {
                            coalesced.Add(new CoalescedMessage($"{group[0].Id} .. {stepIndex} ({groupSize} frames)", group));
                            group = null;
                        }
                    }
                }

                stepIndex++;
            }

            if (group is not null)
            {
                throw new InvalidDataException($"scenario {scenarioKey}: a coalesced WebSocket message lists {group.Count} of {groupSize} frames");
            }
        }

        return new Loaded(path, scenarioCount, frames, coalesced);
    }

    private static VectorFrame ReadFrame(string scenario, string scenarioKey, int stepIndex, JsonElement step, string hex)
    {
        var decoded = step.GetProperty("decoded");
        var typeElement = decoded.GetProperty("type");
        string typeLabel = typeElement.ValueKind == JsonValueKind.String
            ? typeElement.GetString()!
            : $"type {typeElement.GetInt32()}";
        return new VectorFrame(
            Id: $"{scenarioKey} step {stepIndex} {typeLabel}",
            Scenario: scenario,
            StepIndex: stepIndex,
            What: step.GetProperty("what").GetString() ?? string.Empty,
            Hex: Convert.FromHexString(hex),
            Truncated: step.TryGetProperty("hexTruncated", out var truncated) && truncated.GetBoolean(),
            Tail: OptionalString(step, "hexTail") is { } tail ? Convert.FromHexString(tail) : null,
            FrameLength: OptionalInt(step, "frameLen"),
            Sha256: OptionalString(step, "sha256"),
            WsMessage: OptionalString(step, "wsMessage"),
            TypeLabel: typeLabel,
            Type: ParseType(typeElement),
            StreamId: OptionalInt(decoded, "streamId"),
            ServiceId: OptionalString(decoded, "serviceId"),
            ConnectionId: OptionalInt(decoded, "connectionId") is { } connectionId ? checked((uint)connectionId) : null,
            PayloadLength: OptionalInt(decoded, "payloadLen"),
            PayloadAscii: OptionalString(decoded, "payloadAscii"),
            Ignorable: decoded.TryGetProperty("ignorable", out var ignorable) && ignorable.ValueKind != JsonValueKind.Null
                ? ignorable.GetBoolean()
                : null,
            AvailableServiceIds: decoded.TryGetProperty("availableServiceIds", out var ids) && ids.ValueKind != JsonValueKind.Null
                ? ids.EnumerateArray().Select(id => id.GetString()!).ToArray()
                : null,
            FieldOrder: decoded.GetProperty("fieldOrder").EnumerateArray().Select(field => field.GetInt32()).ToArray());
    }

    private static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value.GetString() : null;

    private static int? OptionalInt(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value.GetInt32() : null;

    private static string Locate()
    {
        string[] relative = ["shared", "reference", "vectors.json"];
        var start = new DirectoryInfo(AppContext.BaseDirectory);
        for (var directory = start; directory is not null; directory = directory.Parent)
        {
            string inside = Path.Combine([directory.FullName, .. relative]);
            if (File.Exists(inside))
            {
                return inside;
            }

            if (File.Exists(Path.Combine(directory.FullName, "TunnelGateway.sln")))
            {
                string sibling = Path.GetFullPath(Path.Combine([directory.FullName, "..", .. relative]));
                if (File.Exists(sibling))
                {
                    return sibling;
                }
            }
        }

        throw new FileNotFoundException(
            "Reference vectors not found: walked up from " + start.FullName + " looking for shared/reference/vectors.json "
            + "in every ancestor and for ../shared/reference/vectors.json next to the folder holding TunnelGateway.sln. "
            + "Check out the shared folder as a sibling of the repository (<repo>/../shared).");
    }

    [GeneratedRegex(@"frame (\d+) of (\d+)")]
    private static partial Regex FrameOfMessage();

    private sealed record Loaded(string Path, int ScenarioCount, IReadOnlyList<VectorFrame> Frames, IReadOnlyList<CoalescedMessage> Coalesced);
}
