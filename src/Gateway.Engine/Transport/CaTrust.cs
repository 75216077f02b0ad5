using System.Security.Cryptography.X509Certificates;

namespace Gateway.Engine.Transport;

/// <summary>The anchors read from a CA directory and, one line each naming the file, what was skipped and why.</summary>
public sealed record CaTrust(X509Certificate2Collection Anchors, IReadOnlyList<string> Problems);
