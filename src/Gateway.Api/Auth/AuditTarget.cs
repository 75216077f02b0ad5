namespace Gateway.Api.Auth;

/// <summary>Endpoints put the id they acted on in <c>HttpContext.Items</c> under this key; the audit log records it.</summary>
internal static class AuditTarget
{
    public const string ItemKey = "tg:audit_target";
}
