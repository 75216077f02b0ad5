using Gateway.Api.Sessions;

namespace Gateway.Api.Profiles;

/// <summary>What a saved profile adds to the <see cref="SessionFields"/>: where it connects by default, its labels, and whether it starts with the gateway.</summary>
public abstract record ProfileFields : SessionFields
{
    /// <summary>Connect to this gateway's own relay: at start the endpoint becomes wss://127.0.0.1:&lt;HTTPS port&gt; and, unless caPath is given, the CA directory &lt;data&gt;/tls/ca.</summary>
    public bool? UseBuiltInRelay { get; init; }

    /// <summary>Labels for filtering: at most 32, each 1-64 characters.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>Start a session from this profile when the gateway starts.</summary>
    public bool? Autostart { get; init; }
}
