using Gateway.Engine.Aws;

namespace Gateway.Engine.Relay.Management;

/// <summary>The answer to one management call: a JSON body (200) or an AWS error.</summary>
/// <param name="Body">The response body (UTF-8 JSON) when the call succeeded.</param>
/// <param name="Error">The error when it did not.</param>
/// <param name="TunnelId">The tunnel the call acted on, for the audit.</param>
/// <param name="Changed">The call changed something (the audit records those).</param>
public sealed record ManagementResult(byte[]? Body, AwsError? Error, string? TunnelId = null, bool Changed = false)
{
    /// <summary>A failed call: no body, nothing changed.</summary>
    /// <param name="error">The AWS error to answer with.</param>
    /// <param name="tunnelId">The tunnel the call was about, when known, for the audit.</param>
    public static ManagementResult Fail(AwsError error, string? tunnelId = null) => new(null, error, tunnelId);
}
