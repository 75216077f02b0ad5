using Gateway.Engine.Aws;

namespace Gateway.Api.Aws;

/// <summary>
/// What SigV4 needs of an HTTP request, independent of any web framework: the method, the path and
/// query as received, a header lookup (null when absent; several values joined with commas) and
/// the raw body bytes.
/// </summary>
/// <param name="Method">The HTTP method, such as <c>POST</c>.</param>
/// <param name="Path">The request path as received, before decoding.</param>
/// <param name="Query">The query string as received, without the <c>?</c>; empty when none.</param>
/// <param name="Header">Looks a header up by lower-case name.</param>
/// <param name="Body">The body bytes exactly as received.</param>
internal sealed record SignedRequest(string Method, string Path, string Query, Func<string, string?> Header, ReadOnlyMemory<byte> Body);
