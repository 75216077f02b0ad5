namespace Gateway.Engine.Relay;

/// <summary>Why a change of a tunnel did not happen.</summary>
public enum TunnelChangeStatus
{
    /// <summary>The change was made.</summary>
    Done,

    /// <summary>No tunnel has the id (it never existed or was pruned).</summary>
    NotFound,

    /// <summary>The tunnel is closed or expired: its tokens can no longer change.</summary>
    Ended,

    /// <summary>The change would give the tunnel more tags than allowed.</summary>
    TooManyTags,
}
