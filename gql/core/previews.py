"""Front-end previews of drafts: a signed, expiring token that lets whoever holds it read one
node (a post or a page) whatever its status, through the same `post(...)` or `page(...)`
query the front end uses for published content (see `gql.site.previews` for the links editors make).

A token opens exactly the node it names (`Post:12`), never another, and an answer read with
one is private to its holder: never cached or shared.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol, TypeVar

from gql.core.addresses import Address
from gql.core.ids import pk_of
from gql.core.signed import Signer

if TYPE_CHECKING:
    from gql.context import Info

NODE_PREVIEW = Signer("threadpress.node-preview.v1")


def preview_subject(typename: str, pk: int) -> str:
    """What a node's preview token names."""
    return f"{typename}:{pk}"


def previewed_pk(secret: str, token: str, typename: str) -> int | None:
    """The key of the `typename` node `token` opens, if it is a valid, unexpired preview
    token for one."""
    subject = NODE_PREVIEW.subject(secret, token)
    if subject is None:
        return None
    kind, _, pk = subject.partition(":")
    return int(pk) if kind == typename and pk.isdigit() and len(pk) <= 18 else None


class Previewed(Protocol):
    """What a previewable row has (a post's or a page's): its key, slug and address."""

    @property
    def id(self) -> int: ...
    @property
    def slug(self) -> str: ...
    @property
    def uri(self) -> str: ...


RowT = TypeVar("RowT", bound=Previewed)


async def opened_by(
    info: Info,
    token: str,
    typename: str,
    load: Callable[[int], Awaitable[RowT | None]],
    *,
    id: str | None = None,
    slug: str | None = None,
    uri: str | None = None,
) -> RowT | None:
    """The `typename` row `token` opens (read by `load`, whatever its status), when it is
    the one asked for by `id`, `slug` or `uri`; the answer, whatever it is, is for the
    token's holder only (never cached or shared)."""
    info.context.depends.private()
    pk = previewed_pk(info.context.settings.secret_key, token, typename)
    row = await load(pk) if pk is not None else None
    if row is None:
        return None
    asked = (
        (id is not None and pk_of(id, typename) == row.id)
        or (slug is not None and slug == row.slug)
        or (uri is not None and Address.parse(uri).path == row.uri)
    )
    return row if asked else None
