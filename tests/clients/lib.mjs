// What every client scenario shares. Import it first: it turns any warning a client prints
// (console.warn, console.error, a Node process warning) into a failed run, so a scenario
// passes only when the client works *quietly* against Threadpress, as a user expects.
//
// A scenario is run as `node --conditions=development SCRIPT URL PARAMS_JSON` by
// tests/test_graphql_clients.py: the development condition loads each client's development
// build (Apollo's warnings exist only there; urql's follow NODE_ENV, unset here). It prints
// one JSON report of what it saw on stdout; the test makes the exact assertions.
import { readFileSync } from "node:fs";
import { format } from "node:util";

function strict(kind) {
  return (...args) => {
    process.stderr.write(`${kind}: ${format(...args)}\n`);
    process.exitCode = 1;
  };
}
console.warn = strict("console.warn");
console.error = strict("console.error");
process.on("warning", (warning) => strict("process warning")(warning.stack ?? String(warning)));

// Nothing here may hang: a scenario that has not finished in time fails.
const deadline = setTimeout(() => fail("the scenario did not finish within 30 s"), 30_000);
deadline.unref();

/** The server's base URL and the scenario's parameters (ids of the seeded site). */
export const [url, params] = [process.argv[2], JSON.parse(process.argv[3] ?? "{}")];
export const endpoint = `${url}/graphql`;

/** Stop at once with `message` on stderr. */
export function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** Print the scenario's report (its last act; a warning printed before still fails it). */
export function report(value) {
  process.stdout.write(JSON.stringify(value) + "\n");
}

export const SUBMIT = `
  mutation Submit($input: SubmitCommentInput!) {
    submitComment(input: $input) {
      moderationStatus
      comment { id content }
      errors { field code message }
    }
  }
`;

/** submitComment by a plain POST (for the subscription scenarios: the event's cause). */
export async function submitComment(postId, content) {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({
      query: SUBMIT,
      variables: { input: { postId, authorName: "Regular", authorEmail: params.email, content } },
    }),
  });
  const body = await response.json();
  const payload = body.data?.submitComment;
  if (!payload || payload.errors.length || payload.moderationStatus !== "APPROVED") {
    fail(`submitComment did not approve the comment: ${JSON.stringify(body)}`);
  }
  return payload.comment;
}

/**
 * Submit comments until the subscription delivers one (at most `attempts`, `pause` ms
 * apart). Neither protocol acknowledges a subscription, so the first comment may be sent
 * before the server has registered it; every one sent is listed, and the event must be one.
 */
export async function submitUntilDelivered(postId, delivered, { attempts = 20, pause = 500 } = {}) {
  const submitted = [];
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    submitted.push(await submitComment(postId, `Live comment ${attempt} ${Date.now()}`));
    const event = await Promise.race([delivered, sleep(pause).then(() => null)]);
    if (event) return { submitted, event };
  }
  fail(`no event after ${attempts} comments: ${JSON.stringify(submitted)}`);
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The README's GraphQL example whose operation is named `name`: the scenarios run the
 * documents the README shows, so the README cannot drift from what works.
 */
export function readmeDocument(name) {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const blocks = [...readme.matchAll(/```graphql(?:-subscription)?\n([\s\S]*?)```/g)].map((match) => match[1]);
  const found = blocks.filter((block) => new RegExp(`^(query|mutation|subscription) ${name}\\b`, "m").test(block));
  if (found.length !== 1) fail(`the README has ${found.length} examples named ${name}, not one`);
  return found[0];
}
