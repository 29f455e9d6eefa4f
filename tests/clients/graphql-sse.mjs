// graphql-sse 2 (the README's event-stream client, "distinct connections" mode, its
// default): subscribe to the README's commentAdded, submit a comment, receive it; and a
// query over the same client, answered as one result and the stream's end.
import { endpoint, fail, params, readmeDocument, report, submitUntilDelivered } from "./lib.mjs";
import { createClient } from "graphql-sse";

const client = createClient({ url: endpoint, retryAttempts: 0 });

const delivered = new Promise((resolve) => {
  client.subscribe(
    { query: readmeDocument("Added"), variables: { postId: params.livePost } },
    {
      next: (result) => resolve(result),
      error: (error) => fail(`graphql-sse: ${error instanceof Error ? error.message : JSON.stringify(error)}`),
      complete: () => {},
    },
  );
});

const { submitted, event } = await submitUntilDelivered(params.livePost, delivered);

const query = [];
for await (const result of client.iterate({ query: "query One { posts(first: 1) { nodes { id } } }" })) {
  query.push(result);
}
client.dispose();
report({ submitted, event, query });
