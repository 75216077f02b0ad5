using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace Gateway.Api.Auth;

/// <summary>
/// One rule for the whole API, so no endpoint can forget its role: reading needs viewer; starting,
/// stopping and resetting sessions (<c>/api/tunnels</c>) and using a cloud (its test, connecting to,
/// rotating and closing its tunnels) needs operator; every other change (profiles, keys, users,
/// clouds, relay tunnels) needs admin.
/// </summary>
internal sealed class GatewayRoleHandler : AuthorizationHandler<GatewayRoleRequirement>
{
    public static string RequiredRole(string method, PathString path)
    {
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method))
        {
            return Roles.Viewer;
        }

        return path.StartsWithSegments("/api/tunnels", StringComparison.OrdinalIgnoreCase) || IsCloudOperation(path) ? Roles.Operator : Roles.Admin;
    }

    // /api/clouds/{name}/test and /api/clouds/{name}/tunnels/...: using a cloud, not changing it.
    private static bool IsCloudOperation(PathString path)
    {
        if (!path.StartsWithSegments("/api/clouds", StringComparison.OrdinalIgnoreCase, out var rest))
        {
            return false;
        }

        var segments = (rest.Value ?? string.Empty).Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments.Length >= 2 && (segments[1].Equals("test", StringComparison.OrdinalIgnoreCase) || segments[1].Equals("tunnels", StringComparison.OrdinalIgnoreCase));
    }

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, GatewayRoleRequirement requirement)
    {
        if (context.User.Identity?.IsAuthenticated != true)
        {
            return Task.CompletedTask;
        }

        if (context.Resource is HttpContext http)
        {
            string role = context.User.FindFirstValue(ClaimTypes.Role) ?? string.Empty;
            if (Roles.Satisfies(role, RequiredRole(http.Request.Method, http.Request.Path)))
            {
                context.Succeed(requirement);
            }
        }

        return Task.CompletedTask;
    }
}
