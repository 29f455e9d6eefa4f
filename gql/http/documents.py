"""Plain-HTTP documents (feeds, sitemaps: `gql.site.documents`) as GraphQL's GET answers are
served: from the response cache when it holds them, kept there with the tags of what they
read, with an `ETag` (`304 Not Modified` for a client that holds it), `Cache-Control` and
`Cache-Tag`/`Surrogate-Key` for CDNs, and headers alone for `HEAD`.

A document is the same for everyone (it shows only public content and reads no viewer), so
credentials change nothing; the query string changes nothing either (`?page=2` is the same
feed), so junk parameters neither fail nor fill the cache. Its cache key is the path and the
origins its addresses are built on. An address that no document has, or that no database
could look up (control characters, text no encoding carries, a very long one), is 404.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from tortoise import timezone

from gql.cache.dependencies import Dependencies
from gql.cache.store import CachedResponse, cache_key
from gql.core.origins import public_origin, site_origin
from gql.http.etags import entity_tag, if_none_match_holds
from gql.loaders import Loaders
from gql.settings import Settings
from gql.site.documents import Origins, Reading, Render

RSS = "application/rss+xml"
ATOM = "application/atom+xml"
XML = "application/xml"
LONGEST_PATH = 2000


def origins_of(request: Request, settings: Settings) -> Origins:
    """The configured origins, or the one the request came to (`gql.core.origins`)."""
    return Origins(site=site_origin(settings, request), public=public_origin(settings, request))


def _lookable(path: str) -> bool:
    """Whether `path` can be looked up at all: printable, UTF-8, not absurdly long."""
    if len(path) > LONGEST_PATH or any(ord(char) < 0x20 or ord(char) == 0x7F for char in path):
        return False
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True


def document_endpoint(render: Render, media_type: str) -> Callable[[Request], Awaitable[Response]]:
    """A Starlette endpoint answering `render`'s document, as `media_type`."""
    content_type = f"{media_type}; charset=utf-8"

    async def endpoint(request: Request) -> Response:
        settings: Settings = request.app.state.settings
        cache = request.app.state.response_cache
        path = request.url.path
        if not _lookable(path):
            raise HTTPException(404)
        origins = origins_of(request, settings)
        key = cache_key("DOCUMENT", f"{origins.site}\n{origins.public}\n{path}".encode())
        hit = await cache.lookup(key) if cache is not None else None
        if hit is not None:
            body, tags = hit.body, hit.tags
        else:
            since = await cache.begin() if cache is not None else None
            now = timezone.now()
            reading = Reading(Loaders(now, Dependencies()), origins, path, settings.site_title)
            try:
                rendered = await render(reading)
            finally:
                reading.loaders.close()
            if rendered is None:
                raise HTTPException(404)
            body, tags = rendered, tuple(sorted(reading.depends.tags))
            if cache is not None and since is not None:
                kept = CachedResponse(body, tags)
                await cache.keep(key, kept, since=since.sequence, now=now)
        return _answer(request, body, tags, content_type, settings.http_cache_control)

    return endpoint


def _answer(
    request: Request, body: bytes, tags: tuple[str, ...], content_type: str, cache_control: str
) -> Response:
    etag = entity_tag(body)
    headers = {
        "ETag": etag,
        "Cache-Control": cache_control,
        "Cache-Tag": ",".join(tags),
        "Surrogate-Key": " ".join(tags),
    }
    if if_none_match_holds(request.headers.get("if-none-match", ""), etag):
        return Response(status_code=304, headers=headers)
    response = Response(body, headers={**headers, "Content-Type": content_type})
    if request.method == "HEAD":
        response.body = b""  # the headers (Content-Length too) are the GET's
    return response
