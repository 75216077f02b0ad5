using System.Text.RegularExpressions;

namespace Gateway.Engine.Protocol;

/// <summary>Service id syntax shared by the service and the proxy: <c>^[a-zA-Z0-9_-]+$</c>, at most 128 chars.</summary>
internal static partial class ServiceIdRules
{
    public const int MaxLength = 128;

    public static bool IsValid(string? serviceId) =>
        !string.IsNullOrEmpty(serviceId) && serviceId.Length <= MaxLength && Pattern().IsMatch(serviceId);

    [GeneratedRegex("^[a-zA-Z0-9_-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
