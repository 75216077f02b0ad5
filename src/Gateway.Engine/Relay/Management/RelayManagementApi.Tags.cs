using System.Text.Json;
using Gateway.Engine.Aws;

namespace Gateway.Engine.Relay.Management;

public sealed partial class RelayManagementApi
{
    private const int MaxArnLength = 1011;

    private async Task<ManagementResult> TagResourceAsync(AwsRequestReader reader, CancellationToken cancellationToken)
    {
        string? arn = ResourceArn(reader);
        var tags = reader.Tags("tags", reader.Member("tags"), minCount: 1);
        if (reader.TypeError is null && tags is null && reader.Member("tags") is null)
        {
            reader.Required("tags");
        }

        if (Problem(reader) is { } problem)
        {
            return ManagementResult.Fail(problem);
        }

        if (TunnelIdOf(arn!) is not { } id)
        {
            return ManagementResult.Fail(ArnNotFound(arn!));
        }

        return await relay.TagAsync(id, tags!, cancellationToken).ConfigureAwait(false) switch
        {
            TunnelChangeStatus.Done => new ManagementResult(Json(_ => { }), null, id, Changed: true),
            TunnelChangeStatus.TooManyTags => ManagementResult.Fail(new AwsError(AwsErrorTypes.LimitExceeded, $"A tunnel may have at most {TunnelRules.MaxTags} tags."), id),
            _ => ManagementResult.Fail(ArnNotFound(arn!), id),
        };
    }

    private async Task<ManagementResult> UntagResourceAsync(AwsRequestReader reader, CancellationToken cancellationToken)
    {
        string? arn = ResourceArn(reader);
        var keys = reader.StringList("tagKeys", reader.Member("tagKeys"));
        if (reader.TypeError is null)
        {
            if (keys is null)
            {
                reader.Required("tagKeys");
            }
            else if (keys.Count > TunnelRules.MaxTags)
            {
                reader.Violate($"{keys.Count} keys", "tagKeys", $"Member must have length less than or equal to {TunnelRules.MaxTags}");
            }
            else
            {
                for (int i = 0; i < keys.Count; i++)
                {
                    if (TunnelRules.TagTextProblem(keys[i], 1, TunnelRules.MaxTagKeyLength) is not null)
                    {
                        reader.Violate(keys[i], $"tagKeys.{i + 1}.member", $"Member must have length between 1 and {TunnelRules.MaxTagKeyLength} and satisfy regular expression pattern: ^([\\p{{L}}\\p{{Z}}\\p{{N}}_.:/=+\\-@]*)$");
                    }
                }
            }
        }

        if (Problem(reader) is { } problem)
        {
            return ManagementResult.Fail(problem);
        }

        if (TunnelIdOf(arn!) is not { } id)
        {
            return ManagementResult.Fail(ArnNotFound(arn!));
        }

        return await relay.UntagAsync(id, keys!, cancellationToken).ConfigureAwait(false) == TunnelChangeStatus.Done
            ? new ManagementResult(Json(_ => { }), null, id, Changed: true)
            : ManagementResult.Fail(ArnNotFound(arn!), id);
    }

    private ManagementResult ListTagsForResource(AwsRequestReader reader)
    {
        string? arn = ResourceArn(reader);
        if (Problem(reader) is { } problem)
        {
            return ManagementResult.Fail(problem);
        }

        if (TunnelIdOf(arn!) is not { } id || relay.Get(id) is not { } tunnel)
        {
            return ManagementResult.Fail(ArnNotFound(arn!));
        }

        return new ManagementResult(Json(json => WriteTags(json, tunnel.Tags)), null, id);
    }

    private static void WriteTags(Utf8JsonWriter json, IReadOnlyList<TunnelTag> tags)
    {
        json.WriteStartArray("tags");
        foreach (var tag in tags)
        {
            json.WriteStartObject();
            json.WriteString("key", tag.Key);
            json.WriteString("value", tag.Value);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static string? ResourceArn(AwsRequestReader reader)
    {
        string? arn = reader.String("resourceArn", reader.Member("resourceArn"));
        if (reader.TypeError is not null)
        {
            return null;
        }

        if (arn is null)
        {
            reader.Required("resourceArn");
        }
        else if (arn.Length is < 1 or > MaxArnLength)
        {
            reader.Violate(arn, "resourceArn", $"Member must have length between 1 and {MaxArnLength}");
        }

        return arn;
    }

    /// <summary>The tunnel id of an ARN of this relay (its region and account), or null.</summary>
    private string? TunnelIdOf(string arn)
    {
        string prefix = ArnOf(string.Empty);
        if (!arn.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        string id = arn[prefix.Length..];
        return TunnelRules.IsValidTunnelId(id) && relay.Get(id) is not null ? id : null;
    }

    private AwsError ArnNotFound(string arn) =>
        AwsError.NotFound($"Resource {arn} not found: this relay's tunnels are arn:aws:iot:{Region}:{AccountId}:tunnel/<tunnel-id>.");
}
