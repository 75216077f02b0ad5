namespace Gateway.Engine.Aws;

/// <summary>
/// What SigV4 needs of an HTTP request, independent of any web framework: the method, the path and
/// query as received, a header lookup (null when absent; several values joined with commas) and
/// the raw body bytes.
/// </summary>
public sealed record SignedRequest(string Method, string Path, string Query, Func<string, string?> Header, ReadOnlyMemory<byte> Body);
