namespace Gateway.Engine.Relay;

/// <summary>Validates a create request and reports every error at once, keyed by field name.</summary>
public static class CreateTunnelValidator
{
    public const int MaxDescriptionLength = 1024;

    public static IReadOnlyDictionary<string, string[]> Validate(CreateTunnelRequest request, RelayOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var services = request.Services ?? [];
        if (services.Count > options.MaxServicesPerTunnel)
        {
            errors["services"] = [$"At most {options.MaxServicesPerTunnel} services are allowed; {services.Count} were given."];
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < services.Count; i++)
        {
            var id = services[i];
            if (!ServiceIdRules.IsValid(id))
            {
                errors[$"services[{i}]"] = [$"'{id}' is not a valid service id: use 1 to {ServiceIdRules.MaxLength} letters, digits, '_' or '-'."];
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

        if (request.Description is { Length: > MaxDescriptionLength } description)
        {
            errors["description"] = [$"Description is {description.Length} characters; at most {MaxDescriptionLength} are allowed."];
        }

        return errors;
    }
}
