using Microsoft.AspNetCore.Authorization;

namespace Gateway.Api.Auth;

/// <summary>The role a request needs, decided by <see cref="GatewayRoleHandler"/> from its path and method.</summary>
internal sealed class GatewayRoleRequirement : IAuthorizationRequirement;
