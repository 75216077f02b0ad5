using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace Gateway.Api.Hosting;

/// <summary>
/// Turns a request the endpoint could not bind (bad JSON, wrong type) into a 400 ProblemDetails
/// naming the field. Handled bad requests are not logged as errors: they are the caller's mistake.
/// </summary>
internal sealed class BadRequestHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception error, CancellationToken cancellationToken)
    {
        if (error is BadHttpRequestException bad)
        {
            var field = FindJsonPath(bad) ?? "body";
            context.Response.StatusCode = bad.StatusCode;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = bad.StatusCode,
                    Title = "The request could not be read",
                    Detail = InnerMessage(bad),
                    Extensions = { ["errors"] = new Dictionary<string, string[]> { [field] = [InnerMessage(bad)] } },
                },
            });
            return true;
        }

        return false;
    }

    private static string? FindJsonPath(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is JsonException { Path: { Length: > 0 } path } && path != "$")
            {
                return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
            }
        }

        return null;
    }

    private static string InnerMessage(Exception error)
    {
        var inner = error;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return ReferenceEquals(inner, error) ? error.Message : $"{error.Message} {inner.Message}";
    }
}
