using Gateway.Api.Hosting;

// Settings files ship beside the binary; relative paths in them (the data directory) are taken
// from the directory the gateway was started in.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddGateway();

var app = builder.Build();
app.UseGateway();
await app.RunAsync();

/// <summary>Entry point; public so that tests can host the gateway.</summary>
public partial class Program;
