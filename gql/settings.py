"""Typed settings, read from the environment only (variables named `THREADPRESS_*`).

Every variable is documented in the README. Parsing fails fast with a message naming the
variable, so a typo never starts a server with a silently different configuration.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from limits import RateLimitItem, parse

from models.config import database_url, is_postgres, is_sqlite, replica_url

Environment = Literal["development", "production"]
PersistedQueryMode = Literal["apq", "allowlist", "off"]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


LOOPBACK: tuple[Network, ...] = (
    ipaddress.ip_network("127.0.0.0/8"),
    ipaddress.ip_network("::1/128"),
)


class SettingsError(ValueError):
    """A setting in the environment has a value this program cannot use."""


@dataclass(frozen=True)
class Settings:
    """Everything the server reads from its environment."""

    database_url: str
    # A streaming replica of the primary for anonymous reads (PostgreSQL only).
    database_replica_url: str | None = None
    env: Environment = "development"
    graphiql: bool = True
    introspection: bool = True
    trusted_proxies: tuple[Network, ...] = field(default_factory=tuple)
    log_level: str = "info"
    secret_key: str = field(default="", repr=False)
    flood_seconds: int = 15
    comment_rate_limit: str = "5/minute"
    max_thread_depth: int = 10
    moderation_keywords: tuple[str, ...] = ()
    blocklist_keywords: tuple[str, ...] = ()
    preview_token_seconds: int = 7 * 24 * 3600
    preview_link_seconds: int = 24 * 3600
    redis_url: str | None = None
    # Limits of the public endpoint (see README, "Running in production").
    max_body_bytes: int = 512 * 1024
    max_tokens: int = 1000
    max_aliases: int = 15
    max_directives: int = 50
    max_field_repeats: int = 50
    max_query_depth: int = 0  # 0: derived from max_thread_depth (see `query_depth_limit`)
    max_cost: int = 200_000
    operation_timeout_seconds: float = 10.0
    cors_origins: tuple[str, ...] = ()
    # Addresses (see README, "Addresses"): the public site's origin (the front end, where
    # content addresses point: feeds, sitemaps, canonical URLs) and this API server's own
    # public origin (feed self-links, sitemap-index entries, links in emails). None: the
    # origin the request came to.
    site_url: str | None = None
    public_url: str | None = None
    # Caching (see README, "Caching").
    response_cache: bool = True
    response_cache_bytes: int = 64 * 1024 * 1024
    # Queries run level by level (gql/engine/executor.py); off runs graphql-core alone.
    batched_execution: bool = True
    http_cache_control: str = "public, max-age=0, must-revalidate"
    persisted_queries: PersistedQueryMode = "apq"
    persisted_queries_file: Path | None = None
    # Whether this process runs the background work: scheduled posts, webhook deliveries,
    # address retention (off for processes that only serve, and in tests).
    background_tasks: bool = True
    # Days a commenter's address and user agent are kept for moderation.
    ip_retention_days: int = 30
    # Server processes sharing this configuration (`threadpress serve --workers`).
    workers: int = 1
    # Who may read GET /metrics (client addresses, through trusted proxies); None: no
    # /metrics at all, and nothing is counted.
    metrics_allow: tuple[Network, ...] | None = LOOPBACK
    # Live comments (see README, "Live comments"): subscriptions one WebSocket may run at
    # once, and WebSocket plus event-stream connections one process holds at once.
    max_subscriptions_per_connection: int = 10
    max_subscriber_connections: int = 1000

    @property
    def query_depth_limit(self) -> int:
        """The deepest selection a document may nest: by default just deep enough for
        `post { comments { nodes { replies { nodes { ... } } } } }` down to the deepest reply
        a thread can have (`max_thread_depth` levels: post, comments, nodes, then replies
        and nodes per level below the top, then a field) with two more levels to spare
        (`parent { authorName }`); `commentThread` reads deeper threads."""
        if self.max_query_depth:
            return self.max_query_depth
        return 2 * self.max_thread_depth + 4

    @property
    def comment_rate_limit_item(self) -> RateLimitItem:
        """The comment rate limit, parsed."""
        return parse(self.comment_rate_limit)

    @property
    def is_production(self) -> bool:
        """Whether this is a production deployment."""
        return self.env == "production"


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be on/off (or true/false, 1/0), not {raw!r}")


def _networks(env: Mapping[str, str], name: str) -> tuple[Network, ...]:
    raw = env.get(name, "")
    networks: list[Network] = []
    for item in filter(None, (part.strip() for part in raw.split(","))):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as error:
            raise SettingsError(f"{name}: {item!r} is not an address or network") from error
    return tuple(networks)


def _int(env: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, not {value}")
    return value


def _origin(env: Mapping[str, str], name: str) -> str | None:
    """An http(s) origin, optionally with a path prefix ("https://example.org/blog"), kept
    without its trailing slash so that origin + uri is an address; None when unset."""
    raw = env.get(name, "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise SettingsError(
            f"{name} must be an http(s) address like 'https://example.org', not {raw!r}"
        )
    return raw.rstrip("/")


def _keywords(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Keywords separated by commas or new lines, compared case-insensitively."""
    raw = env.get(name, "")
    return tuple(k.strip().casefold() for k in re.split(r"[,\n]", raw) if k.strip())


