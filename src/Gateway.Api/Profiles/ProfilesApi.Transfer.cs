using System.Text.Json;
using Gateway.Api.Auth;
using Gateway.Engine.Sessions;
using Gateway.Engine.Settings;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.Api.Profiles;

/// <summary>Export, import and import from a reference config file.</summary>
internal static partial class ProfilesApi
{
    public const int MaxImportedProfiles = 1000;

    /// <param name="store">The profile store.</param>
    /// <param name="cancellationToken">The request's cancellation.</param>
    private static async Task<Ok<ProfilesDocument>> ExportAsync(ProfileStore store, CancellationToken cancellationToken)
    {
        var profiles = await store.ListAsync(cancellationToken);
        var items = profiles.Select(ToResponse).Select(ExportItem).ToList();
        return TypedResults.Ok(new ProfilesDocument(ProfilesDocument.FormatName, ProfilesDocument.CurrentVersion, items));
    }

    /// <param name="document">An export document: format tunnelgateway-profiles, version 1, profiles.</param>
    /// <param name="context">The request.</param>
    /// <param name="store">The profile store.</param>
    private static async Task<Results<Created<List<ProfileResponse>>, ValidationProblem, ProblemHttpResult>> ImportAsync(
        ProfilesDocument? document, HttpContext context, ProfileStore store)
    {
        if (document is null)
        {
            return BodyRequired();
        }

        var errors = new List<SpecError>();
        if (document.Format != ProfilesDocument.FormatName)
        {
            errors.Add(new SpecError("format", $"format must be \"{ProfilesDocument.FormatName}\" (the answer of GET /api/profiles/export)."));
        }

        if (document.Version != ProfilesDocument.CurrentVersion)
        {
            errors.Add(new SpecError("version", $"version must be {ProfilesDocument.CurrentVersion}."));
        }

        if (document.Profiles is null || document.Profiles.Count > MaxImportedProfiles)
        {
            errors.Add(new SpecError("profiles", $"profiles is required: an array of at most {MaxImportedProfiles} profiles."));
            return Invalid(errors);
        }

        var drafts = new List<ProfileDraft>();
        var firstByName = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < document.Profiles.Count; i++)
        {
            string prefix = $"profiles[{i}].";
            if (document.Profiles[i] is not { } item)
            {
                errors.Add(new SpecError($"profiles[{i}]", "A profile is required here, not null."));
                continue;
            }

            var itemErrors = new List<SpecError>();
            var values = ProfileRules.Validate(item.ToBody(), itemErrors);
            errors.AddRange(itemErrors.Select(e => e with { Field = prefix + e.Field }));
            if (values is null)
            {
                continue;
            }

            if (!firstByName.TryAdd(values.Name, i))
            {
                errors.Add(new SpecError(prefix + NameField, $"profiles[{firstByName[values.Name]}] has this name already; names are compared case-insensitively."));
                continue;
            }

            drafts.Add(new ProfileDraft(values, null, null, ProxyPassword.Split(ProfileRules.Clean(item.HttpsProxy)).Password));
        }

        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        var result = await store.InsertAsync(drafts, context.User.Identity?.Name, context.RequestAborted);
        if (!result.Written)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Names taken",
                detail: $"Nothing was imported: profiles named {string.Join(", ", result.TakenNames.Select(n => $"'{n}'"))} exist already.",
                extensions: new Dictionary<string, object?>
                {
                    ["names"] = result.TakenNames,
                    ["errors"] = result.TakenNames
                        .ToDictionary(n => $"profiles[{firstByName[n]}].{NameField}", n => new[] { $"A profile named '{n}' exists already." }, StringComparer.Ordinal),
                });
        }

        context.Items[AuditTarget.ItemKey] = string.Join(",", result.Profiles.Select(p => p.Id));
        return TypedResults.Created("/api/profiles", result.Profiles.Select(ToResponse).ToList());
    }

    /// <param name="body">The new profile's name, the --config file's text, the --config-dir's files, an optional access token.</param>
    /// <param name="context">The request.</param>
    /// <param name="store">The profile store.</param>
    private static async Task<Results<Created<ProfileResponse>, ValidationProblem, ProblemHttpResult>> ImportConfigAsync(
        ImportConfigBody? body, HttpContext context, ProfileStore store)
    {
        if (body is null)
        {
            return BodyRequired();
        }

        var errors = new List<SpecError>();
        var warnings = new List<string>();
        var profileBody = ReferenceConfigImport.ToProfileBody(body, errors, warnings);
        if (profileBody is null)
        {
            if (ProfileRules.Clean(body.Name) is null)
            {
                errors.Insert(0, new SpecError(NameField, $"name is required: 1 to {ProfileRules.MaxNameLength} characters."));
            }

            return Invalid(errors);
        }

        var values = ProfileRules.Validate(profileBody, errors);
        if (values is null)
        {
            return Invalid(ReferenceConfigImport.InCallerTerms(errors, body));
        }

        var result = await store.InsertAsync([Draft(values, profileBody)], context.User.Identity?.Name, context.RequestAborted);
        if (!result.Written)
        {
            return NameTaken(result.TakenNames[0]);
        }

        var profile = result.Profiles[0];
        context.Items[AuditTarget.ItemKey] = profile.Id;
        return TypedResults.Created($"/api/profiles/{profile.Id}", ToResponse(profile) with { Warnings = warnings.Count > 0 ? warnings : null });
    }

    /// <param name="id">The profile's id.</param>
    /// <param name="body">The text of a localproxy --settings-json file.</param>
    /// <param name="context">The request.</param>
    /// <param name="store">The profile store.</param>
    private static async Task<Results<Ok<ProfileResponse>, ValidationProblem, ProblemHttpResult>> ImportSettingsAsync(
        string id, ImportSettingsBody? body, HttpContext context, ProfileStore store)
    {
        if (body is null)
        {
            return BodyRequired();
        }

        var errors = new List<SpecError>();
        var settings = ReferenceConfigImport.SettingsOf(body.SettingsJson, errors);
        if (settings is null && errors.Count == 0)
        {
            errors.Add(new SpecError(ReferenceConfigImport.SettingsJsonField, "settingsJson is required: the text of a localproxy --settings-json file."));
        }

        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        return await ReplaceSettingsAsync(id, settings!.Value, context, store);
    }

    /// <summary>The profile as it is, with <paramref name="settings"/>: checked by the profile rules, tokens and proxy password kept.</summary>
    private static async Task<Results<Ok<ProfileResponse>, ValidationProblem, ProblemHttpResult>> ReplaceSettingsAsync(
        string id, JsonElement settings, HttpContext context, ProfileStore store)
    {
        context.Items[AuditTarget.ItemKey] = id;
        if (await store.FindAsync(id, context.RequestAborted) is not { } entity)
        {
            return NotFound(id);
        }

        var body = ExportItem(ToResponse(entity)).ToBody() with { Settings = settings };
        var errors = new List<SpecError>();
        var values = ProfileRules.Validate(body, errors);
        if (values is null)
        {
            return Invalid(errors.Select(e => ReferenceConfigImport.InSettingsFileTerms(e) ?? e));
        }

        var result = await store.ReplaceAsync(id, Draft(values, body), new ProfileSecretsCleared(false, false, false), context.RequestAborted);
        if (result.NotFound)
        {
            return NotFound(id);
        }

        return result.Written ? TypedResults.Ok(ToResponse(result.Profiles[0])) : NameTaken(result.TakenNames[0]);
    }

    /// <summary>A stored profile's fields as an export carries them (no tokens, no proxy password).</summary>
    private static ProfileExportItem ExportItem(ProfileResponse p) => new()
    {
        Name = p.Name, Mode = p.Mode, Region = p.Region, Endpoint = p.Endpoint, UseBuiltInRelay = p.UseBuiltInRelay, Services = p.Services,
        BindAddress = p.BindAddress, CaPath = p.CaPath, SkipTlsVerify = p.SkipTlsVerify, HttpsProxy = p.HttpsProxy,
        DestinationClientType = p.DestinationClientType, Settings = p.Settings, Tags = p.Tags, Autostart = p.Autostart,
    };
}
