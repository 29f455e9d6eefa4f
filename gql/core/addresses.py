"""Addresses of the site as `resolveUri` reads them, and what a domain answers for one.

Each domain that owns public addresses (posts, categories, authors; tags and pages next)
writes one lookup, `async (info, address) -> Found | None`; `gql.site.addresses` asks them in
turn. A lookup that does not own the address answers None without a query; one that owns it
records its own response-cache dependency (the row found, or its list when nothing is).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from gql.errors import text_argument

if TYPE_CHECKING:
    from gql.core.node import Node

SHORTLINK_PARAMETERS = ("p", "page_id", "attachment_id")
"""WordPress's shortlink parameters (`/?p=ID`), the only query parameters an address keeps."""


@dataclass(frozen=True)
class Address:
    """A path of the site, normalised ("/a/b/": one leading and one trailing slash), and the
    shortlink parameters it carries."""

    path: str
    shortlink: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def parse(cls, raw: str) -> Address:
        """The address in `raw`: a path ("/2017/03/04/x", "about/team/"), or a whole URL
        of the old or new site (its origin is ignored); `?p=`, `?page_id=` and
        `?attachment_id=` are kept, other parameters and the fragment dropped."""
        parts = urlsplit(text_argument(raw.strip(), "uri"))
        path = "/" + parts.path.strip("/")
        parameters = {
            name: value
            for name, value in parse_qsl(parts.query)
            if name in SHORTLINK_PARAMETERS and value.isdigit()
        }
        return cls(path=path if path == "/" else path + "/", shortlink=MappingProxyType(parameters))

    def shortlink_id(self, parameter: str) -> int | None:
        """The id in `?<parameter>=ID`, when the address is such a shortlink."""
        value = self.shortlink.get(parameter)
        return int(value) if value is not None and len(value) <= 18 else None

    def in_archive(self, archive: str) -> str | None:
        """The last segment of the path when it sits under `archive` ("/category/"): the
        slug of an archive's node, however the path nests."""
        if self.shortlink or not self.path.startswith(archive) or self.path == archive:
            return None
        return self.path.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Found:
    """What a lookup found at an address: the node, and its address now (an old address,
    a shortlink or a differently nested path answers with a redirect to it)."""

    node: Node | Any
    uri: str