def _rate_limit(env: Mapping[str, str], name: str, default: str) -> str:
    raw = env.get(name, "").strip() or default
    try:
        parse(raw)
    except ValueError:
        raise SettingsError(
            f"{name} must look like '5/minute' or '100 per hour', not {raw!r}"
        ) from None
    return raw


DEV_SECRET_FILE = Path(".threadpress") / "secret_key"
"""Where development keeps its generated secret, so preview tokens survive a restart."""


def _secret_key(env: Mapping[str, str], production: bool) -> str:
    configured = env.get("THREADPRESS_SECRET_KEY", "").strip()
    if configured:
        if len(configured) < 32:
            raise SettingsError("THREADPRESS_SECRET_KEY must be at least 32 characters long")
        return configured
    if production:
        raise SettingsError(
            "THREADPRESS_SECRET_KEY is required in production (it signs preview tokens): "
            "set it to a long random string, e.g. from `python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))'`"
        )
    try:
        return DEV_SECRET_FILE.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(48)
        DEV_SECRET_FILE.parent.mkdir(parents=True, exist_ok=True)
        DEV_SECRET_FILE.write_text(key + "\n", encoding="utf-8")
        DEV_SECRET_FILE.chmod(0o600)
        return key


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from `env` (default: the process environment)."""
    env = os.environ if env is None else env
    environment = env.get("THREADPRESS_ENV", "development").strip().lower() or "development"
    if environment not in ("development", "production"):
        raise SettingsError(
            f"THREADPRESS_ENV must be 'development' or 'production', not {environment!r}"
        )
    production = environment == "production"
    primary_url = database_url(env)
    return Settings(
        database_url=primary_url,
        database_replica_url=_replica_url(env, primary_url),
        env="production" if production else "development",
        site_url=_origin(env, "THREADPRESS_SITE_URL"),
        public_url=_origin(env, "THREADPRESS_PUBLIC_URL"),
        graphiql=_bool(env, "THREADPRESS_GRAPHIQL", not production),
        introspection=_bool(env, "THREADPRESS_INTROSPECTION", not production),
        trusted_proxies=_networks(env, "THREADPRESS_TRUSTED_PROXIES"),
        log_level=env.get("THREADPRESS_LOG_LEVEL", "info").strip().lower() or "info",
        secret_key=_secret_key(env, production),
        flood_seconds=_int(env, "THREADPRESS_FLOOD_SECONDS", 15, minimum=0),
        comment_rate_limit=_rate_limit(env, "THREADPRESS_COMMENT_RATE_LIMIT", "5/minute"),
        max_thread_depth=_int(env, "THREADPRESS_MAX_THREAD_DEPTH", 10, minimum=1),
        moderation_keywords=_keywords(env, "THREADPRESS_MODERATION_KEYWORDS"),
        blocklist_keywords=_keywords(env, "THREADPRESS_BLOCKLIST_KEYWORDS"),
        preview_token_seconds=_int(
            env, "THREADPRESS_PREVIEW_TOKEN_SECONDS", 7 * 24 * 3600, minimum=1
        ),
        preview_link_seconds=_int(env, "THREADPRESS_PREVIEW_LINK_SECONDS", 24 * 3600, minimum=1),
        redis_url=env.get("REDIS_URL", "").strip() or None,
        max_body_bytes=_int(env, "THREADPRESS_MAX_BODY_BYTES", 512 * 1024, minimum=1024),
        max_tokens=_int(env, "THREADPRESS_MAX_TOKENS", 1000, minimum=10),
        max_aliases=_int(env, "THREADPRESS_MAX_ALIASES", 15, minimum=0),
        max_directives=_int(env, "THREADPRESS_MAX_DIRECTIVES", 50, minimum=0),
        max_field_repeats=_int(env, "THREADPRESS_MAX_FIELD_REPEATS", 50, minimum=1),
        max_query_depth=_int(env, "THREADPRESS_MAX_QUERY_DEPTH", 0, minimum=0),
        max_cost=_int(env, "THREADPRESS_MAX_COST", 200_000, minimum=1),
        operation_timeout_seconds=float(
            _int(env, "THREADPRESS_OPERATION_TIMEOUT_MS", 10_000, minimum=1)
        )
        / 1000,
        cors_origins=tuple(
            origin.strip().rstrip("/")
            for origin in env.get("THREADPRESS_CORS_ORIGINS", "").split(",")
            if origin.strip()
        ),
        response_cache=_bool(env, "THREADPRESS_RESPONSE_CACHE", True),
        batched_execution=_bool(env, "THREADPRESS_BATCHED_EXECUTION", True),
        response_cache_bytes=_int(env, "THREADPRESS_RESPONSE_CACHE_MB", 64, minimum=1)
        * 1024
        * 1024,
        http_cache_control=env.get("THREADPRESS_HTTP_CACHE_CONTROL", "").strip()
        or "public, max-age=0, must-revalidate",
        persisted_queries=_persisted_query_mode(env),
        persisted_queries_file=_existing_file(env, "THREADPRESS_PERSISTED_QUERIES_FILE"),
        workers=_int(env, "THREADPRESS_WORKERS", 1, minimum=1),
        ip_retention_days=_int(env, "THREADPRESS_IP_RETENTION_DAYS", 30, minimum=1),
        background_tasks=_bool(env, "THREADPRESS_BACKGROUND_TASKS", True),
        metrics_allow=_metrics_allow(env),
        max_subscriptions_per_connection=_int(
            env, "THREADPRESS_MAX_SUBSCRIPTIONS_PER_CONNECTION", 10, minimum=1
        ),
        max_subscriber_connections=_int(
            env, "THREADPRESS_MAX_SUBSCRIBER_CONNECTIONS", 1000, minimum=1
        ),
    )


def _metrics_allow(env: Mapping[str, str]) -> tuple[Network, ...] | None:
    """`off`: no metrics; unset or empty: loopback only (a scraper on the same host)."""
    name = "THREADPRESS_METRICS_ALLOW"
    raw = env.get(name, "").strip()
    if raw.lower() == "off":
        return None
    return _networks(env, name) or LOOPBACK


def _replica_url(env: Mapping[str, str], primary_url: str) -> str | None:
    """`DATABASE_REPLICA_URL`: a PostgreSQL streaming replica of a PostgreSQL primary. SQLite
    has no replicas to read from, and a replica of another server than the primary would
    answer with another site's rows."""
    url = replica_url(env)
    if url is None:
        return None
    if is_sqlite(url) or not is_postgres(url):
        scheme = url.partition("://")[0] if "://" in url else "scheme-less"
        raise SettingsError(
            "DATABASE_REPLICA_URL must be a PostgreSQL URL (postgres://user@host:5432/db) "
            f"of a streaming replica, not a {scheme} URL"
        )
    if not is_postgres(primary_url):
        raise SettingsError(
            "DATABASE_REPLICA_URL needs a PostgreSQL primary: DATABASE_URL is not PostgreSQL"
        )
    return url


def _persisted_query_mode(env: Mapping[str, str]) -> PersistedQueryMode:
    raw = env.get("THREADPRESS_PERSISTED_QUERIES", "").strip().lower() or "apq"
    if raw == "apq":
        return "apq"
    if raw == "allowlist":
        if not env.get("THREADPRESS_PERSISTED_QUERIES_FILE", "").strip():
            raise SettingsError(
                "THREADPRESS_PERSISTED_QUERIES=allowlist needs THREADPRESS_PERSISTED_QUERIES_FILE "
                "(the registered documents)"
            )
        return "allowlist"
    if raw == "off":
        return "off"
    raise SettingsError(
        f"THREADPRESS_PERSISTED_QUERIES must be 'apq', 'allowlist' or 'off', not {raw!r}"
    )


def _existing_file(env: Mapping[str, str], name: str) -> Path | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    path = Path(raw)
    if not path.is_file():
        raise SettingsError(f"{name}: {raw!r} is not a file")
    return path
