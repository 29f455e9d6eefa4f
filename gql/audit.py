"""Recording writes in the audit log, inside the write's own transaction."""

from __future__ import annotations

from typing import Any

import models
from gql.permissions import Viewer


async def record(
    connection: Any, viewer: Viewer, action: str, target: str, details: str = ""
) -> None:
    """Log that `viewer` did `action` to `target` (e.g. `post.publish`, `Post:12`)."""
    await models.AuditEntry.create(
        actor=viewer.name, action=action, target=target, details=details[:2000], using_db=connection
    )
