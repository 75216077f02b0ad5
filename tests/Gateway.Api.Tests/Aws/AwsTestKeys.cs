using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Aws;

namespace Gateway.Api.Tests.Aws;

/// <summary>Users and AWS access keys made through the REST API, as an admin would.</summary>
internal static class AwsTestKeys
{
    /// <summary>Creates a user with <paramref name="role"/> (unless it is "admin", the built-in one) and an AWS key acting as them.</summary>
    public static async Task<AwsCredentials> CreateAsync(TestGateway gateway, string role)
    {
        using var client = gateway.CreateClient();
        string userName = "admin";
        if (role != "admin")
        {
            userName = $"{role}-{Guid.NewGuid():N}"[..20];
            var user = await client.PostAsJsonAsync("/api/users", new { userName, password = "a-long-enough-password-1", role });
            user.EnsureSuccessStatusCode();
        }

        var response = await client.PostAsJsonAsync("/api/aws-keys", new { name = $"test {role}", userName });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        using var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return new AwsCredentials(created.RootElement.GetProperty("accessKeyId").GetString()!, created.RootElement.GetProperty("secretAccessKey").GetString()!);
    }
}
