namespace Gateway.Api.Sessions;

/// <summary>
/// Body of <c>POST /api/tunnels</c>: one tunnel end to run, described by the <see cref="SessionFields"/>
/// with its tokens, or a saved profile to start, or a tunnel to open on a cloud first.
/// </summary>
public sealed record StartTunnelBody : SessionFields
{
    /// <summary>The tunnel end's access token (required, at most 4096 characters). Never echoed.</summary>
    public string? AccessToken { get; init; }

    /// <summary>32-128 of [a-zA-Z0-9-]; generated when absent, so that the service accepts reconnects.</summary>
    public string? ClientToken { get; init; }

    /// <summary>Start a saved profile instead of an inline spec; only name, accessToken, clientToken, services and bindAddress may then be given, as overrides (e.g. a fresh access token).</summary>
    public string? ProfileId { get; init; }

    /// <summary>Open a tunnel on a cloud (see /api/clouds) and run its source end here: services then gives a local port per tunnel service; region, endpoint and accessToken come from the cloud.</summary>
    public Clouds.OpenTunnelBody? Open { get; init; }

    /// <summary>With open: also run the destination end here, e.g. {"services":"SSH=10.0.0.5:22"}.</summary>
    public Clouds.DestinationEndBody? Destination { get; init; }
}
