namespace Gateway.Api.Profiles;

internal sealed partial class ProfileStore
{
    // Never a token, nor whether the value looked right: only that one is stored.
    private static partial class Log
    {
        [LoggerMessage(EventId = 3301, Level = LogLevel.Information, Message = "Profile {Id} '{Name}' created ({Mode}, access token stored: {HasAccessToken})")]
        public static partial void Created(ILogger logger, string id, string name, string mode, bool hasAccessToken);

        [LoggerMessage(EventId = 3302, Level = LogLevel.Information, Message = "Profile {Id} '{Name}' replaced (access token stored: {HasAccessToken})")]
        public static partial void Replaced(ILogger logger, string id, string name, bool hasAccessToken);

        [LoggerMessage(EventId = 3303, Level = LogLevel.Information, Message = "Profile {Id} deleted")]
        public static partial void Deleted(ILogger logger, string id);

        [LoggerMessage(EventId = 3601, Level = LogLevel.Information, Message = "Moved the web proxy passwords of {Count} profiles out of their proxy addresses, encrypted")]
        public static partial void ProxyPasswordsProtected(ILogger logger, int count);
    }
}
