namespace Gateway.Engine.Relay.Management;

/// <summary>The eight operations of IoTSecuredTunneling (2018-10-05) and which of them change tunnels.</summary>
public static class ManagementOperations
{
    /// <summary>What <c>X-Amz-Target</c> starts with, before the operation name: <c>IoTSecuredTunneling.</c>.</summary>
    public const string TargetPrefix = "IoTSecuredTunneling.";

    /// <summary>Opens a tunnel and answers its two access tokens.</summary>
    public const string OpenTunnel = "OpenTunnel";
    /// <summary>Closes a tunnel (optionally deleting it): both ends are disconnected and the tokens stop working.</summary>
    public const string CloseTunnel = "CloseTunnel";
    /// <summary>Answers one tunnel: status, both ends' connection state, configuration, tags and times.</summary>
    public const string DescribeTunnel = "DescribeTunnel";
    /// <summary>Lists tunnels, newest first, in pages, optionally of one thing.</summary>
    public const string ListTunnels = "ListTunnels";
    /// <summary>Gives one or both ends of an open tunnel new access tokens; a connected end with a replaced token is closed.</summary>
    public const string RotateTunnelAccessToken = "RotateTunnelAccessToken";
    /// <summary>Adds or replaces tags of a tunnel, named by ARN.</summary>
    public const string TagResource = "TagResource";
    /// <summary>Removes tags of a tunnel, by key.</summary>
    public const string UntagResource = "UntagResource";
    /// <summary>Answers the tags of a tunnel, named by ARN.</summary>
    public const string ListTagsForResource = "ListTagsForResource";

    /// <summary>All eight operation names (without <see cref="TargetPrefix"/>), compared ordinally.</summary>
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        OpenTunnel, CloseTunnel, DescribeTunnel, ListTunnels, RotateTunnelAccessToken, TagResource, UntagResource, ListTagsForResource,
    };

    /// <summary>Operations a viewer may call.</summary>
    public static readonly IReadOnlySet<string> ReadOnly = new HashSet<string>(StringComparer.Ordinal)
    {
        DescribeTunnel, ListTunnels, ListTagsForResource,
    };
}
