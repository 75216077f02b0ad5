namespace Gateway.Api.Clouds;

/// <summary>
/// A cloud ready to call: where its management API and data plane are, the region its calls are
/// signed for, the credentials, and the HTTP client with the trust it needs.
/// </summary>
/// <param name="Name">The cloud's name.</param>
/// <param name="Region">The region calls are signed for.</param>
/// <param name="ManagementEndpoint">The management API's URL.</param>
/// <param name="Credentials">What calls are signed with.</param>
/// <param name="Http">The client, with the trust the endpoint needs.</param>
/// <param name="DataEndpoint">The data plane for sessions (a <c>wss://</c> URL or host[:port]); null: AWS's, from <paramref name="Region"/>.</param>
/// <param name="CaPath">A CA directory sessions trust for the data plane (the cloud <c>local</c>); null: the system's.</param>
internal sealed record ResolvedCloud(
    string Name,
    string Region,
    Uri ManagementEndpoint,
    string? DataEndpoint,
    string? CaPath,
    ICloudCredentials Credentials,
    HttpClient Http)
{
    public bool IsLocal => Name == CloudDirectory.LocalName;
}
