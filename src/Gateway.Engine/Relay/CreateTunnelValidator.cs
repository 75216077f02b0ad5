namespace Gateway.Engine.Relay;

/// <summary>
/// Validates a create request against the service's rules (<see cref="TunnelRules"/>) and this
/// relay's limits, and reports every error at once, keyed by field name.
/// </summary>
internal static class CreateTunnelValidator
{
    public const int MaxDescriptionLength = TunnelRules.MaxDescriptionLength;

    public static IReadOnlyDictionary<string, string[]> Validate(CreateTunnelRequest request, RelayOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var services = request.Services ?? [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < services.Count; i++)
        {
            var id = services[i];
            if (!TunnelRules.IsValidService(id))
            {
                errors[$"services[{i}]"] = [$"'{id}' is not a valid service id: use 1 to {TunnelRules.MaxServiceLength} letters, digits, ':', '_' or '-'."];
            }
            else if (!seen.Add(id))
            {
                errors[$"services[{i}]"] = [$"Service id '{id}' is listed twice."];
            }
        }

        if (request.LifetimeMinutes is { } minutes && (minutes < 1 || minutes > options.MaxLifetimeMinutes))
        {
            errors["lifetimeMinutes"] = [$"Lifetime must be between 1 and {options.MaxLifetimeMinutes} minutes; {minutes} was given."];
        }

        if (request.Description is { Length: > 0 } description && TunnelRules.DescriptionProblem(description) is { } problem)
        {
            errors["description"] = [$"Description {problem}."];
        }

        if (request.ThingName is { } thing && !TunnelRules.IsValidThingName(thing))
        {
            errors["thingName"] = [$"Thing name must be 1 to {TunnelRules.MaxThingNameLength} letters, digits, ':', '_' or '-'."];
        }

        ValidateTags(request.Tags, errors);
        return errors;
    }

    /// <summary>The same rules for tags added later (TagResource): count, key and value syntax.</summary>
    public static void ValidateTags(IReadOnlyList<TunnelTag>? tags, Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (tags is null)
        {
            return;
        }

        if (tags.Count > TunnelRules.MaxTags)
        {
            errors["tags"] = [$"At most {TunnelRules.MaxTags} tags are allowed; {tags.Count} were given."];
            return;
        }

        for (int i = 0; i < tags.Count; i++)
        {
            if (TunnelRules.TagTextProblem(tags[i].Key ?? string.Empty, 1, TunnelRules.MaxTagKeyLength) is { } keyProblem)
            {
                errors[$"tags[{i}].key"] = [$"Tag key {keyProblem}."];
            }

            if (TunnelRules.TagTextProblem(tags[i].Value ?? string.Empty, 0, TunnelRules.MaxTagValueLength) is { } valueProblem)
            {
                errors[$"tags[{i}].value"] = [$"Tag value {valueProblem}."];
            }
        }
    }

    /// <summary>The relay's quota on services per tunnel, or null when the request is within it.</summary>
    public static string? ServiceLimitProblem(CreateTunnelRequest request, RelayOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        int count = request.Services?.Count ?? 0;
        return count > options.MaxServicesPerTunnel
            ? $"At most {options.MaxServicesPerTunnel} services are allowed per tunnel; {count} were given."
            : null;
    }
}
