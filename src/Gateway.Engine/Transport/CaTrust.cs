using System.Security.Cryptography.X509Certificates;

namespace Gateway.Engine.Transport;

/// <summary>The anchors read from a CA directory and, one line each naming the file, what was skipped and why.</summary>
/// <param name="Anchors">The certificates read, trusted as extra roots; possibly none.</param>
/// <param name="Problems">One line per skipped file or limit reached, for the session's log; empty when all was read.</param>
public sealed record CaTrust(X509Certificate2Collection Anchors, IReadOnlyList<string> Problems);
