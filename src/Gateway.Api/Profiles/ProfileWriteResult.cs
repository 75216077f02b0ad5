using Gateway.Api.Data;

namespace Gateway.Api.Profiles;

/// <summary>
/// The outcome of writing profiles: the profiles as stored, or the names already taken (nothing was
/// written), or <see cref="NotFound"/> for a replace of an unknown id.
/// </summary>
internal sealed record ProfileWriteResult(IReadOnlyList<ProfileEntity> Profiles, IReadOnlyList<string> TakenNames, bool NotFound = false)
{
    public bool Written => !NotFound && TakenNames.Count == 0;
}
