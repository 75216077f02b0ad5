using System.Text.RegularExpressions;

namespace Gateway.Api.Auth;

internal static partial class UserNames
{
    public const string Pattern = "^[A-Za-z0-9._@-]{1,64}$";

    public static bool IsValid(string? name) => name is not null && Regex().IsMatch(name);

    [GeneratedRegex(Pattern)]
    private static partial Regex Regex();
}
