using System.Text.Json;
using Gateway.Engine.Aws;

namespace Gateway.Engine.Relay.Management;

public sealed partial class RelayManagementApi
{
    private const int DefaultPageSize = 100;

    private async Task<ManagementResult> OpenTunnelAsync(AwsRequestReader reader, CancellationToken cancellationToken)
    {
        string? description = reader.String("description", reader.Member("description"));
        var tags = reader.Tags("tags", reader.Member("tags"), minCount: 1);
        var destination = reader.Object("destinationConfig", reader.Member("destinationConfig"));
        var (thingName, services) = destination is { } config ? DestinationConfig(reader, config) : (null, null);
        var timeout = reader.Object("timeoutConfig", reader.Member("timeoutConfig"));
        int? lifetime = timeout is { } t ? reader.Int("timeoutConfig.maxLifetimeTimeoutMinutes", reader.Member(t, "maxLifetimeTimeoutMinutes")) : null;
        if (reader.TypeError is { } typeError)
        {
            return ManagementResult.Fail(typeError);
        }

        if (description is not null && TunnelRules.DescriptionProblem(description) is not null)
        {
            reader.Violate(description, "description", $"Member must satisfy regular expression pattern: [^\\p{{C}}]{{1,{TunnelRules.MaxDescriptionLength}}}");
        }

        if (lifetime is { } minutes && (minutes < 1 || minutes > relay.Options.MaxLifetimeMinutes))
        {
            reader.Violate(minutes.ToString(System.Globalization.CultureInfo.InvariantCulture), "timeoutConfig.maxLifetimeTimeoutMinutes",
                minutes < 1 ? "Member must have value greater than or equal to 1" : $"Member must have value less than or equal to {relay.Options.MaxLifetimeMinutes}");
        }

        if (Problem(reader) is { } problem)
        {
            return ManagementResult.Fail(problem);
        }

        var request = new CreateTunnelRequest(services, lifetime, description) { ThingName = thingName, Tags = tags };
        var result = await relay.CreateAsync(request, cancellationToken).ConfigureAwait(false);
        if (result.LimitExceeded is { } limit)
        {
            return ManagementResult.Fail(new AwsError(AwsErrorTypes.LimitExceeded, limit));
        }

        if (!result.Succeeded)
        {
            // Rules of this relay beyond the service's (none today, but never answer 500 for them).
            return ManagementResult.Fail(AwsError.Validation(string.Join("; ", result.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"))));
        }

        var created = result.Created!;
        var body = Json(json =>
        {
            json.WriteString("tunnelId", created.Tunnel.Id);
            json.WriteString("tunnelArn", ArnOf(created.Tunnel.Id));
            json.WriteString("sourceAccessToken", created.SourceAccessToken);
            json.WriteString("destinationAccessToken", created.DestinationAccessToken);
        });
        return new ManagementResult(body, null, created.Tunnel.Id, Changed: true);
    }

    private async Task<ManagementResult> CloseTunnelAsync(AwsRequestReader reader, CancellationToken cancellationToken)
    {
        string? id = reader.TunnelId("tunnelId");
        bool delete = reader.Bool("delete", reader.Member("delete")) ?? false;
        if (Problem(reader) is { } problem)
        {
            return ManagementResult.Fail(problem, id);
        }

        return await relay.CloseAsync(id!, cancellationToken, delete).ConfigureAwait(false) is null
            ? ManagementResult.Fail(TunnelNotFound(id!), id)
            : new ManagementResult(Json(_ => { }), null, id, Changed: true);
    }

    private ManagementResult DescribeTunnel(AwsRequestReader reader)
    {
        string? id = reader.TunnelId("tunnelId");
        if (Problem(reader) is { } problem)
        {
            return ManagementResult.Fail(problem, id);
        }

        if (relay.Get(id!) is not { } tunnel)
        {
            return ManagementResult.Fail(TunnelNotFound(id!), id);
        }

        var body = Json(json =>
        {
            json.WriteStartObject("tunnel");
            WriteSummaryMembers(json, tunnel);
            WriteConnectionState(json, "sourceConnectionState", tunnel.Source);
            WriteConnectionState(json, "destinationConnectionState", tunnel.Destination);
            json.WriteStartObject("destinationConfig");
            if (tunnel.ThingName is { } thing)
            {
                json.WriteString("thingName", thing);
            }

            json.WriteStartArray("services");
            foreach (var service in tunnel.Services)
            {
                json.WriteStringValue(service);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteStartObject("timeoutConfig");
            json.WriteNumber("maxLifetimeTimeoutMinutes", tunnel.LifetimeMinutes);
            json.WriteEndObject();
            if (tunnel.Tags.Count > 0)
            {
                WriteTags(json, tunnel.Tags);
            }

            json.WriteEndObject();
        });
        return new ManagementResult(body, null, id);
    }

    private ManagementResult ListTunnels(AwsRequestReader reader)
    {
        string? thingName = reader.String("thingName", reader.Member("thingName"));
        int? maxResults = reader.Int("maxResults", reader.Member("maxResults"));
        string? nextToken = reader.String("nextToken", reader.Member("nextToken"));
        if (reader.TypeError is { } typeError)
        {
            return ManagementResult.Fail(typeError);
        }

        if (thingName is not null && !TunnelRules.IsValidThingName(thingName))
        {
            reader.Violate(thingName, "thingName", "Member must satisfy regular expression pattern: [a-zA-Z0-9:_-]+ and have length between 1 and 128");
        }

        if (maxResults is { } max && (max < 1 || max > 100))
        {
            reader.Violate(max.ToString(System.Globalization.CultureInfo.InvariantCulture), "maxResults",
                max < 1 ? "Member must have value greater than or equal to 1" : "Member must have value less than or equal to 100");
        }

        long afterTicks = long.MaxValue;
        string afterId = string.Empty;
        bool paged = false;
        if (nextToken is not null)
        {
            paged = PageCursor.TryDecode(nextToken, out afterTicks, out afterId);
            if (!paged)
            {
                reader.Violate(nextToken, "nextToken", "Member must be a nextToken returned by an earlier ListTunnels call");
            }
        }

        if (Problem(reader) is { } problem)
        {
            return ManagementResult.Fail(problem);
        }

        int size = maxResults ?? DefaultPageSize;
        var matching = relay.List()
            .Where(t => thingName is null || string.Equals(t.ThingName, thingName, StringComparison.Ordinal))
            .Where(t => !paged || PageCursor.IsAfter(t, afterTicks, afterId))
            .OrderByDescending(t => t.CreatedAt.UtcTicks).ThenByDescending(t => t.Id, StringComparer.Ordinal)
            .Take(size + 1)
            .ToList();
        var page = matching.Take(size).ToList();
        var body = Json(json =>
        {
            json.WriteStartArray("tunnelSummaries");
            foreach (var tunnel in page)
            {
                json.WriteStartObject();
                WriteSummaryMembers(json, tunnel);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            if (matching.Count > size)
            {
                json.WriteString("nextToken", PageCursor.Encode(page[^1]));
            }
        });
        return new ManagementResult(body, null);
    }

    private async Task<ManagementResult> RotateAsync(AwsRequestReader reader, CancellationToken cancellationToken)
    {
        string? id = reader.TunnelId("tunnelId");
        string? mode = reader.String("clientMode", reader.Member("clientMode"));
        var destination = reader.Object("destinationConfig", reader.Member("destinationConfig"));
        var (thingName, services) = destination is { } config ? DestinationConfig(reader, config) : (null, null);
        if (reader.TypeError is { } typeError)
        {
            return ManagementResult.Fail(typeError, id);
        }

        TokenRotation? rotation = mode switch
        {
            "SOURCE" => TokenRotation.Source,
            "DESTINATION" => TokenRotation.Destination,
            "ALL" => TokenRotation.All,
            _ => null,
        };
        if (mode is null)
        {
            reader.Required("clientMode");
        }
        else if (rotation is null)
        {
            reader.Violate(mode, "clientMode", "Member must satisfy enum value set: [SOURCE, DESTINATION, ALL]");
        }

        if (rotation == TokenRotation.Source && destination is not null)
        {
            reader.Violate("destinationConfig", "destinationConfig", "Member must be absent when clientMode is SOURCE");
        }

        if (Problem(reader) is { } problem)
        {
            return ManagementResult.Fail(problem, id);
        }

        if (relay.Get(id!) is not { } current)
        {
            return ManagementResult.Fail(TunnelNotFound(id!), id);
        }

        if (services is not null && !services.SequenceEqual(current.Services, StringComparer.Ordinal))
        {
            return ManagementResult.Fail(AwsError.Validation(
                $"destinationConfig.services must be the tunnel's services [{string.Join(", ", current.Services)}]: the services of a tunnel cannot change on this relay."), id);
        }

        var (status, tokens) = await relay.RotateAsync(id!, rotation!.Value, cancellationToken, thingName).ConfigureAwait(false);
        if (status == TunnelChangeStatus.NotFound)
        {
            return ManagementResult.Fail(TunnelNotFound(id!), id);
        }

        if (status == TunnelChangeStatus.Ended)
        {
            return ManagementResult.Fail(AwsError.NotFound($"Tunnel {id} is CLOSED: the tokens of a closed tunnel cannot be rotated."), id);
        }

        var body = Json(json =>
        {
            json.WriteString("tunnelArn", ArnOf(id!));
            if (tokens!.SourceAccessToken is { } source)
            {
                json.WriteString("sourceAccessToken", source);
            }

            if (tokens.DestinationAccessToken is { } destinationToken)
            {
                json.WriteString("destinationAccessToken", destinationToken);
            }
        });
        return new ManagementResult(body, null, id, Changed: true);
    }

    private static (string? ThingName, List<string>? Services) DestinationConfig(AwsRequestReader reader, JsonElement config)
    {
        string? thingName = reader.String("destinationConfig.thingName", reader.Member(config, "thingName"));
        var services = reader.StringList("destinationConfig.services", reader.Member(config, "services"));
        if (reader.TypeError is not null)
        {
            return (null, null);
        }

        if (thingName is not null && !TunnelRules.IsValidThingName(thingName))
        {
            reader.Violate(thingName, "destinationConfig.thingName", "Member must satisfy regular expression pattern: [a-zA-Z0-9:_-]+ and have length between 1 and 128");
        }

        if (services is null)
        {
            reader.Required("destinationConfig.services");
        }
        else if (services.Count == 0)
        {
            reader.Violate("[]", "destinationConfig.services", "Member must have length greater than or equal to 1");
        }
        else
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < services.Count; i++)
            {
                if (!TunnelRules.IsValidService(services[i]))
                {
                    reader.Violate(services[i], $"destinationConfig.services.{i + 1}.member", "Member must satisfy regular expression pattern: [a-zA-Z0-9:_-]+ and have length between 1 and 128");
                }
                else if (!seen.Add(services[i]))
                {
                    reader.Violate(services[i], $"destinationConfig.services.{i + 1}.member", "Member must be unique within destinationConfig.services");
                }
            }
        }

        return (thingName, services);
    }

    private void WriteSummaryMembers(Utf8JsonWriter json, RelayTunnelSnapshot tunnel)
    {
        json.WriteString("tunnelId", tunnel.Id);
        json.WriteString("tunnelArn", ArnOf(tunnel.Id));
        json.WriteString("status", tunnel.State == RelayTunnelState.Open ? "OPEN" : "CLOSED");
        if (tunnel.Description is { } description)
        {
            json.WriteString("description", description);
        }

        WriteTime(json, "createdAt", tunnel.CreatedAt);
        WriteTime(json, "lastUpdatedAt", tunnel.LastUpdatedAt);
    }

    private static void WriteConnectionState(Utf8JsonWriter json, string name, RelayEndSnapshot end)
    {
        json.WriteStartObject(name);
        json.WriteString("status", end.Connected ? "CONNECTED" : "DISCONNECTED");
        WriteTime(json, "lastUpdatedAt", end.LastUpdatedAt);
        json.WriteEndObject();
    }
}
