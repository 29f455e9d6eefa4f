// graphql-ws 6 (the README's WebSocket client; Node 20 has no WebSocket of its own, so `ws`
// provides it): subscribe to the README's commentAdded, submit a comment, receive it.
import { endpoint, fail, params, readmeDocument, report, submitUntilDelivered } from "./lib.mjs";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const client = createClient({
  url: endpoint.replace(/^http/, "ws"),
  webSocketImpl: WebSocket,
  retryAttempts: 0,
});

const delivered = new Promise((resolve) => {
  client.subscribe(
    { query: readmeDocument("Added"), variables: { postId: params.livePost } },
    {
      next: (result) => resolve(result),
      error: (error) => fail(`graphql-ws: ${error instanceof Error ? error.message : JSON.stringify(error)}`),
      complete: () => {},
    },
  );
});

const { submitted, event } = await submitUntilDelivered(params.livePost, delivered);
await client.dispose();
report({ submitted, event });
