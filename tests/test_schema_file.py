"""`schema.graphql` is the contract clients read: it must equal what the code serves."""

from __future__ import annotations

from pathlib import Path

from gql.schema import schema_sdl

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schema.graphql"


def test_committed_schema_matches_the_code() -> None:
    committed = SCHEMA_FILE.read_text(encoding="utf-8")

    assert committed == schema_sdl(), "schema.graphql is stale: run `make schema` and commit it"


def test_schema_has_no_private_fields() -> None:
    sdl = schema_sdl().lower()

    for private in ("email", "ipaddress", "useragent", "author_ip", "password"):
        assert private not in sdl.replace("authoremail", "")  # the submit input comes later
