using System.Text.Json;
using Gateway.Api.Auth;
using Gateway.Api.Data;
using Gateway.Api.Sessions;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;
using Gateway.Engine.Settings;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.Api.Profiles;

/// <summary>
/// <c>/api/profiles</c>: saved session specs. Reading needs viewer, every change admin (the global
/// role rule). Tokens and web proxy passwords are accepted, stored encrypted, and never answered:
/// answers say <c>hasAccessToken</c>/<c>hasClientToken</c>/<c>hasProxyPassword</c>.
/// </summary>
internal static partial class ProfilesApi
{
    private const string NameField = "name";

    public static RouteGroupBuilder MapProfilesApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/profiles").WithTags("Profiles");

        group.MapPost("/", CreateAsync)
            .WithName("CreateProfile")
            .WithSummary("Save a session spec as a profile (admin)")
            .WithDescription("Validated like POST /api/tunnels (every error names its field), except that the access token may be left out. A name already taken (case-insensitively) is a 409.")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapGet("/", ListAsync)
            .WithName("ListProfiles")
            .WithSummary("List profiles by name, optionally those with a tag or of a mode");
        group.MapGet("/export", ExportAsync)
            .WithName("ExportProfiles")
            .WithSummary("Every profile as an import document, without tokens or proxy passwords");
        group.MapPost("/import", ImportAsync)
            .WithName("ImportProfiles")
            .WithSummary("Create the profiles of an export document (admin): all or nothing")
            .WithDescription("A name already taken is a 409 listing the names; nothing is imported then. A body over 8 MiB is a 413, refused before it is read.")
            .WithMetadata(new ImportSizeLimit(ImportSizeLimit.DocumentBytes))
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapPost("/import-config", ImportConfigAsync)
            .WithName("ImportProfileFromConfig")
            .WithSummary("Create a profile from a reference localproxy --config file and --config-dir (admin)")
            .WithDescription("A line the profile cannot use is a 400 naming the line; verbose, settings-json and config-dir lines are skipped and listed in the answer's warnings; settingsJson (the text of a --settings-json file) becomes the profile's settings; a config-dir file that cannot be parsed a 400 naming the file. A body over 1 MiB is a 413, refused before it is read.")
            .WithMetadata(new ImportSizeLimit(ImportSizeLimit.ConfigBytes))
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapPut("/{id}/settings", ImportSettingsAsync)
            .WithName("ImportProfileSettings")
            .WithSummary("Replace a profile's settings with a localproxy --settings-json file (admin)")
            .WithDescription("The body's settingsJson is the file's text; it is checked like a profile's settings (a bad key or value is a 400 naming settingsJson). Every other field, the tokens and the proxy password stay.")
            .WithMetadata(new ImportSizeLimit(ImportSizeLimit.ConfigBytes))
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapGet("/{id}", GetAsync)
            .WithName("GetProfile")
            .WithSummary("One profile")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{id}", ReplaceAsync)
            .WithName("ReplaceProfile")
            .WithSummary("Replace a profile's fields (admin); tokens and the proxy password kept unless given or cleared")
            .WithDescription("Every non-secret field is replaced (absent ones take their defaults). accessToken/clientToken replace the stored token when given; clearAccessToken/clearClientToken remove it; otherwise it is kept. The web proxy password likewise: a password in httpsProxy replaces it, clearProxyPassword removes it, an address with a user and no password keeps it, an address without a user drops it.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapDelete("/{id}", DeleteAsync)
            .WithName("DeleteProfile")
            .WithSummary("Delete a profile (admin); sessions started from it keep running")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    /// <param name="body">The profile: name, mode, region/endpoint/useBuiltInRelay, services, optional tokens.</param>
    /// <param name="context">The request.</param>
    /// <param name="store">The profile store.</param>
    private static async Task<Results<Created<ProfileResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        ProfileBody? body, HttpContext context, ProfileStore store)
    {
        if (body is null)
        {
            return BodyRequired();
        }

        var errors = new List<SpecError>();
        var values = ProfileRules.Validate(body, errors);
        if (values is null)
        {
            return Invalid(errors);
        }

        var result = await store.InsertAsync([Draft(values, body)], context.User.Identity?.Name, context.RequestAborted);
        if (!result.Written)
        {
            return NameTaken(result.TakenNames[0]);
        }

        var profile = result.Profiles[0];
        context.Items[AuditTarget.ItemKey] = profile.Id;
        return TypedResults.Created($"/api/profiles/{profile.Id}", ToResponse(profile));
    }

