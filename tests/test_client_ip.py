"""Which address counts as the client's: only trusted proxies may speak for it."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from gql.core.client_ip import client_ip
from gql.settings import SettingsError, load_settings


def _request(peer: str, forwarded: list[str]) -> Request:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return Request({"type": "http", "client": (peer, 1234), "headers": headers})


PROXIES = load_settings({"THREADPRESS_TRUSTED_PROXIES": "10.0.0.0/8, ::1"}).trusted_proxies


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.5", [], "203.0.113.5"),
        ("203.0.113.5", ["198.51.100.1"], "203.0.113.5"),  # untrusted peer: header ignored
        ("10.0.0.2", ["198.51.100.1"], "198.51.100.1"),
        ("10.0.0.2", ["6.6.6.6, 198.51.100.1, 10.0.0.9"], "198.51.100.1"),  # spoofed left hop
        ("10.0.0.2", ["6.6.6.6", "198.51.100.1"], "198.51.100.1"),  # several header lines
        ("10.0.0.2", [], "10.0.0.2"),
        ("10.0.0.2", ["garbage"], "10.0.0.2"),
        ("::1", ["2001:db8::7"], "2001:db8::7"),
    ],
)
def test_client_ip(peer: str, forwarded: list[str], expected: str) -> None:
    assert client_ip(_request(peer, forwarded), PROXIES) == expected


def test_no_trusted_proxies_by_default() -> None:
    request = _request("10.0.0.2", ["198.51.100.1"])

    assert client_ip(request, load_settings({}).trusted_proxies) == "10.0.0.2"


def test_bad_proxy_setting_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="THREADPRESS_TRUSTED_PROXIES: 'nope'"):
        load_settings({"THREADPRESS_TRUSTED_PROXIES": "nope"})
