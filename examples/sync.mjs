// A static-site build's fetch from Threadpress, in Node with graphql-request.
//
// The first run streams every public node from /export.ndjson and keeps the sync token;
// every later run asks `changes` for what happened since and keeps the new token. A real
// build (Gatsby, Next, Astro, Eleventy) would write pages where this prints counts.
//
//   THREADPRESS_TOKEN=tp_... node examples/sync.mjs http://127.0.0.1:8000 .sync-token
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { GraphQLClient, gql } from "graphql-request";

const [url = "http://127.0.0.1:8000", stateFile = ".threadpress-sync-token"] =
  process.argv.slice(2);
const headers = { Authorization: `Bearer ${process.env.THREADPRESS_TOKEN}` };

const CHANGES = gql`
  query Sync($since: String) {
    changes(since: $since, first: 500) {
      entries { kind typename id contentDigest node { id ... on Post { uri title } } }
      nextToken
      hasMore
    }
  }
`;

async function fullFetch() {
  const response = await fetch(`${url}/export.ndjson`, { headers });
  if (!response.ok) throw new Error(`export answered ${response.status}`);
  const counts = {};
  let token = null;
  for (const line of (await response.text()).split("\n").filter(Boolean)) {
    const item = JSON.parse(line);
    if ("nextToken" in item) token = item.nextToken;
    else counts[item.typename] = (counts[item.typename] ?? 0) + 1;
  }
  if (token === null) throw new Error("the export was cut short: fetch again");
  return { counts, token };
}

async function incrementalFetch(since) {
  const client = new GraphQLClient(`${url}/graphql`, { headers });
  const counts = { UPSERT: 0, DELETE: 0 };
  for (;;) {
    const { changes } = await client.request(CHANGES, { since });
    for (const entry of changes.entries) counts[entry.kind] += 1;
    since = changes.nextToken;
    if (!changes.hasMore) return { counts, token: since };
  }
}

if (existsSync(stateFile)) {
  const { counts, token } = await incrementalFetch(readFileSync(stateFile, "utf8").trim());
  console.log(`incremental fetch: ${counts.UPSERT} upserts, ${counts.DELETE} deletes`);
  writeFileSync(stateFile, `${token}\n`);
} else {
  const { counts, token } = await fullFetch();
  const summary = Object.keys(counts).sort().map((kind) => `${counts[kind]} ${kind}`);
  console.log(`full fetch: ${summary.join(", ")}`);
  writeFileSync(stateFile, `${token}\n`);
}
