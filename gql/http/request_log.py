"""One JSON log line per request: method, path, operation name, status, duration and a
request id that every other line logged for the request repeats.

The request id is the client's (or the proxy's) `X-Request-Id` when it is short and plain,
else a new one; it is echoed in the response's `X-Request-Id`, so a client's report, the
proxy's log and these lines can be joined.
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gql.core.request_id import bind_request_id, current_request_id, unbind_request_id

access_logger = logging.getLogger("threadpress.access")

REQUEST_ID_HEADER = "X-Request-Id"
# Short and plain: what proxies (nginx's $request_id, a UUID) and tracing tools send. Anything
# else (spaces, quotes, control characters, kilobytes) is replaced, never logged or echoed.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:/+=@-]{1,128}")


def sane_request_id(raw: str | None) -> str | None:
    """`raw` when it may serve as a request id, else None."""
    if raw is not None and _SANE_REQUEST_ID.fullmatch(raw):
        return raw
    return None


class JsonFormatter(logging.Formatter):
    """Log records as one JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        # Lines logged while serving a request carry its id, whoever logs them.
        request_id = getattr(record, "request_id", None)
        if request_id:
            entry["request_id"] = request_id
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class RequestIdFilter(logging.Filter):
    """Stamps each record with the id of the request being served when it was made (the
    formatter may run later, outside the request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


def logging_config(level: str = "info") -> dict[str, Any]:
    """The server's logging, as `logging.config.dictConfig` takes it: JSON lines on stderr.
    uvicorn applies it again in each worker process it starts (`--workers N`), which
    begin with no logging configured."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": f"{__name__}.RequestIdFilter"}},
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": ["request_id"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": level.upper()},
    }


def configure_logging(level: str = "info") -> None:
    """Send the server's logs to stderr as JSON lines."""
    logging.config.dictConfig(logging_config(level))


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            return sane_request_id(value.decode("latin-1"))
    return None


class RequestLogMiddleware:
    """Gives each request its id, echoes it in `X-Request-Id`, and writes the access log
    line once the response has been sent; `observe(scope, status, seconds)`, when given,
    records it for /metrics (one clock and one status for both)."""

    def __init__(
        self, app: ASGIApp, observe: Callable[[Scope, int, float], None] | None = None
    ) -> None:
        self.app = app
        self.observe = observe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        request_id = _incoming_request_id(scope) or uuid.uuid4().hex
        state = scope.setdefault("state", {})
        # On the scope for the crash handler, which answers outside this middleware.
        state["request_id"] = request_id
        token = bind_request_id(request_id)

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            seconds = time.perf_counter() - started
            access_logger.info(
                "request",
                extra={
                    "request_id": request_id,
                    "fields": {
                        "method": scope["method"],
                        "path": scope["path"],
                        "operation": state.get("operation_name"),
                        "status": status,
                        "duration_ms": round(seconds * 1000, 2),
                    },
                },
            )
            unbind_request_id(token)
            if self.observe is not None:
                self.observe(scope, status, seconds)
