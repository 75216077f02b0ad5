namespace Gateway.Cli;

/// <summary>An option's effective value and where it came from, e.g. <c>-r/--region</c>, <c>region in --config FILE</c>, <c>AWSIOT_TUNNEL_REGION</c>.</summary>
internal sealed record OptionValue(CliOption Option, string Text, string Origin, OptionLayer Layer);
