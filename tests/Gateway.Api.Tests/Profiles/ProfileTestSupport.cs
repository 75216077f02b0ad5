using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Api.Tests.Infrastructure;

namespace Gateway.Api.Tests.Profiles;

/// <summary>Calls and checks the profile tests share: JSON answers kept for token searches, ProblemDetails shape.</summary>
internal static class ProfileTestSupport
{
    /// <summary>Recognisable tokens: searched for in answers, logs and the database file.</summary>
    public const string AccessToken = "AT-profile-secret-0c8f5b2e-acc3ss-t0ken-9d41";

    public const string ClientToken = "ct-profile-secret-7e1d2c3b-4a5f-6789-abcd";

    /// <summary>Fast retries and pings in the reference's settings JSON.</summary>
    public static readonly JsonElement FastSettingsJson = JsonSerializer.SerializeToElement(new Dictionary<string, object>
    {
        ["tunneling"] = new Dictionary<string, object>
        {
            ["proxy"] = new Dictionary<string, object>
            {
                ["websocket"] = new Dictionary<string, string> { ["ping_period_ms"] = "1000", ["retry_delay_ms"] = "100" },
                ["tcp"] = new Dictionary<string, string> { ["connection_retry_count"] = "1", ["connection_retry_delay_ms"] = "100" },
            },
        },
    });

    /// <summary>Every raw answer read through these helpers, in order (for token searches).</summary>
    public sealed class Transcript
    {
        private readonly List<string> _answers = [];

        public IReadOnlyList<string> Answers => _answers;

        public void Add(string answer) => _answers.Add(answer);

        public void AssertNoneContains(string secret) =>
            Assert.All(_answers, a => Assert.DoesNotContain(secret, a, StringComparison.Ordinal));
    }

    public static async Task<JsonElement> SendJsonAsync(this HttpClient http, HttpMethod method, string path, object? body, HttpStatusCode expected, Transcript? transcript = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType());
        }

        using var response = await http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        transcript?.Add(text);
        Assert.True(expected == response.StatusCode, $"{method} {path}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        if (text.Length == 0)
        {
            return default;
        }

        var json = JsonDocument.Parse(text).RootElement.Clone();
        if ((int)expected >= 400)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal((int)expected, json.GetProperty("status").GetInt32());
            Assert.False(string.IsNullOrEmpty(json.GetProperty("title").GetString()));
        }

        return json;
    }

    public static Task<JsonElement> PostJsonAsync(this HttpClient http, string path, object body, HttpStatusCode expected, Transcript? transcript = null) =>
        http.SendJsonAsync(HttpMethod.Post, path, body, expected, transcript);

    public static Task<JsonElement> PutJsonAsync(this HttpClient http, string path, object body, HttpStatusCode expected, Transcript? transcript = null) =>
        http.SendJsonAsync(HttpMethod.Put, path, body, expected, transcript);

    public static Task<JsonElement> GetJsonAsync(this HttpClient http, string path, HttpStatusCode expected = HttpStatusCode.OK, Transcript? transcript = null) =>
        http.SendJsonAsync(HttpMethod.Get, path, null, expected, transcript);

    public static Task<JsonElement> DeleteJsonAsync(this HttpClient http, string path, HttpStatusCode expected, Transcript? transcript = null) =>
        http.SendJsonAsync(HttpMethod.Delete, path, null, expected, transcript);

    /// <summary>The ProblemDetails' <c>errors</c> keys, ordinal order.</summary>
    public static List<string> ErrorFields(JsonElement problem) =>
        [.. problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];

    /// <summary>The messages under one <c>errors</c> key.</summary>
    public static List<string> ErrorMessages(JsonElement problem, string field) =>
        [.. problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(m => m.GetString()!)];

    /// <summary>A valid destination profile body against AWS; <paramref name="extra"/> adds or replaces fields.</summary>
    public static Dictionary<string, object?> DestinationBody(string name, Dictionary<string, object?>? extra = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["name"] = name,
            ["mode"] = "destination",
            ["region"] = "us-east-1",
            ["services"] = "SSH=127.0.0.1:22",
        };
        foreach (var (key, value) in extra ?? [])
        {
            body[key] = value;
        }

        return body;
    }

    /// <summary>A viewer API key, created with the admin client.</summary>
    public static async Task<string> CreateViewerKeyAsync(this TestGateway gateway)
    {
        using var admin = gateway.CreateClient();
        var created = await admin.PostJsonAsync("/api/keys", new { name = "profiles-viewer", role = "viewer" }, HttpStatusCode.Created);
        return created.GetProperty("key").GetString()!;
    }
}
