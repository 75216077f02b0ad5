namespace Gateway.Testing;

/// <summary>Bounded waits used by the test infrastructure. Every wait in a test must have one.</summary>
public static class TestTimeouts
{
    /// <summary>How long to wait for something that is expected to happen (10 s).</summary>
    public static TimeSpan Default { get; } = TimeSpan.FromSeconds(10);

    /// <summary>A shorter bound, e.g. for negative checks or teardown (2 s).</summary>
    public static TimeSpan Short { get; } = TimeSpan.FromSeconds(2);
}
