// graphql-request 7 (the README's Node client for scripts and builds): queries and the
// submitComment mutation with its default settings.
import { endpoint, params, report } from "./lib.mjs";
import { GraphQLClient, gql } from "graphql-request";

const client = new GraphQLClient(endpoint);

const POSTS = gql`
  query Posts($after: String) {
    posts(first: 2, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { id title author { id name } }
    }
  }
`;
const THREAD = gql`
  query Thread($id: ID!) {
    post(id: $id) {
      id
      comments(first: 10) { nodes { id authorName replies { nodes { id authorName } } } }
    }
  }
`;
const SUBMIT = gql`
  mutation Submit($input: SubmitCommentInput!) {
    submitComment(input: $input) {
      moderationStatus
      comment { id depth authorName parent { id } }
      errors { field code }
    }
  }
`;

const first = await client.request(POSTS);
const second = await client.request(POSTS, { after: first.posts.pageInfo.endCursor });
const thread = await client.request(THREAD, { id: params.mainPost });
const submitted = await client.request(SUBMIT, {
  input: {
    postId: params.livePost,
    parentId: params.liveComment,
    authorName: "Regular",
    authorEmail: params.email,
    content: `A reply from graphql-request ${Date.now()}`,
  },
});

report({
  posts: [...first.posts.nodes, ...second.posts.nodes].map((post) => post.id),
  authors: [...new Set(first.posts.nodes.map((post) => post.author.name))],
  topLevel: thread.post.comments.nodes.map((comment) => comment.id),
  replies: thread.post.comments.nodes[0].replies.nodes.map((reply) => reply.id),
  submitted: submitted.submitComment,
});
