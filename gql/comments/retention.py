"""Erasing commenters' addresses and user agents once they are older than the retention
period, in the background of every server process (and by `threadpress purge-addresses`
from cron). Running it in several processes at once is harmless: it only clears columns."""

from __future__ import annotations

import asyncio
import logging

from tortoise import timezone

from gql.comments.privacy import purge_addresses

FIRST_RUN_SECONDS = 60.0  # let the server settle first
EVERY_SECONDS = 3600.0

logger = logging.getLogger("threadpress.retention")


async def purge_now(retention_days: int) -> int:
    """One pass; how many comments lost their address or user agent."""
    purged = await purge_addresses(timezone.now(), retention_days)
    if purged:
        logger.info("erased addresses of %d comments older than %d days", purged, retention_days)
    return purged


async def retention_loop(retention_days: int) -> None:
    """Purge after a minute, then every hour, until cancelled; a failed pass is logged and
    tried again at the next one."""
    await asyncio.sleep(FIRST_RUN_SECONDS)
    while True:
        try:
            await purge_now(retention_days)
        except Exception:
            logger.exception("address retention pass failed")
        await asyncio.sleep(EVERY_SECONDS)
