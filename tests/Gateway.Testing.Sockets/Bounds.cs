namespace Gateway.Testing;

/// <summary>Default bounds of the shared helpers' awaits (every await in a test is bounded).</summary>
public static class Bounds
{
    /// <summary>One step: a connection, a read that should come at once.</summary>
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(20);

    /// <summary>A transfer.</summary>
    public static readonly TimeSpan Long = TimeSpan.FromSeconds(90);
}
