"""Front-end previews of drafts: a signed, expiring token that lets whoever holds it read one
node (a post; pages next) whatever its status, through the same `post(...)` query the front
end uses for published content (see `gql.site.previews` for the links editors make).

A token opens exactly the node it names (`Post:12`), never another, and an answer read with
one is private to its holder: never cached or shared.
"""

from __future__ import annotations

from gql.core.signed import Signer

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
