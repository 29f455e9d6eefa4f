"""Documents of the site served over plain HTTP rather than GraphQL (feeds, sitemaps): what
rendering one reads with, and what it answers. `gql.http.documents` serves them: the
response cache, `ETag` and `304`, `HEAD`.

A document is rendered from the same loaders as a GraphQL answer, so it records the same
cache tags (`gql.cache.dependencies`) and is dropped by exactly the writes that drop a
GraphQL answer that read the same rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from gql.cache.dependencies import Dependencies
from gql.loaders import Loaders

# What an address may carry unescaped (RFC 3986's reserved and unreserved characters, and
# `%` so an address already escaped stays as it is); anything else, such as a non-ASCII
# slug, is percent-encoded as UTF-8.
_URL_SAFE = "/:@!$&'()*+,;=-._~%?#"

# Entry and feed ids (`urn:uuid:`, RFC 4122 name-based): derived from the site's origin and
# the node's type and key, so an id never changes when a post's title, slug or address does.
_ID_NAMESPACE = uuid.UUID("5d1c3d0e-2f55-4c1e-9a55-7b0c3f1d2a47")


@dataclass(frozen=True)
class Origins:
    """Where addresses point: `site` is the public site (`THREADPRESS_SITE_URL`), `public`
    this API server (`THREADPRESS_PUBLIC_URL`); either is the request's origin when unset."""

    site: str
    public: str

    def page(self, uri: str) -> str:
        """The absolute address of a page of the site: the site's origin plus `uri`."""
        return self.site + quote(uri, safe=_URL_SAFE)

    def own(self, path: str) -> str:
        """The absolute address of a document this server serves (a feed, a sitemap)."""
        return self.public + quote(path, safe=_URL_SAFE)

    def stable_id(self, name: str) -> str:
        """A permanent id for `name` ("Post:12") on this site, as a URN."""
        return f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, self.site + '#' + name)}"


@dataclass(frozen=True)
class Reading:
    """What one document reads with: the request's loaders (its clock and its cache
    dependencies), the origins, and the path it was asked at."""

    loaders: Loaders
    origins: Origins
    path: str
    site_title: str

    @property
    def now(self) -> datetime:
        """The request's clock (scheduled posts are public once it has passed their date)."""
        return self.loaders.now

    @property
    def depends(self) -> Dependencies:
        """What the document read, for the response cache."""
        return self.loaders.depends


Render = Callable[[Reading], Awaitable[bytes | None]]
"""Renders the document at `reading.path`: its bytes, or None when there is none (404)."""
