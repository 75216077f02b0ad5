using Gateway.Api.Hosting;

WebApplicationBuilder? builder = null;
try
{
    // Settings files ship beside the binary; relative paths in them (the data directory) are taken
    // from the directory the gateway was started in.
    builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
    builder.AddGateway();

    var app = builder.Build();
    app.UseGateway();
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (StartupProblem.Find(ex, builder?.Configuration) is { } problem)
{
    // A problem an operator fixes in the configuration, the data directory or the listen addresses:
    // the message is enough, and the exit code says which kind (docs/deployment.md).
    await Console.Error.WriteLineAsync($"The gateway cannot start: {problem.Message}");
    return problem.ExitCode;
}

/// <summary>Entry point; public so that tests can host the gateway.</summary>
public partial class Program;
