// Apollo Client 4 with InMemoryCache and the README's type policies (apollo-cache.mjs):
// pages of posts, comments, replies and commentThread append through fetchMore, a comment
// read by several queries is one cache entry, and a mutation's answer updates what a
// watched query shows, with no warning printed.
import { endpoint, fail, params, readmeDocument, report } from "./lib.mjs";
import { ApolloClient, HttpLink, NetworkStatus, gql } from "@apollo/client";
import { threadpressCache } from "./apollo-cache.mjs";

const requests = [];
const link = new HttpLink({
  uri: endpoint,
  fetch: (input, init) => {
    requests.push(JSON.parse(init.body).operationName);
    return fetch(input, init);
  },
});
const client = new ApolloClient({ link, cache: threadpressCache() });

const POSTS = gql(readmeDocument("PostsPage"));
const COMMENTS = gql`
  query Comments($id: ID!, $after: String) {
    post(id: $id) {
      id
      comments(first: 2, after: $after) {
        pageInfo { hasNextPage endCursor }
        edges { cursor node { id authorName replyCount } }
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
        edges { cursor node { id authorName depth } }
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
        edges { cursor node { id depth parent { id } authorName } }
      }
    }
  }
`;
const COUNT = gql`
  query Count($id: ID!) { post(id: $id) { id commentCount } }
`;
const SUBMIT = gql`
  mutation Submit($input: SubmitCommentInput!) {
    submitComment(input: $input) {
      moderationStatus
      comment { id content post { id commentCount } }
      errors { field code }
    }
  }
`;

const subscriptions = [];

/** A watched query: every result it delivers, as a component rendering it would see them. */
function watch(query, variables) {
  const observable = client.watchQuery({ query, variables });
  const watched = { observable, results: [], wake: () => {} };
  subscriptions.push(
    observable.subscribe({
      next: (result) => {
        watched.results.push(result);
        watched.wake();
      },
      error: (error) => fail(`Apollo: ${error.message}`),
    }),
  );
  return watched;
}

/** The first complete, settled result delivered from index `start` on. */
async function settled(watched, start) {
  for (;;) {
    const found = watched.results
      .slice(start)
      .find((result) => result.dataState === "complete" && result.networkStatus === NetworkStatus.ready);
    if (found) return found;
    await new Promise((resolve) => {
      watched.wake = resolve;
    });
  }
}

/** Two pages of one connection: the sizes the watcher sees before and after fetchMore. */
async function twoPages(query, variables, connectionOf) {
  const watched = watch(query, variables);
  const first = connectionOf((await settled(watched, 0)).data);
  const start = watched.results.length;
  await watched.observable.fetchMore({ variables: { after: first.pageInfo.endCursor } });
  const merged = connectionOf((await settled(watched, start)).data);
  return {
    sizes: [first.edges.length, merged.edges.length],
    ids: merged.edges.map((edge) => edge.node.id),
    cursors: merged.edges.map((edge) => edge.cursor),
    hasNextPage: merged.pageInfo.hasNextPage,
  };
}

const posts = await twoPages(POSTS, { first: 2 }, (data) => data.posts);
const comments = await twoPages(COMMENTS, { id: params.mainPost }, (data) => data.post.comments);
const replies = await twoPages(REPLIES, { id: params.topComment }, (data) => data.comment.replies);
const thread = await twoPages(THREAD, { id: params.mainPost }, (data) => data.post.commentThread);

const stored = client.cache.extract();
const commentEntries = Object.keys(stored).filter((key) => key.startsWith("Comment:"));
const seen = new Set([...comments.ids, ...replies.ids, ...thread.ids, params.topComment]);

// A mutation's answer lands on the normalised Post: the watched count changes by itself.
const counted = watch(COUNT, { id: params.livePost });
const before = (await settled(counted, 0)).data.post.commentCount;
const requestsBefore = requests.length;
const resultsBefore = counted.results.length;
const mutation = await client.mutate({
  mutation: SUBMIT,
  variables: {
    input: {
      postId: params.livePost,
      authorName: "Regular",
      authorEmail: params.email,
      content: `From Apollo ${Date.now()}`,
    },
  },
});
const after = (await settled(counted, resultsBefore)).data.post.commentCount;

for (const subscription of subscriptions) subscription.unsubscribe();
client.stop();

report({
  posts,
  comments,
  replies,
  thread,
  commentEntries: commentEntries.length,
  distinctComments: seen.size,
  topCommentEntry: stored[`Comment:${params.topComment}`]?.id ?? null,
  mutation: {
    moderationStatus: mutation.data.submitComment.moderationStatus,
    errors: mutation.data.submitComment.errors,
    countBefore: before,
    countAfter: after,
    requestsForIt: requests.slice(requestsBefore),
  },
});
