"""The Relay `Node` interface."""

from __future__ import annotations

import strawberry


@strawberry.interface(description="An object with a global ID (Relay object identification).")
class Node:
    id: strawberry.ID = strawberry.field(
        description="Opaque global ID; pass it to `Query.node` to fetch the object again."
    )
