using Gateway.Api.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;

namespace Gateway.Api.Auth;

/// <summary>
/// Authentication (API key header or the dashboard's cookie), the role rule, login rate limiting and
/// anti-forgery. Everything needs a login except what is marked <c>AllowAnonymous</c>: <c>/healthz</c>,
/// the relay's <c>/tunnel</c> (tunnel tokens authenticate it), the login and the dashboard's files.
/// </summary>
internal static class AuthExtensions
{
    public const string AuthenticatedPolicy = "authenticated";
    public const string AdminPolicy = "admin";
    public const string CookieName = "tg_auth";
    private const string SmartScheme = "ApiKeyOrCookie";

    public static WebApplicationBuilder AddGatewayAuth(this WebApplicationBuilder builder, string dataDirectory)
    {
        var services = builder.Services;
        services.AddOptions<AuthOptions>().Bind(builder.Configuration.GetSection(AuthOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        var auth = builder.Configuration.GetSection(AuthOptions.SectionName).Get<AuthOptions>() ?? new AuthOptions();

        // Cookies, anti-forgery tokens and profile secrets are protected with keys kept in the data
        // directory, in a directory of the gateway's user only (the key files are 0600 already).
        var dataProtection = services.AddDataProtection()
            .SetApplicationName("TunnelGateway")
            .PersistKeysToFileSystem(OwnerOnlyFiles.CreateDirectory(Path.Combine(dataDirectory, "keys")));
        if (KeyRingCertificate.Load(auth) is { } keyRingCertificate)
        {
            // Encrypted at rest with the certificate's public key; reading them needs its private key.
            dataProtection.ProtectKeysWithCertificate(keyRingCertificate).UnprotectKeysWithAnyCertificate(keyRingCertificate);
        }

        services.AddAuthentication(SmartScheme)
            .AddPolicyScheme(SmartScheme, "API key or cookie", policy => policy.ForwardDefaultSelector =
                context => context.Request.Headers.ContainsKey(ApiKeys.HeaderName) ? ApiKeyAuthenticationHandler.SchemeName : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddCookie(CookieAuthenticationDefaults.AuthenticationScheme, cookie =>
            {
                cookie.Cookie.Name = CookieName;
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Strict;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.ExpireTimeSpan = TimeSpan.FromHours(auth.CookieHours);
                cookie.SlidingExpiration = true;

                // A deleted user, a changed role or password ends the login at once.
                cookie.Events.OnValidatePrincipal = CookieRevalidation.ValidateAsync;

                // An API answers 401/403, it does not redirect to a login page.
                cookie.Events.OnRedirectToLogin = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return Task.CompletedTask;
                };
                cookie.Events.OnRedirectToAccessDenied = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return Task.CompletedTask;
                };
            });

        services.AddSingleton<IAuthorizationHandler, GatewayRoleHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(AuthenticatedPolicy, policy => policy.RequireAuthenticatedUser())
            .AddPolicy(AdminPolicy, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Admin))
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().AddRequirements(new GatewayRoleRequirement()).Build());

        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.HeaderName = CookieAntiforgeryMiddleware.HeaderName;
            antiforgery.Cookie.Name = "tg_csrf";
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
        });

        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<AdminBootstrap>();
        services.AddSingleton<LoginStore>();
        return builder;
    }

    /// <summary>After authentication (and the audit, which must see refusals too): may they, and is a cookie change forged.</summary>
    public static WebApplication UseGatewayAuth(this WebApplication app)
    {
        app.UseAuthorization();
        app.UseMiddleware<CookieAntiforgeryMiddleware>();
        app.MapAuthApi();
        app.MapAccountApi();
        app.MapApiKeysApi();
        app.MapUsersApi();
        return app;
    }
}
