"""Content negotiation: which form of answer a request's `Accept` header asks for.

Two forms exist: one JSON document (`application/graphql-response+json` or
`application/json`, per GraphQL over HTTP) and an event stream (graphql-sse's "distinct
connections" mode: a subscription's results, or a query's or mutation's one result followed
by `complete`). The client's q-values decide, then its order:
- JSON whenever a JSON type is acceptable and ranks at least as high as the event stream
  (urql's default `Accept` lists both at q=1: it gets JSON);
- the event stream only when it ranks higher, or is the only one acceptable. It must be
  named: a wildcard (`*/*`) never asks for a stream the client may not read;
- `application/graphql-response+json` only when named; `application/json` for wildcards,
  for no `Accept` at all and for an `Accept` that names nothing we serve (the spec lets a
  server disregard `Accept` rather than answer 406).

A module of its own, below the view: the error handlers, the metrics and the cache answer in
the negotiated type too, without importing the view.

Parsing is werkzeug's (RFC 9110: quality values, parameters, wildcards, invalid `q` skipped),
well kept and already what Flask serves with; the ranking above is ours.
"""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
EVENT_STREAM = "text/event-stream"
JSON_TYPES = (GRAPHQL_RESPONSE_JSON, JSON)


@dataclass(frozen=True)
class Negotiated:
    """What a request accepts: the JSON type to answer with, and how much it wants each form
    (0: not acceptable)."""

    json: str
    json_quality: float
    event_stream_quality: float

    @property
    def accepts_event_stream(self) -> bool:
        """Whether an event stream is acceptable at all (named with q > 0)."""
        return self.event_stream_quality > 0

    @property
    def prefers_event_stream(self) -> bool:
        """Whether an event stream ranks above every JSON type (or is the only one
        acceptable): then even a query is answered as a stream."""
        return self.event_stream_quality > self.json_quality


def _parsed(accept: str | None) -> MIMEAccept:
    try:
        return parse_accept_header(accept, MIMEAccept)
    except ValueError:  # nothing in the header is a media range: as if it were absent
        return MIMEAccept(None)


def _ranked(accepted: MIMEAccept, media_type: str, *wildcards: str) -> tuple[float, int] | None:
    """The quality and rank of the most specific range that matches `media_type` itself
    (parameters aside) or one of `wildcards`: werkzeug lists the most specific first."""
    for rank, (value, quality) in enumerate(accepted):
        if value.split(";", 1)[0].strip().lower() in (media_type, *wildcards):
            return quality, rank
    return None


def negotiated(accept: str | None) -> Negotiated:
    """The forms `accept` asks for (see the module's docstring)."""
    accepted = _parsed(accept)
    # Candidates as (quality, -rank): the higher quality first, then the one listed first
    # (werkzeug keeps the client's order among ranges of one specificity and quality).
    candidates: list[tuple[float, int, str]] = [(0.0, 0, JSON)]
    for media_type, wildcards in ((GRAPHQL_RESPONSE_JSON, ()), (JSON, ("*/*", "application/*"))):
        found = _ranked(accepted, media_type, *wildcards)
        if found is not None and found[0] > 0:
            candidates.append((found[0], -found[1], media_type))
    quality, _, media_type = max(candidates)
    stream = _ranked(accepted, EVENT_STREAM)
    return Negotiated(
        json=media_type,
        json_quality=quality,
        event_stream_quality=stream[0] if stream is not None else 0.0,
    )


def negotiate(accept: str | None) -> str:
    """The JSON media type to answer `accept` with (see the module's docstring)."""
    return negotiated(accept).json


def without_event_stream(accept: str) -> str:
    """`accept` less its `text/event-stream` ranges, for the JSON answer of a request that
    also named a stream (Strawberry streams whenever `Accept` names one, even at q=0)."""
    return ",".join(
        item for item in accept.split(",") if item.split(";", 1)[0].strip().lower() != EVENT_STREAM
    )


__all__ = [
    "EVENT_STREAM",
    "GRAPHQL_RESPONSE_JSON",
    "JSON",
    "JSON_TYPES",
    "Negotiated",
    "negotiate",
    "negotiated",
    "without_event_stream",
]
