"""Small concepts every domain shares: global IDs, the Node interface, enums and orderings,
permissions and API tokens, the client's address, rate limits, slug and input rules, serialised
writes, the operation's kind, a PostgreSQL LISTEN connection and the request-scoped DataLoader.

Imports nothing of `gql` but `gql.errors`, `gql.settings`, `gql.pagination` and
`gql.engine.internals`.
"""
