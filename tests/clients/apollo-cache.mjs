import { InMemoryCache } from "@apollo/client";
import { relayStylePagination } from "@apollo/client/utilities";

// Every object with an `id` is normalised by `__typename` and `id` (Apollo's default).
// Every connection pages with relayStylePagination: `fetchMore({ variables: { after } })`
// appends the next page's `edges` (select `edges { cursor node { ... } }`: the policy merges
// edges, not `nodes`). Arguments other than the page's (`where`, `orderBy`, `status`) keep
// separate lists.
export function threadpressCache() {
  return new InMemoryCache({
    typePolicies: {
      Query: {
        fields: {
          posts: relayStylePagination(["where", "orderBy"]),
          authors: relayStylePagination(),
          categories: relayStylePagination(),
          tags: relayStylePagination(),
          pages: relayStylePagination(["where"]),
          moderationQueue: relayStylePagination(["status"]),
        },
      },
      Author: { fields: { posts: relayStylePagination() } },
      Category: { fields: { posts: relayStylePagination() } },
      Tag: { fields: { posts: relayStylePagination() } },
      Post: {
        fields: {
          comments: relayStylePagination(),
          commentThread: relayStylePagination(),
        },
      },
      Comment: { fields: { replies: relayStylePagination() } },
    },
  });
}
