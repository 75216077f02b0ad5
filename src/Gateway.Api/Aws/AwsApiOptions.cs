using System.ComponentModel.DataAnnotations;

namespace Gateway.Api.Aws;

/// <summary>Settings of the AWS management API endpoint (section <c>AwsApi</c>).</summary>
public sealed class AwsApiOptions
{
    public const string SectionName = "AwsApi";

    /// <summary>Answer AWS JSON 1.1 requests at <c>POST /</c> (docs/aws-api.md).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Also answer on plain HTTP listeners (its answers hold access tokens: HTTPS only by default).</summary>
    public bool AllowPlainHttp { get; set; }

    /// <summary>How far X-Amz-Date may be from the gateway's clock (AWS: 5 minutes).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest request body read; larger ones answer RequestEntityTooLargeException.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = 1024 * 1024;
}
