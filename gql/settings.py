"""Typed settings, read from the environment only (variables named `THREADPRESS_*`).

Every variable is documented in the README. Parsing fails fast with a message naming the
variable, so a typo never starts a server with a silently different configuration.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from models.config import database_url

Environment = Literal["development", "production"]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class SettingsError(ValueError):
    """A setting in the environment has a value this program cannot use."""


@dataclass(frozen=True)
class Settings:
    """Everything the server reads from its environment."""

    database_url: str
    env: Environment = "development"
    graphiql: bool = True
    introspection: bool = True
    trusted_proxies: tuple[Network, ...] = field(default_factory=tuple)
    log_level: str = "info"

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


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from `env` (default: the process environment)."""
    env = os.environ if env is None else env
    environment = env.get("THREADPRESS_ENV", "development").strip().lower() or "development"
    if environment not in ("development", "production"):
        raise SettingsError(
            f"THREADPRESS_ENV must be 'development' or 'production', not {environment!r}"
        )
    production = environment == "production"
    return Settings(
        database_url=database_url(env),
        env="production" if production else "development",
        graphiql=_bool(env, "THREADPRESS_GRAPHIQL", not production),
        introspection=_bool(env, "THREADPRESS_INTROSPECTION", not production),
        trusted_proxies=_networks(env, "THREADPRESS_TRUSTED_PROXIES"),
        log_level=env.get("THREADPRESS_LOG_LEVEL", "info").strip().lower() or "info",
    )
