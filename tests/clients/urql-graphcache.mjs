// @urql/core 6 with graphcache and the README's keys and relayPagination resolvers
// (urql-cache.mjs): the README's post page and pages of every connection the public reads,
// with no "Invalid key" (or any other) warning.
import { endpoint, fail, params, readmeDocument, report } from "./lib.mjs";
import { Client, fetchExchange, gql } from "@urql/core";
import { cacheExchange } from "@urql/exchange-graphcache";
import { threadpressCache } from "./urql-cache.mjs";

const client = new Client({
  url: endpoint,
  exchanges: [cacheExchange(threadpressCache), fetchExchange],
});

const POSTS = gql(readmeDocument("PostsPage"));
const POST_PAGE = gql(readmeDocument("PostPage"));
const COMMENTS = gql`
  query Comments($id: ID!, $after: String) {
    post(id: $id) {
      id
      comments(first: 2, after: $after) {
        pageInfo { hasNextPage endCursor }
        edges { cursor node { id authorName } }
      }
    }
  }
`;
const REPLIES = gql`
  query Replies($id: ID!, $after: String) {
    comment(id: $id) {
      id
      replies(first: 2, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { id authorName }
      }
    }
  }
`;
const THREAD = gql`
  query Thread($id: ID!, $after: String) {
    post(id: $id) {
      id
      commentThread(first: 4, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { id depth parent { id } }
      }
    }
  }
`;
const SUBMIT = gql`
  mutation Submit($input: SubmitCommentInput!) {
    submitComment(input: $input) {
      moderationStatus
      comment { id authorName }
      errors { field code message }
    }
  }
`;

async function run(query, variables) {
  const result = await client.query(query, variables).toPromise();
  if (result.error) fail(`urql: ${result.error.message}`);
  return result.data;
}

/** Two pages: relayPagination answers the second query with both pages merged. */
async function twoPages(query, variables, connectionOf) {
  const first = connectionOf(await run(query, variables));
  const merged = connectionOf(await run(query, { ...variables, after: first.pageInfo.endCursor }));
  const items = merged.edges ? merged.edges.map((edge) => edge.node) : merged.nodes;
  const firstItems = first.edges ?? first.nodes;
  return { sizes: [firstItems.length, items.length], ids: items.map((item) => item.id) };
}

const posts = await twoPages(POSTS, { first: 2 }, (data) => data.posts);
const comments = await twoPages(COMMENTS, { id: params.mainPost }, (data) => data.post.comments);
const replies = await twoPages(REPLIES, { id: params.topComment }, (data) => data.comment.replies);
const thread = await twoPages(THREAD, { id: params.mainPost }, (data) => data.post.commentThread);
// Last: relayPagination merges every page of a field it holds, whatever its `first`, so the
// post page's replies(first: 10) read before would show in the two pages above.
const postPage = await run(POST_PAGE, {});
const submitted = await client
  .mutation(SUBMIT, {
    input: {
      postId: params.livePost,
      authorName: "Regular",
      authorEmail: params.email,
      content: `From graphcache ${Date.now()}`,
    },
  })
  .toPromise();

report({
  postPage: postPage.post === null ? null : postPage.post.id,
  posts,
  comments,
  replies,
  thread,
  submitted: submitted.error ? submitted.error.message : submitted.data.submitComment,
  embeddedTypes: Object.keys(threadpressCache.keys),
});
