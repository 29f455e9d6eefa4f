// @urql/core 6 as its docs set it up: the document cache and fetch, default fetch options
// (so urql's own Accept header), a query and the submitComment mutation.
import { endpoint, params, report } from "./lib.mjs";
import { Client, cacheExchange, fetchExchange, gql } from "@urql/core";

// The answers' media types, recorded without touching urql's requests.
const answeredAs = [];
const client = new Client({
  url: endpoint,
  exchanges: [cacheExchange, fetchExchange],
  fetch: async (input, init) => {
    const response = await fetch(input, init);
    answeredAs.push({
      accept: new Headers(init.headers).get("accept"),
      type: response.headers.get("content-type"),
    });
    return response;
  },
});

const POSTS = gql`
  query Posts {
    posts(first: 3) { totalCount nodes { id title commentCount } }
  }
`;
const SUBMIT = gql`
  mutation Submit($input: SubmitCommentInput!) {
    submitComment(input: $input) {
      moderationStatus
      comment { id authorName }
      errors { field code }
    }
  }
`;

/** An operation's result, its error (network or GraphQL) as text. */
function outcome(result) {
  return { data: result.data ?? null, error: result.error ? result.error.message : null };
}

const posts = outcome(await client.query(POSTS, {}).toPromise());
const submitted = outcome(
  await client
    .mutation(SUBMIT, {
      input: {
        postId: params.livePost,
        authorName: "Regular",
        authorEmail: params.email,
        content: `From urql ${Date.now()}`,
      },
    })
    .toPromise(),
);

report({ posts, submitted, answeredAs });
