namespace Gateway.Api.Agents;

/// <summary>Body of <c>PUT /api/agents/{name}</c>: one thing's MQTT connection and the services its tunnels reach.</summary>
/// <param name="ThingName">The AWS IoT thing whose notify topic is subscribed: <c>$aws/things/&lt;thing&gt;/tunnels/notify</c>.</param>
/// <param name="Host">The MQTT broker, e.g. <c>abc123-ats.iot.eu-west-1.amazonaws.com</c> or <c>127.0.0.1</c>.</param>
/// <param name="Port">Default 8883 with TLS, 1883 without.</param>
/// <param name="Tls">TLS to the broker (default true; AWS IoT Core needs it).</param>
/// <param name="CaPem">CA certificates (PEM) the broker's certificate must chain to, e.g. AmazonRootCA1.pem; default: the system's trust store.</param>
/// <param name="CaPath">A directory of extra trusted CA certificates (PEM or DER) for the broker and the data plane.</param>
/// <param name="ClientCertificatePem">The thing's certificate (PEM), with <paramref name="ClientKeyPem"/>; write-only: omit both to keep the stored pair, give both as "" to remove it.</param>
/// <param name="ClientKeyPem">The certificate's private key (PEM, unencrypted PKCS#8, PKCS#1 or EC); write-only.</param>
/// <param name="UserName">MQTT user name, for brokers that take one.</param>
/// <param name="Password">MQTT password (write-only: omit it to keep the stored one for the same user name).</param>
/// <param name="ClientId">MQTT client id; default: the thing name (AWS IoT policies usually require that).</param>
/// <param name="Services">The destination service map, e.g. <c>SSH=127.0.0.1:22,WEB=10.0.0.7:80</c>; a notification naming a service not here is refused.</param>
/// <param name="DataEndpoint">Where destination sessions connect: default AWS's data plane of the notification's region; <c>local</c> for this gateway's relay; or a <c>wss://</c> URL or host[:port].</param>
/// <param name="Enabled">Connect to the broker (default true).</param>
/// <param name="Description">Free text.</param>
internal sealed record AgentBody(
    string? ThingName,
    string? Host,
    int? Port,
    bool? Tls,
    string? CaPem,
    string? CaPath,
    string? ClientCertificatePem,
    string? ClientKeyPem,
    string? UserName,
    string? Password,
    string? ClientId,
    string? Services,
    string? DataEndpoint,
    bool? Enabled,
    string? Description);
