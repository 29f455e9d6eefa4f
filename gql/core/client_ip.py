"""The client's address, believing `X-Forwarded-For` only from trusted proxies.

uvicorn's own proxy-header handling is off (`threadpress serve`), so the socket peer is what
reaches the app. When that peer is a trusted proxy, the forwarded chain is walked from the
right (the hop nearest to us) past every trusted proxy; the first untrusted address is the
client. A client cannot spoof its address by sending the header itself: hops it adds sit to
the left of what our proxies append.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.requests import HTTPConnection

from gql.settings import Network

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _parse(raw: str) -> Address | None:
    try:
        return ipaddress.ip_address(raw.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(address: Address, proxies: Sequence[Network]) -> bool:
    return any(address in network for network in proxies)


def client_ip(connection: HTTPConnection, trusted_proxies: Sequence[Network]) -> str | None:
    """The client's IP address as text, or None when the server cannot tell."""
    peer = _parse(connection.client.host) if connection.client else None
    if peer is None:
        return None
    if not _trusted(peer, trusted_proxies):
        return str(peer)
    hops = [hop for raw in connection.headers.getlist("x-forwarded-for") for hop in raw.split(",")]
    for raw in reversed(hops):
        address = _parse(raw)
        if address is None:
            # A garbled hop from a trusted proxy: stop at the last address we can vouch for.
            break
        if not _trusted(address, trusted_proxies):
            return str(address)
        peer = address
    return str(peer)