    /// <param name="store">The profile store.</param>
    /// <param name="tag">Only profiles with this tag (case-insensitive).</param>
    /// <param name="mode">Only profiles of this mode: source (src) or destination (dst).</param>
    /// <param name="cancellationToken">The request's cancellation.</param>
    private static async Task<Results<Ok<List<ProfileResponse>>, ValidationProblem>> ListAsync(
        ProfileStore store, string? tag, string? mode, CancellationToken cancellationToken)
    {
        SessionMode? wanted = null;
        if (!string.IsNullOrWhiteSpace(mode))
        {
            wanted = StartTunnelSpecs.ParseMode(mode);
            if (wanted is null)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["mode"] = ["mode must be source (src) or destination (dst)."] });
            }
        }

        var profiles = (await store.ListAsync(cancellationToken)).Select(ToResponse)
            .Where(p => wanted is null || StartTunnelSpecs.ParseMode(p.Mode) == wanted)
            .Where(p => string.IsNullOrWhiteSpace(tag) || p.Tags.Contains(tag.Trim(), StringComparer.OrdinalIgnoreCase))
            .ToList();
        return TypedResults.Ok(profiles);
    }

    /// <param name="id">The profile's id.</param>
    /// <param name="store">The profile store.</param>
    /// <param name="cancellationToken">The request's cancellation.</param>
    private static async Task<Results<Ok<ProfileResponse>, ProblemHttpResult>> GetAsync(string id, ProfileStore store, CancellationToken cancellationToken) =>
        await store.FindAsync(id, cancellationToken) is { } profile ? TypedResults.Ok(ToResponse(profile)) : NotFound(id);

    /// <param name="id">The profile's id.</param>
    /// <param name="body">Every field of the profile; tokens only to replace them.</param>
    /// <param name="context">The request.</param>
    /// <param name="store">The profile store.</param>
    private static async Task<Results<Ok<ProfileResponse>, ValidationProblem, ProblemHttpResult>> ReplaceAsync(
        string id, ProfileBody? body, HttpContext context, ProfileStore store)
    {
        context.Items[AuditTarget.ItemKey] = id;
        if (body is null)
        {
            return BodyRequired();
        }

        var errors = new List<SpecError>();
        var values = ProfileRules.Validate(body, errors);
        var draft = values is null ? null : Draft(values, body);
        if (body.ClearAccessToken == true && draft?.AccessToken is not null)
        {
            errors.Add(new SpecError("clearAccessToken", "Give either accessToken (to replace the stored token) or clearAccessToken (to remove it), not both."));
        }

        if (body.ClearClientToken == true && draft?.ClientToken is not null)
        {
            errors.Add(new SpecError("clearClientToken", "Give either clientToken (to replace the stored token) or clearClientToken (to remove it), not both."));
        }

        if (body.ClearProxyPassword == true && draft?.ProxyPassword is not null)
        {
            errors.Add(new SpecError("clearProxyPassword", "Give either a password in httpsProxy (to replace the stored one) or clearProxyPassword (to remove it), not both."));
        }

        if (values is null || errors.Count > 0)
        {
            return Invalid(errors);
        }

        var result = await store.ReplaceAsync(
            id, draft!, new ProfileSecretsCleared(body.ClearAccessToken == true, body.ClearClientToken == true, body.ClearProxyPassword == true), context.RequestAborted);
        if (result.NotFound)
        {
            return NotFound(id);
        }

        return result.Written ? TypedResults.Ok(ToResponse(result.Profiles[0])) : NameTaken(result.TakenNames[0]);
    }

    /// <param name="id">The profile's id.</param>
    /// <param name="context">The request.</param>
    /// <param name="store">The profile store.</param>
    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string id, HttpContext context, ProfileStore store)
    {
        context.Items[AuditTarget.ItemKey] = id;
        return await store.DeleteAsync(id, context.RequestAborted) ? TypedResults.NoContent() : NotFound(id);
    }

    private static ProfileDraft Draft(ProfileValues values, ProfileBody body) => new(
        values,
        string.IsNullOrEmpty(body.AccessToken) ? null : body.AccessToken,
        string.IsNullOrEmpty(body.ClientToken) ? null : body.ClientToken,
        ProxyPassword.Split(ProfileRules.Clean(body.HttpsProxy)).Password);

    private static ProfileResponse ToResponse(ProfileEntity profile) => new(
        profile.Id,
        profile.Name,
        profile.Mode,
        profile.Region,
        profile.Endpoint,
        profile.UseBuiltInRelay,
        profile.Services,
        profile.BindAddress,
        profile.CaPath,
        profile.SkipTlsVerify,
        profile.HttpsProxy,
        profile.DestinationClientType,
        Settings(profile),
        Tags(profile),
        profile.Autostart,
        profile.ProtectedAccessToken is not null,
        profile.ProtectedClientToken is not null,
        profile.ProtectedProxyPassword is not null,
        profile.CreatedAt,
        profile.UpdatedAt,
        profile.CreatedBy);

    private static JsonElement? Settings(ProfileEntity profile)
    {
        if (string.IsNullOrEmpty(profile.SettingsJson))
        {
            return null;
        }

        using var document = JsonDocument.Parse(profile.SettingsJson);
        return document.RootElement.Clone();
    }

    private static List<string> Tags(ProfileEntity profile) =>
        JsonSerializer.Deserialize<List<string>>(profile.TagsJson) ?? [];

    private static ValidationProblem Invalid(IEnumerable<SpecError> errors) =>
        TypedResults.ValidationProblem(StartTunnelSpecs.ToValidationErrors(errors));

    private static ValidationProblem BodyRequired() =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]>
        {
            ["body"] = ["A JSON body is required, e.g. {\"name\":\"lab-ssh\",\"mode\":\"source\",\"useBuiltInRelay\":true,\"services\":\"SSH=2222\"}."],
        });

    private static ProblemHttpResult NameTaken(string name) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status409Conflict,
            title: "Name taken",
            detail: $"A profile named '{name}' exists already (names are compared case-insensitively).",
            extensions: new Dictionary<string, object?>
            {
                ["errors"] = new Dictionary<string, string[]> { [NameField] = [$"A profile named '{name}' exists already."] },
            });

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Profile not found", detail: $"No profile has id '{id}'.");
}
