namespace Gateway.Api.Hosting;

/// <summary>The gateway cannot start for a reason an operator can fix; Program prints the message, not a stack trace.</summary>
public sealed class GatewayStartupException(string message, Exception? inner = null) : Exception(message, inner);
