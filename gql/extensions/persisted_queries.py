"""Persisted queries: Apollo's automatic persisted queries protocol, and an allow-list mode
for production where only registered documents run.

A client sends `extensions.persistedQuery = {version: 1, sha256Hash}` (over GET or POST),
with the document or without it:
- without it: the server runs the document it knows by that hash, or answers
  `PERSISTED_QUERY_NOT_FOUND`, and the client sends the hash again with the document;
- with it: the hash must be the document's SHA-256; the server remembers the document (in
  memory, or in Redis so every process knows it).
In `allowlist` mode only documents registered in `THREADPRESS_PERSISTED_QUERIES_FILE` run,
sent by hash or in full; anything else is `PERSISTED_QUERY_NOT_ALLOWED`. The file is an
Apollo persisted query manifest (`{"operations": [{"id", "body", ...}]}`) or a plain
`{"<sha256>": "<document>"}` object; every hash is checked when the server starts.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any, Protocol

import coredis
from cachetools import LRUCache

from gql.settings import PersistedQueryMode, Settings, SettingsError

SHA256_HEX = re.compile(r"[0-9a-f]{64}")
MEMORY_DOCUMENTS = 10_000
REDIS_DOCUMENT_SECONDS = 30 * 24 * 3600


class PersistedQueryError(Exception):
    """A persisted-query request that cannot run, with the contract's code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def document_hash(document: str) -> str:
    """The SHA-256 of a document, as clients compute it."""
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


class DocumentStore(Protocol):
    """Documents learnt from clients, by hash."""

    async def get(self, sha256: str) -> str | None:
        """The document with this hash, if known."""
        ...

    async def put(self, sha256: str, document: str) -> None:
        """Remember a document."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


class MemoryDocuments:
    """The most recently used documents of this process."""

    def __init__(self, capacity: int = MEMORY_DOCUMENTS) -> None:
        self.capacity = capacity
        self._documents: LRUCache[str, str] = LRUCache(maxsize=capacity)

    async def get(self, sha256: str) -> str | None:
        return self._documents.get(sha256)  # a hit is the most recently used from now on

    async def put(self, sha256: str, document: str) -> None:
        self._documents[sha256] = document  # the most recently used, learnt again or not

    async def close(self) -> None:
        self._documents.clear()


class RedisDocuments:
    """Documents shared by every process using the same Redis."""

    def __init__(self, redis_url: str, prefix: str = "threadpress:apq:") -> None:
        self._pool = coredis.ConnectionPool.from_url(redis_url)
        self._redis: coredis.Redis[bytes] = coredis.Redis(connection_pool=self._pool)
        self._prefix = prefix

    async def get(self, sha256: str) -> str | None:
        value = await self._redis.get(self._prefix + sha256)
        return value.decode("utf-8") if value is not None else None

    async def put(self, sha256: str, document: str) -> None:
        await self._redis.set(self._prefix + sha256, document, ex=REDIS_DOCUMENT_SECONDS)

    async def close(self) -> None:
        self._pool.disconnect()


def load_registered(path: Path) -> dict[str, str]:
    """The documents of a manifest file, by hash; a wrong hash fails the start."""
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SettingsError(
            f"THREADPRESS_PERSISTED_QUERIES_FILE: cannot read {path}: {error}"
        ) from None
    if isinstance(raw, dict) and isinstance(raw.get("operations"), list):
        pairs = [(op.get("id"), op.get("body")) for op in raw["operations"] if isinstance(op, dict)]
    elif isinstance(raw, dict):
        pairs = list(raw.items())
    else:
        pairs = []
    registered: dict[str, str] = {}
    for sha256, document in pairs:
        if not isinstance(sha256, str) or not isinstance(document, str):
            raise SettingsError(
                f"THREADPRESS_PERSISTED_QUERIES_FILE: {path} must map SHA-256 hashes to documents"
            )
        if document_hash(document) != sha256.lower():
            raise SettingsError(
                f"THREADPRESS_PERSISTED_QUERIES_FILE: {sha256} is not the SHA-256 of its document"
            )
        registered[sha256.lower()] = document
    return registered


class PersistedQueries:
    """Turns a request's document and `extensions` into the document to run."""

    def __init__(
        self, mode: PersistedQueryMode, registered: dict[str, str], learnt: DocumentStore
    ) -> None:
        self.mode = mode
        self.registered = registered
        self.learnt = learnt

    async def document(self, query: str | None, extensions: dict[str, Any] | None) -> str | None:
        """The document to run (None: the request has none), or `PersistedQueryError`."""
        persisted = (extensions or {}).get("persistedQuery")
        if self.mode == "off" or persisted is None:
            if self.mode == "allowlist" and query is not None:
                self._require_registered(document_hash(query))
            return query
        sha256 = _requested_hash(persisted)
        if query is None:
            known = self.registered.get(sha256)
            if known is None and self.mode == "apq":
                known = await self.learnt.get(sha256)
            if known is None:
                if self.mode == "allowlist":
                    raise PersistedQueryError(
                        "PERSISTED_QUERY_NOT_ALLOWED", "Only registered documents may run."
                    )
                raise PersistedQueryError("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
            return known
        if document_hash(query) != sha256:
            raise PersistedQueryError("BAD_REQUEST", "provided sha does not match query")
        if self.mode == "allowlist":
            self._require_registered(sha256)
        elif sha256 not in self.registered:
            await self.learnt.put(sha256, query)
        return query

    def _require_registered(self, sha256: str) -> None:
        if sha256 not in self.registered:
            raise PersistedQueryError(
                "PERSISTED_QUERY_NOT_ALLOWED", "Only registered documents may run."
            )

    async def close(self) -> None:
        """Release the store's connections."""
        await self.learnt.close()


def _requested_hash(persisted: object) -> str:
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise PersistedQueryError(
            "BAD_REQUEST", "extensions.persistedQuery must be {version: 1, sha256Hash: ...}."
        )
    sha256 = persisted.get("sha256Hash")
    if not isinstance(sha256, str) or not SHA256_HEX.fullmatch(sha256.lower()):
        raise PersistedQueryError(
            "BAD_REQUEST", "extensions.persistedQuery.sha256Hash must be 64 hexadecimal digits."
        )
    return sha256.lower()


def build_persisted_queries(settings: Settings) -> PersistedQueries:
    """Persisted queries as the settings ask."""
    registered = (
        load_registered(settings.persisted_queries_file) if settings.persisted_queries_file else {}
    )
    learnt: DocumentStore = (
        RedisDocuments(settings.redis_url) if settings.redis_url else MemoryDocuments()
    )
    return PersistedQueries(settings.persisted_queries, registered, learnt)
