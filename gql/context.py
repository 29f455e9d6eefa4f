"""The per-request context: the request, the time the request reads at, and its loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo
from tortoise import timezone

from gql.loaders import Loaders


@dataclass
class Context:
    """Everything a resolver may use. Built fresh for every request, so loaders never share
    a cache between requests."""

    request: Request | WebSocket
    response: Response | WebSocket | None
    now: datetime = field(default_factory=timezone.now)
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        # One clock per request: a scheduled post never flickers in and out mid-response.
        self.loaders = Loaders(now=self.now)


Info = StrawberryInfo[Context, None]
