namespace Gateway.Api.Auth;

/// <summary>The three roles, each including the ones before: viewer (read), operator (start/stop sessions), admin (everything).</summary>
internal static class Roles
{
    public const string Viewer = "viewer";
    public const string Operator = "operator";
    public const string Admin = "admin";

    public static readonly string[] All = [Viewer, Operator, Admin];

    public static bool IsValid(string? role) => role is not null && All.Contains(role, StringComparer.Ordinal);

    /// <summary>0 viewer, 1 operator, 2 admin; -1 unknown.</summary>
    public static int Rank(string? role) => role is null ? -1 : Array.IndexOf(All, role);

    public static bool Satisfies(string? role, string required) => Rank(role) >= Rank(required) && Rank(required) >= 0;
}
