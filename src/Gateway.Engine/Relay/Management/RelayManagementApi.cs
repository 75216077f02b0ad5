using System.Text.Json;
using Gateway.Engine.Aws;

namespace Gateway.Engine.Relay.Management;

/// <summary>
/// The AWS IoT Secure Tunneling management API (AWS JSON 1.1, <c>X-Amz-Target:
/// IoTSecuredTunneling.&lt;Operation&gt;</c>) on the built-in relay: the same tunnels that our REST
/// API, the dashboard and the data plane see. Transport-neutral: the host authenticates the caller
/// (SigV4) and passes the operation name and the raw body; this class validates, acts and answers
/// with the service's shapes and error codes (docs/aws-api.md).
/// </summary>
public sealed partial class RelayManagementApi(TunnelRelay relay)
{
    private const string ArnPrefix = "arn:aws:iot:";

    /// <summary>The relay's region (<see cref="RelayOptions.Region"/>), used in ARNs and required in SigV4 scopes.</summary>
    public string Region => relay.Options.Region;

    /// <summary>The account id in the relay's ARNs (<see cref="RelayOptions.AccountId"/>).</summary>
    public string AccountId => relay.Options.AccountId;

    /// <summary>The ARN of a relay tunnel: <c>arn:aws:iot:{region}:{account}:tunnel/{id}</c>.</summary>
    /// <param name="tunnelId">The tunnel id; not checked.</param>
    public string ArnOf(string tunnelId) => $"{ArnPrefix}{Region}:{AccountId}:tunnel/{tunnelId}";

    /// <summary>
    /// Runs one operation for an authenticated caller: checks the caller's right (viewers only read),
    /// parses and validates the JSON body, acts on the relay and answers. Refusals are answered as AWS
    /// errors in the result; a failure of the tunnel store (<see cref="ITunnelStore"/>) is thrown as the store throws it.
    /// </summary>
    /// <param name="operation">The operation name, <c>X-Amz-Target</c> without <see cref="ManagementOperations.TargetPrefix"/>.</param>
    /// <param name="body">The raw request body, a JSON object (AWS JSON 1.1).</param>
    /// <param name="caller">Who calls and whether they may change tunnels.</param>
    /// <param name="cancellationToken">Cancels the wait for the tunnel store.</param>
    /// <returns>The JSON answer, or the error, with the tunnel acted on for the audit.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> or <paramref name="caller"/> is null.</exception>
    public async Task<ManagementResult> InvokeAsync(string operation, ReadOnlyMemory<byte> body, ManagementCaller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(caller);
        if (!ManagementOperations.All.Contains(operation))
        {
            return ManagementResult.Fail(new AwsError(AwsErrorTypes.UnknownOperation, $"Unknown operation '{operation}': IoTSecuredTunneling has {string.Join(", ", ManagementOperations.All.Order(StringComparer.Ordinal))}."));
        }

        if (!caller.MayChange && !ManagementOperations.ReadOnly.Contains(operation))
        {
            return ManagementResult.Fail(new AwsError(AwsErrorTypes.AccessDenied,
                $"User {caller.Name} is not authorized to perform: iot:{operation}. Viewers may call DescribeTunnel, ListTunnels and ListTagsForResource; the key's user needs the operator role."));
        }

        var (reader, document, error) = AwsRequestReader.Open(body);
        if (error is not null)
        {
            return ManagementResult.Fail(error);
        }

        using (document)
        {
            return operation switch
            {
                ManagementOperations.OpenTunnel => await OpenTunnelAsync(reader!, cancellationToken).ConfigureAwait(false),
                ManagementOperations.CloseTunnel => await CloseTunnelAsync(reader!, cancellationToken).ConfigureAwait(false),
                ManagementOperations.DescribeTunnel => DescribeTunnel(reader!),
                ManagementOperations.ListTunnels => ListTunnels(reader!),
                ManagementOperations.RotateTunnelAccessToken => await RotateAsync(reader!, cancellationToken).ConfigureAwait(false),
                ManagementOperations.TagResource => await TagResourceAsync(reader!, cancellationToken).ConfigureAwait(false),
                ManagementOperations.UntagResource => await UntagResourceAsync(reader!, cancellationToken).ConfigureAwait(false),
                _ => ListTagsForResource(reader!),
            };
        }
    }

    private static AwsError? Problem(AwsRequestReader reader) => reader.TypeError ?? reader.Violations();

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Epoch seconds with milliseconds, the JSON 1.1 timestamp format.</summary>
    private static void WriteTime(Utf8JsonWriter json, string name, DateTimeOffset at) =>
        json.WriteNumber(name, at.ToUnixTimeMilliseconds() / 1000m);

    private static AwsError TunnelNotFound(string id) => AwsError.NotFound($"Tunnel {id} not found.");
}
