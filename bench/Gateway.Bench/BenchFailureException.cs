namespace Gateway.Bench;

/// <summary>A scenario did not complete as it must (bytes lost, corrupted, refused): the run fails with exit code 1.</summary>
internal sealed class BenchFailureException(string message) : Exception(message);
