using Gateway.Api.Hosting;

try
{
    // Settings files ship beside the binary; relative paths in them (the data directory) are taken
    // from the directory the gateway was started in.
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
    builder.AddGateway();

    var app = builder.Build();
    app.UseGateway();
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (StartupProblem.Find(ex) is { } problem)
{
    // A problem an operator fixes in the configuration or the data directory: the message is enough.
    await Console.Error.WriteLineAsync($"The gateway cannot start: {problem.Message}");
    return 1;
}

/// <summary>Entry point; public so that tests can host the gateway.</summary>
public partial class Program;
