namespace Gateway.Engine.Relay.Management;

/// <summary>The eight operations of IoTSecuredTunneling (2018-10-05) and which of them change tunnels.</summary>
public static class ManagementOperations
{
    public const string TargetPrefix = "IoTSecuredTunneling.";

    public const string OpenTunnel = "OpenTunnel";
    public const string CloseTunnel = "CloseTunnel";
    public const string DescribeTunnel = "DescribeTunnel";
    public const string ListTunnels = "ListTunnels";
    public const string RotateTunnelAccessToken = "RotateTunnelAccessToken";
    public const string TagResource = "TagResource";
    public const string UntagResource = "UntagResource";
    public const string ListTagsForResource = "ListTagsForResource";

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
