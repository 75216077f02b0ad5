using Gateway.Api.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddGateway();

var app = builder.Build();
app.UseGateway();
await app.RunAsync();

/// <summary>Entry point; public so that tests can host the gateway.</summary>
public partial class Program;
