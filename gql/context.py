"""The per-request context: the request, its clock, its loaders, and the app's services."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo
from tortoise import timezone

from gql.cache.dependencies import Dependencies
from gql.cache.replica import ReplicaReads
from gql.cache.response_cache import ResponseCache
from gql.core.client_ip import client_ip
from gql.core.permissions import Permission, Viewer
from gql.core.rate_limit import RateLimiter
from gql.live import Live, LiveEvent
from gql.loaders import Loaders
from gql.settings import Settings


@dataclass
class SubmissionTally:
    """`submitComment` attempts of this request: when every one was rate limited the whole
    request is answered 429 with `Retry-After`."""

    attempts: int = 0
    rate_limited: int = 0
    retry_after: int = 0


@dataclass
class Context:
    """Everything a resolver may use. Built fresh for every request, so loaders never share
    a cache between requests."""

    request: Request | WebSocket
    response: Response | WebSocket | None
    now: datetime = field(default_factory=timezone.now)
    loaders: Loaders = field(init=False)
    submissions: SubmissionTally = field(default_factory=SubmissionTally)
    # Who sent the request (its API token's holder); None for the anonymous public.
    viewer: Viewer | None = None
    # What the response read, for the response cache and its Cache-Tag header.
    depends: Dependencies = field(default_factory=Dependencies)
    # A WebSocket's `connection_init` payload (Strawberry sets it), and why the credentials
    # of the connection were refused: a WebSocket learns that at `connection_init`.
    connection_params: object = None
    refusal: str | None = None
    # The replica's replay position when this request read the replica (None: the primary).
    replica_lsn: int | None = None

    def __post_init__(self) -> None:
        # One clock per request: a scheduled post never flickers in and out mid-response.
        see_drafts = self.viewer is not None and Permission.WRITE_CONTENT in self.viewer.permissions
        self.loaders = Loaders(now=self.now, depends=self.depends, see_drafts=see_drafts)

    def refresh(self) -> None:
        """A new clock and new loaders. A subscription's context lives as long as its
        connection: each event it delivers reads afresh, never from an earlier one's cache."""
        self.now = timezone.now()
        self.depends = Dependencies()
        self.__post_init__()

    def restart_reads(self) -> None:
        """Fresh loaders and a fresh record of what was read, on the same clock: the
        executor runs an operation again after a failed level-by-level run, and the rerun
        must read and answer exactly as a first run does (nothing the failed run loaded,
        began loading or recorded may reach it)."""
        self.loaders.close()
        self.depends = Dependencies()
        self.__post_init__()

    @property
    def settings(self) -> Settings:
        """The app's settings."""
        settings: Settings = self.request.app.state.settings
        return settings

    @property
    def comment_rate_limiter(self) -> RateLimiter:
        """The app's limiter of comment submissions per client address."""
        limiter: RateLimiter = self.request.app.state.comment_rate_limiter
        return limiter

    @property
    def replica(self) -> ReplicaReads | None:
        """The read replica's state, when one is configured."""
        replica: ReplicaReads | None = getattr(self.request.app.state, "replica", None)
        return replica

    async def written(self, tags: Collection[str]) -> None:
        """A write of this request committed: invalidate the cached answers it changed, and
        with a replica, make this client's next reads wait for the write's WAL position."""
        cache: ResponseCache | None = self.request.app.state.response_cache
        replica = self.replica
        # A write the public cannot see (a held comment, an audit entry) needs neither: its
        # writer reads it back through the primary anyway (a preview, a token).
        lsn = await replica.written_lsn() if replica is not None and tags else None
        if cache is not None:
            await cache.written(tags, lsn or 0)
        if replica is not None and lsn is not None and self.client_ip:
            await replica.remember_writer(self.client_ip, lsn)

    @property
    def live(self) -> Live:
        """The app's live subscriptions."""
        live: Live = self.request.app.state.live
        return live

    async def announce(self, *events: LiveEvent) -> None:
        """A write of this request committed: tell live subscribers, in every process."""
        await self.live.publish(*events)

    @cached_property
    def client_ip(self) -> str | None:
        """The client's address (see `gql.core.client_ip`)."""
        return client_ip(self.request, self.settings.trusted_proxies)

    @property
    def user_agent(self) -> str | None:
        """The client's User-Agent header, cut to what is stored."""
        agent = self.request.headers.get("user-agent")
        return agent[:255] if agent else None


Info = StrawberryInfo[Context, None]
