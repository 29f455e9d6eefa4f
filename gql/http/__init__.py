"""The HTTP station: the GraphQL view and its content negotiation, the WebSocket transport,
the middleware every request passes (request log and metrics, security headers, CORS, CSRF, body
limit, ETags), GraphiQL, health probes and the errors the HTTP layer answers itself.

May import everything below it (schema, cache, context, core, settings, models); nothing below
imports it, except `gql.app`, which assembles it.
"""
