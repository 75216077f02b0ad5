using System.Text.Json;
using Gateway.Engine.Aws;

namespace Gateway.Engine.Relay.Management;

/// <summary>
/// Reads the members of an AWS JSON 1.1 request body. A member of the wrong JSON type is a
/// <c>SerializationException</c> (the request cannot be read at all); a member that breaks a
/// constraint is collected, so one <c>ValidationException</c> names every broken rule the way
/// the AWS service words it ("Value 'x' at 'member' failed to satisfy constraint: ...").
/// Unknown members are ignored, as the service does.
/// </summary>
internal sealed class AwsRequestReader
{
    private readonly JsonElement _root;
    private readonly List<string> _violations = [];

    private AwsRequestReader(JsonElement root) => _root = root;

    public AwsError? TypeError { get; private set; }

    /// <summary>The request's top-level object, or the error that stops it being read.</summary>
    public static (AwsRequestReader? Reader, JsonDocument? Document, AwsError? Error) Open(ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty)
        {
            // The CLI sends {} for no parameters; an empty body means the same.
            body = "{}"u8.ToArray();
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException ex)
        {
            return (null, null, new AwsError(AwsErrorTypes.Serialization, $"The request body is not valid JSON: {ex.Message}"));
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return (null, null, new AwsError(AwsErrorTypes.Serialization, "The request body must be a JSON object."));
        }

        return (new AwsRequestReader(document.RootElement), document, null);
    }

    /// <summary>The collected constraint violations as one ValidationException, or null.</summary>
    public AwsError? Violations() => _violations.Count == 0
        ? null
        : AwsError.Validation($"{_violations.Count} validation error{(_violations.Count == 1 ? string.Empty : "s")} detected: {string.Join("; ", _violations)}");

    public void Violate(string value, string member, string constraint) =>
        _violations.Add($"Value '{Shorten(value)}' at '{member}' failed to satisfy constraint: {constraint}");

    public void Required(string member) =>
        _violations.Add($"Value null at '{member}' failed to satisfy constraint: Member must not be null");

    public JsonElement? Member(string name) => Member(_root, name);

    public JsonElement? Member(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public string? String(string path, JsonElement? element)
    {
        if (element is not { } value)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            return TypeMismatch<string>(path, "a string");
        }

        return value.GetString();
    }

    public int? Int(string path, JsonElement? element)
    {
        if (element is not { } value)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out int number))
        {
            return TypeMismatch<int?>(path, "an integer");
        }

        return number;
    }

    public bool? Bool(string path, JsonElement? element)
    {
        if (element is not { } value)
        {
            return null;
        }

        if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            return TypeMismatch<bool?>(path, "a boolean");
        }

        return value.GetBoolean();
    }

    public JsonElement? Object(string path, JsonElement? element)
    {
        if (element is not { } value)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Object ? value : TypeMismatch<JsonElement?>(path, "an object");
    }

    public List<JsonElement>? List(string path, JsonElement? element)
    {
        if (element is not { } value)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Array ? [.. value.EnumerateArray()] : TypeMismatch<List<JsonElement>?>(path, "a list");
    }

    public List<string>? StringList(string path, JsonElement? element)
    {
        if (List(path, element) is not { } items)
        {
            return null;
        }

        var strings = new List<string>(items.Count);
        foreach (var item in items)
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                return TypeMismatch<List<string>?>(path, "a list of strings");
            }

            strings.Add(item.GetString()!);
        }

        return strings;
    }

    /// <summary>A TagList (<c>[{"key": ..., "value": ...}]</c>) with the service's constraints on each tag.</summary>
    public List<TunnelTag>? Tags(string path, JsonElement? element, int minCount)
    {
        if (List(path, element) is not { } items)
        {
            return null;
        }

        if (items.Count < minCount)
        {
            Violate("[]", path, $"Member must have length greater than or equal to {minCount}");
        }
        else if (items.Count > TunnelRules.MaxTags)
        {
            Violate($"{items.Count} tags", path, $"Member must have length less than or equal to {TunnelRules.MaxTags}");
        }

        var tags = new List<TunnelTag>(items.Count);
        for (int i = 0; i < items.Count; i++)
        {
            string at = $"{path}.{i + 1}.member";
            if (Object(at, items[i]) is not { } tag)
            {
                return null;
            }

            string? key = String($"{at}.key", Member(tag, "key"));
            string? value = String($"{at}.value", Member(tag, "value"));
            if (TypeError is not null)
            {
                return null;
            }

            if (key is null)
            {
                Required($"{at}.key");
            }
            else if (TunnelRules.TagTextProblem(key, 1, TunnelRules.MaxTagKeyLength) is not null)
            {
                Violate(key, $"{at}.key", $"Member must have length between 1 and {TunnelRules.MaxTagKeyLength} and satisfy regular expression pattern: ^([\\p{{L}}\\p{{Z}}\\p{{N}}_.:/=+\\-@]*)$");
            }

            if (value is null)
            {
                Required($"{at}.value");
            }
            else if (TunnelRules.TagTextProblem(value, 0, TunnelRules.MaxTagValueLength) is not null)
            {
                Violate(value, $"{at}.value", $"Member must have length less than or equal to {TunnelRules.MaxTagValueLength} and satisfy regular expression pattern: ^([\\p{{L}}\\p{{Z}}\\p{{N}}_.:/=+\\-@]*)$");
            }

            if (key is not null && value is not null)
            {
                tags.Add(new TunnelTag(key, value));
            }
        }

        return tags;
    }

    /// <summary>A required TunnelId, checked against the service's pattern.</summary>
    public string? TunnelId(string member)
    {
        string? id = String(member, Member(member));
        if (TypeError is not null)
        {
            return null;
        }

        if (id is null)
        {
            Required(member);
        }
        else if (!TunnelRules.IsValidTunnelId(id))
        {
            Violate(id, member, "Member must satisfy regular expression pattern: [a-zA-Z0-9_\\-+=:]{1,128}");
        }

        return id;
    }

    private T? TypeMismatch<T>(string path, string expected)
    {
        TypeError ??= new AwsError(AwsErrorTypes.Serialization, $"'{path}' must be {expected}.");
        return default;
    }

    private static string Shorten(string value) => value.Length <= 200 ? value : value[..200] + "...";
}
