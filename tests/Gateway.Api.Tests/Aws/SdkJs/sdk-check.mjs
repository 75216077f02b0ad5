// Drives the relay's management API with the AWS SDK for JavaScript v3, unchanged but for the
// endpoint. The test passes the endpoint and a key in the environment (and the gateway's
// certificate in NODE_EXTRA_CA_CERTS); this prints one JSON line with what it saw.
import {
  IoTSecureTunnelingClient, OpenTunnelCommand, DescribeTunnelCommand, ListTunnelsCommand,
  RotateTunnelAccessTokenCommand, TagResourceCommand, ListTagsForResourceCommand, CloseTunnelCommand,
} from "@aws-sdk/client-iotsecuretunneling";

const client = new IoTSecureTunnelingClient({
  endpoint: process.env.RELAY_ENDPOINT,
  region: "us-east-1",
  maxAttempts: 1,
  credentials: { accessKeyId: process.env.RELAY_KEY_ID, secretAccessKey: process.env.RELAY_SECRET },
});

const opened = await client.send(new OpenTunnelCommand({
  description: "from the JavaScript SDK",
  destinationConfig: { thingName: "js-thing", services: ["SSH", "HTTP"] },
  timeoutConfig: { maxLifetimeTimeoutMinutes: 30 },
  tags: [{ key: "sdk", value: "js" }],
}));
const described = await client.send(new DescribeTunnelCommand({ tunnelId: opened.tunnelId }));
const listed = await client.send(new ListTunnelsCommand({ thingName: "js-thing", maxResults: 10 }));
const rotated = await client.send(new RotateTunnelAccessTokenCommand({ tunnelId: opened.tunnelId, clientMode: "ALL" }));
await client.send(new TagResourceCommand({ resourceArn: opened.tunnelArn, tags: [{ key: "stage", value: "test" }] }));
const tags = await client.send(new ListTagsForResourceCommand({ resourceArn: opened.tunnelArn }));
await client.send(new CloseTunnelCommand({ tunnelId: opened.tunnelId }));
const closed = await client.send(new DescribeTunnelCommand({ tunnelId: opened.tunnelId }));
let notFound = null;
try {
  await client.send(new DescribeTunnelCommand({ tunnelId: "no-such-tunnel" }));
} catch (error) {
  notFound = { name: error.name, status: error.$metadata?.httpStatusCode, requestId: error.$metadata?.requestId };
}

console.log(JSON.stringify({
  tunnelId: opened.tunnelId,
  tunnelArn: opened.tunnelArn,
  hasTokens: Boolean(opened.sourceAccessToken && opened.destinationAccessToken),
  status: described.tunnel.status,
  createdAtIsDate: described.tunnel.createdAt instanceof Date,
  createdAt: described.tunnel.createdAt.toISOString(),
  services: described.tunnel.destinationConfig.services,
  thingName: described.tunnel.destinationConfig.thingName,
  lifetime: described.tunnel.timeoutConfig.maxLifetimeTimeoutMinutes,
  sourceState: described.tunnel.sourceConnectionState.status,
  listedIds: listed.tunnelSummaries.map((t) => t.tunnelId),
  rotatedBoth: Boolean(rotated.sourceAccessToken && rotated.destinationAccessToken),
  rotatedDiffers: rotated.sourceAccessToken !== opened.sourceAccessToken,
  tags: tags.tags.map((t) => `${t.key}=${t.value}`).sort(),
  closedStatus: closed.tunnel.status,
  notFound,
}));
