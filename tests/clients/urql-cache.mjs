import { relayPagination } from "@urql/exchange-graphcache/extras";

// Objects with an `id` are keyed by it (graphcache's default); connections, edges and
// PageInfo are embedded by graphcache itself. The types below have no `id`: they are
// embedded in their parent (a key of null), which silences graphcache's "Invalid key"
// warnings. Each connection pages with relayPagination: querying with `after` returns the
// pages so far, merged. Use it as
// `new Client({ url, exchanges: [cacheExchange(threadpressCache), fetchExchange] })`.
const embedded = () => null;

export const threadpressCache = {
  keys: {
    AuthorPayload: embedded,
    CategoryPayload: embedded,
    ChangeFeed: embedded,
    CommentPayload: embedded,
    CommenterErasePayload: embedded,
    CommenterExportPayload: embedded,
    DeletePayload: embedded,
    MediaItemPayload: embedded,
    MediaSize: embedded,
    MenuPayload: embedded,
    ModerateCommentsPayload: embedded,
    ModerationItem: embedded,
    ModerationQueueEvent: embedded,
    PagePayload: embedded,
    PostPayload: embedded,
    PreviewLinkPayload: embedded,
    Seo: embedded,
    SubmitCommentPayload: embedded,
    TagPayload: embedded,
    UriResolution: embedded,
    UserError: embedded,
    Viewer: embedded,
  },
  resolvers: {
    Query: {
      posts: relayPagination(),
      authors: relayPagination(),
      categories: relayPagination(),
      tags: relayPagination(),
      pages: relayPagination(),
      mediaItems: relayPagination(),
      moderationQueue: relayPagination(),
    },
    Author: { posts: relayPagination() },
    Category: { posts: relayPagination() },
    Tag: { posts: relayPagination() },
    Post: { comments: relayPagination(), commentThread: relayPagination() },
    Comment: { replies: relayPagination() },
  },
};
