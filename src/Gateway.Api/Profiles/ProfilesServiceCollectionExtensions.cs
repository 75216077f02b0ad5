namespace Gateway.Api.Profiles;

/// <summary>DI registration of profiles; the endpoints are mapped by <see cref="ProfilesApi.MapProfilesApi"/>.</summary>
internal static class ProfilesServiceCollectionExtensions
{
    /// <summary>
    /// <see cref="ProfileStore"/>, <see cref="ProfileSecrets"/> (uses the Data Protection key ring that
    /// AddGatewayAuth persists in &lt;data&gt;/keys), <see cref="BuiltInRelayEndpoint"/> and <see cref="ProfileSessionSpecs"/>, all singletons.
    /// </summary>
    public static IServiceCollection AddGatewayProfiles(this IServiceCollection services)
    {
        services.AddSingleton<ProfileSecrets>();
        services.AddSingleton<ProfileStore>();
        services.AddSingleton<BuiltInRelayEndpoint>();
        services.AddSingleton<ProfileSessionSpecs>();
        services.AddHostedService<ProfileAutostart>();
        return services;
    }
}
