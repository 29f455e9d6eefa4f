"""The two origins addresses are built on: the public site's (the front end, where content
lives: feeds, sitemaps, canonical and preview URLs) and this API server's own (feed
self-links, sitemap-index entries, links in emails). Each is its setting when set, else the
origin the request came to (so development needs no configuration)."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from gql.settings import Settings


def request_origin(request: HTTPConnection) -> str:
    """The origin (and root path) the request came to, without a trailing slash."""
    return str(request.base_url).rstrip("/")


def site_origin(settings: Settings, request: HTTPConnection) -> str:
    """`THREADPRESS_SITE_URL`, or the request's origin."""
    return settings.site_url or request_origin(request)


def public_origin(settings: Settings, request: HTTPConnection) -> str:
    """`THREADPRESS_PUBLIC_URL`, or the request's origin."""
    return settings.public_url or request_origin(request)
