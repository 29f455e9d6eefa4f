"""Small concepts every domain shares: global IDs, the Node interface, enums and orderings,
permissions and API tokens, the client's address, rate limits, slug and input rules, serialised
writes, the operation's kind, a PostgreSQL LISTEN connection, the request-scoped DataLoader,
and the fields every domain's reads are made of: connection fields (`connection_field`) and
the root queries of slugged entities (`slugged`).

Imports nothing of `gql` but `gql.errors`, `gql.settings`, `gql.pagination` and
`gql.engine.internals`.
"""
