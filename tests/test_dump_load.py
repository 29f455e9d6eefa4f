"""An operator moves a site between SQLite and PostgreSQL, and backs it up, with `threadpress
dump` and `threadpress load`: everything arrives, private data included, the API answers the
same, new rows get new ids, and a bad file or a full database is refused with nothing written."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from tortoise import Tortoise, timezone

import models
from gql.core.ids import to_global_id
from gql.core.tokens import create_token, revoke_token
from gql.publishing.change_log import announce_everything
from models.comment import thread_path_segment
from models.config import with_sqlite_pragmas
from models.database import close_database, migrate_database, open_database
from tests import factories
from tests.conftest import (
    _create_postgres_database,
    _drop_postgres_database,
    _forget_dialect,
    app_client,
    graphql,
    shared_file,
)
from threadpress.demo import MAIN_SLUG, load_demo
from threadpress.dump import DumpError, database_tables, dump, layout, load
from threadpress.wordpress import import_wxr

THREADPRESS = Path(sys.executable).with_name("threadpress")
THEME_UNIT_TEST = "fixtures/wordpress-theme-unit-test.xml"

POST_PAGE = """
query($slug: String!) {
  post(slug: $slug) {
    id title uri publishedAt author { name } categories { name } commentCount
    commentThread(first: 100) { nodes { id depth parent { id } authorName content createdAt } }
  }
}
"""
POSTS = """
{ posts(first: 100, orderBy: {field: PUBLISHED_AT, direction: DESC}) {
    totalCount nodes { id uri title excerpt commentCount updatedAt } } }
"""
QUEUE = """
query($status: HeldStatus!) {
  moderationQueue(first: 50, status: $status) {
    totalCount nodes { comment { id authorName } authorEmail ipAddress userAgent reasons }
  }
}
"""
FEED = """
{ changes(since: null, first: 1000) {
    entries { kind typename id contentDigest changedAt } nextToken hasMore } }
"""
RESOLVE = """
query($uri: String!) { resolveUri(uri: $uri) { statusCode redirectTo node { id } } }
"""
UPDATE = """
mutation($input: UpdatePostInput!) { updatePost(input: $input) { post { uri } errors { code } } }
"""
PAGE_UPDATE = """
mutation($input: UpdatePageInput!) { updatePage(input: $input) { page { uri } errors { code } } }
"""
PAGES = """
{ pages(first: 100) {
    totalCount nodes { id uri title updatedAt parent { id } children { id uri } } } }
"""
MODERATE = """
mutation($id: ID!) { moderateComment(input: {id: $id, action: APPROVE}) { errors { code } } }
"""
SUBMIT = """
mutation($input: SubmitCommentInput!) {
  submitComment(input: $input) { comment { databaseId } errors { field code } }
}
"""


# --- A site with a bit of everything --------------------------------------------------------


async def _magazine() -> None:
    await factories.magazine()


async def _nothing_more() -> None:
    pass


async def _site(
    database_url: str, content: Callable[[], Awaitable[object]] = _magazine
) -> dict[str, str]:
    """The demo site plus `content` (by default a site shaped like an imported WordPress
    one, built here), tokens (one revoked), a webhook with deliveries waiting, held and spam
    comments with their emails and addresses, a renamed post (a redirect), audit entries, and
    a reply whose parent has a higher id. Returns the tokens' secrets and what the API
    questions need."""
    await load_demo(only_if_empty=False)
    await content()  # the biggest part: left out where a smaller site says as much
    later = await factories.page(await models.Author.get(slug="maya-lindqvist"), slug="later")
    await announce_everything()  # as `threadpress import` does
    _, editor = await create_token("the editor", models.Role.EDITOR)
    _, moderator = await create_token("the moderators", models.Role.MODERATOR)
    _, builder = await create_token("the build", models.Role.BUILDER)
    await create_token("an old laptop", models.Role.EDITOR)
    await revoke_token("an old laptop")
    await models.WebhookSubscriber.create(
        url="https://build.example.org/hook", secret="s3cret-" * 5, events="*"
    )
    main = await models.Post.get(slug=MAIN_SLUG)
    held = await factories.comment(
        main,
        status=models.CommentModeration.PENDING,
        name='Zoë 🏃 "quotes" and\nnewlines',
        email="zoe.private@example.org",
    )
    await factories.comment(main, status=models.CommentModeration.SPAM, email="bot@example.net")
    # A reply filed under a later comment (re-threaded by hand, or an import's order): its
    # parent's id is higher than its own, so a load cannot insert by id order alone.
    early = await factories.comment(main, minutes=600, email="early@example.org")
    late = await factories.comment(main, minutes=590, email="late@example.org")
    early.parent_id, early.depth = late.id, 1
    early.path = late.path + thread_path_segment(early.created_at, early.id)
    await early.save(update_fields=["parent_id", "depth", "path"])
    scheduled = await factories.post(
        await factories.author(slug="future-writer"),
        slug="next-week",
        published_at=timezone.now() + timedelta(days=7),
    )
    assert scheduled.published_at is not None
    async with app_client(database_url) as http:
        editor_headers = {"Authorization": f"Bearer {editor}"}
        renamed = await graphql(
            http,
            UPDATE,
            {"input": {"id": to_global_id("Post", main.id), "slug": "a-stubborn-calf"}},
            editor_headers,
        )
        assert renamed["data"]["updatePost"]["errors"] == []
        approved = await graphql(
            http,
            MODERATE,
            {"id": to_global_id("Comment", held.id)},
            {"Authorization": f"Bearer {moderator}"},
        )
        assert approved["data"]["moderateComment"]["errors"] == []
        # A page nested in a later one (moved there by an editor): a parent with a higher id,
        # and the old address it keeps.
        about = await models.Page.get(uri="/about/")
        moved = await graphql(
            http,
            PAGE_UPDATE,
            {
                "input": {
                    "id": to_global_id("Page", about.id),
                    "parentId": to_global_id("Page", later.id),
                }
            },
            editor_headers,
        )
        assert moved["data"]["updatePage"]["errors"] == []
    return {
        "editor": editor,
        "moderator": moderator,
        "builder": builder,
        "old_uri": main.uri,
        "main": "a-stubborn-calf",
    }


async def _answers(database_url: str, site: dict[str, str]) -> dict[str, Any]:
    """What the API says about the site, publicly and to each role."""
    moderator = {"Authorization": f"Bearer {site['moderator']}"}
    builder = {"Authorization": f"Bearer {site['builder']}"}
    async with app_client(database_url) as http:
        return {
            "post page": await graphql(http, POST_PAGE, {"slug": site["main"]}),
            "posts": await graphql(http, POSTS),
            "redirect": await graphql(http, RESOLVE, {"uri": site["old_uri"]}),
            "pages": await graphql(http, PAGES),
            "page redirect": await graphql(http, RESOLVE, {"uri": "/about/writers/"}),
            "held": await graphql(http, QUEUE, {"status": "PENDING"}, moderator),
            "spam": await graphql(http, QUEUE, {"status": "SPAM"}, moderator),
            "feed": await graphql(http, FEED, headers=builder),
            "menus": await graphql(http, MENUS),
        }


MENUS = """
{ menus { name location items { label url node { id }
  children { label url children { label } } } } }
"""


async def _dumped() -> bytes:
    out = io.BytesIO()
    await dump(out)
    return out.getvalue()


def _comparable(dumped: bytes) -> tuple[dict[str, Any], list[str]]:
    """A dump's header without its creation time, and its rows as they are."""
    first, *rows = dumped.decode().splitlines()
    header = json.loads(first)
    del header["created_at"]
    return header, rows


async def _open(url: str, *, migrate: bool = False) -> None:
    await close_database()
    await _forget_dialect()  # the next database may speak the other dialect
    if migrate:
        await migrate_database(url)
        await _forget_dialect()
    await open_database(url)


@asynccontextmanager
async def _other_database(current: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty, migrated database of the other kind than `current` (a throwaway PostgreSQL
    database, or a SQLite file), open while the block runs; yields its URL."""
    postgres_name = None
    if current.startswith("sqlite"):
        url, postgres_name = await _create_postgres_database()
    else:
        url = with_sqlite_pragmas(f"sqlite://{tmp_path}/other.sqlite3")
    await _open(url, migrate=True)
    try:
        yield url
    finally:
        await _open(current)
        if postgres_name:
            await _drop_postgres_database(postgres_name)


# --- Moving a site --------------------------------------------------------------------------


async def test_a_site_moves_to_the_other_database_unchanged(db: str, tmp_path: Path) -> None:
    await _moves_unchanged(db, tmp_path, _magazine)


async def test_the_theme_unit_test_export_moves_to_the_other_database_unchanged(
    db: str, tmp_path: Path
) -> None:
    """The same move with real-world content: the WordPress theme unit test export, where
    it is beside the clone (../shared: third-party data the repository does not carry)."""
    export = shared_file(THEME_UNIT_TEST)

    await _moves_unchanged(db, tmp_path, lambda: import_wxr(export, progress=False))


async def _moves_unchanged(
    db: str, tmp_path: Path, content: Callable[[], Awaitable[object]]
) -> None:
    site = await _site(db, content)
    before = await _dumped()
    answers_before = await _answers(db, site)

    async with _other_database(db, tmp_path) as other:
        loaded = await load(io.BytesIO(before))
        after = await _dumped()
        answers_after = await _answers(other, site)
        # New rows after a load take new ids: the sequences moved past the loaded ones.
        top_comment = await models.Comment.all().order_by("-id").first()
        assert top_comment is not None
        async with app_client(other) as http:
            submitted = await graphql(
                http,
                SUBMIT,
                {
                    "input": {
                        "postId": answers_after["post page"]["data"]["post"]["id"],
                        "authorName": "After the move",
                        "authorEmail": "new@example.org",
                        "content": "Still here.",
                    }
                },
            )
        new_token, _ = await create_token("made after the move", models.Role.BUILDER)
        top_token = await models.ApiToken.exclude(id=new_token.id).order_by("-id").first()

    assert _comparable(after) == _comparable(before)
    assert answers_after == answers_before
    assert answers_before["held"]["data"]["moderationQueue"]["totalCount"] >= 1
    assert answers_before["redirect"]["data"]["resolveUri"]["statusCode"] == 301
    assert answers_before["page redirect"]["data"]["resolveUri"]["redirectTo"] == (
        "/later/about/writers/"
    )
    assert answers_before["menus"]["data"]["menus"][0]["items"][1]["children"]
    assert loaded.total == len(before.splitlines()) - 1
    assert submitted["data"]["submitComment"]["errors"] == []
    assert submitted["data"]["submitComment"]["comment"]["databaseId"] == top_comment.id + 1
    assert top_token is not None
    assert new_token.id == top_token.id + 1


async def test_the_dump_holds_every_table_and_column_private_ones_too(db: str) -> None:
    await _site(db)
    connection = Tortoise.get_connection("default")

    header, rows = _comparable(await _dumped())
    dumped_columns = {table["name"]: set(table["columns"]) for table in header["tables"]}

    # Every table and column the migrations made is carried: a model added without the dump
    # knowing fails here.
    assert set(dumped_columns) == await database_tables()
    for name, columns in dumped_columns.items():
        assert columns == await _database_columns(connection, name), name
    by_table: dict[str, list[dict[str, Any]]] = {}
    for line in rows:
        row = json.loads(line)
        by_table.setdefault(row["table"], []).append(row["row"])
    assert {t["name"]: t["rows"] for t in header["tables"]} == {
        name: len(by_table.get(name, [])) for name in dumped_columns
    }
    assert header["format"] == "threadpress-dump"
    assert header["version"] == 1
    assert header["migrations"][0] == "0001_initial"
    emails = {c["author_email"] for c in by_table["comment"]}
    assert {"zoe.private@example.org", "bot@example.net"} <= emails
    assert any(c["author_ip"] == "203.0.113.7" for c in by_table["comment"])
    assert all(len(t["token_hash"]) == 64 for t in by_table["api_token"])
    assert by_table["webhook_subscriber"][0]["secret"] == "s3cret-" * 5
    assert by_table["webhook_delivery"]
    assert by_table["menu"][0]["location"] == "primary"  # the demo's main menu
    assert any(item["parent_id"] for item in by_table["menu_item"])
    assert by_table["post_redirect"]
    assert by_table["audit_entry"]
    assert by_table["change"]
    assert by_table["post_category"]
    assert by_table["post_tag"]
    assert {t["slug"] for t in by_table["tag"]} >= {"calf", "physio", "rain"}
    assert {type(p["sticky"]) for p in by_table["post"]} == {bool}
    assert any(p["sticky"] for p in by_table["post"])
    # Values both databases agree on: booleans, and datetimes in UTC with their offset.
    assert {type(c["is_public"]) for c in by_table["comment"]} == {bool}
    assert all(c["created_at"].endswith("+00:00") for c in by_table["comment"])


async def _database_columns(connection: Any, table: str) -> set[str]:
    if connection.capabilities.dialect == "sqlite":
        rows = await connection.execute_query_dict(f'PRAGMA table_info("{table}")')
        return {row["name"] for row in rows}
    rows = await connection.execute_query_dict(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = $1",
        [table],
    )
    return {row["column_name"] for row in rows}


async def test_dump_and_load_stream_in_small_batches(db: str, tmp_path: Path) -> None:
    """Batches of 2 rows cross every keyset boundary (the many-to-many table's two-column
    key too) and a reply's parent loaded in a later batch."""
    await _site(db)
    whole = await _dumped()
    out = io.BytesIO()
    await dump(out, batch_rows=2)

    async with _other_database(db, tmp_path):
        await load(io.BytesIO(out.getvalue()), batch_rows=2)
        again = await _dumped()

    assert _comparable(out.getvalue()) == _comparable(whole)
    assert _comparable(again) == _comparable(whole)


# --- Backing up and restoring ---------------------------------------------------------------


async def test_a_backup_restores_over_a_changed_site_only_when_asked(db: str) -> None:
    site = await _site(db)
    backup = await _dumped()
    answers = await _answers(db, site)
    await models.Comment.all().delete()
    await factories.post(await factories.author(slug="newcomer"), slug="written-after")

    with pytest.raises(DumpError, match="the database is not empty"):
        await load(io.BytesIO(backup))
    refused = await _dumped()
    await load(io.BytesIO(backup), replace=True)
    restored = await _dumped()

    assert b"written-after" in refused
    assert _comparable(restored) == _comparable(backup)
    assert await _answers(db, site) == answers


def _cut(dump: bytes) -> bytes:
    return dump[: len(dump) // 2]


def _cut_at_a_line(dump: bytes) -> bytes:
    lines = dump.splitlines(keepends=True)
    return b"".join(lines[: len(lines) // 2])


def _broken_line(dump: bytes) -> bytes:
    lines = dump.splitlines(keepends=True)
    lines[len(lines) // 2] = b'{"table": "comment", "row": {"id": 1,\n'
    return b"".join(lines)


def _refused_row(dump: bytes) -> bytes:
    # A comment on a post that is not there: the database's own foreign key refuses it.
    lines = dump.splitlines(keepends=True)
    for n, line in enumerate(lines):
        row = json.loads(line)
        if row.get("table") == "comment":
            row["row"]["post_id"] = 999_999
            lines[n] = json.dumps(row).encode() + b"\n"
            return b"".join(lines)
    raise AssertionError("no comment in the dump")


def _wrong_type(dump: bytes) -> bytes:
    lines = dump.splitlines(keepends=True)
    row = json.loads(lines[-1])
    row["row"][next(iter(row["row"]))] = "not a number"
    lines[-1] = json.dumps(row).encode() + b"\n"
    return b"".join(lines)


def _next_version(dump: bytes) -> bytes:
    first, rest = dump.split(b"\n", 1)
    header = json.loads(first)
    header["version"] = 2
    return json.dumps(header).encode() + b"\n" + rest


def _newer_migration(dump: bytes) -> bytes:
    first, rest = dump.split(b"\n", 1)
    header = json.loads(first)
    header["migrations"].append("0099_from_the_future")
    return json.dumps(header).encode() + b"\n" + rest


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (_cut, "is cut short: the file is incomplete"),
        (_cut_at_a_line, "it is incomplete"),
        (_broken_line, "is not valid JSON"),
        (_refused_row, "the database refused a row of 'comment'"),
        (_wrong_type, "expected an integer"),
        (_next_version, "the file is format version 2; this Threadpress reads version 1"),
        (_newer_migration, "made at migration 0099_from_the_future"),
        (lambda _dump: b"", "the file is empty"),
        (lambda _dump: b"<?xml version='1.0'?>\n", "not a Threadpress dump"),
    ],
)
async def test_a_bad_file_loads_nothing(db: str, spoil: Any, message: str) -> None:
    site = await _site(db, _nothing_more)
    good = await _dumped()
    before = await _answers(db, site)

    with pytest.raises(DumpError, match=message) as refusal:
        await load(io.BytesIO(spoil(good)), replace=True)

    assert "\n" not in str(refusal.value)
    assert _comparable(await _dumped()) == _comparable(good)
    assert await _answers(db, site) == before


async def test_a_bad_file_leaves_an_empty_database_empty(db: str) -> None:
    await _site(db, _nothing_more)
    good = await _dumped()
    for table in reversed(layout()):
        await Tortoise.get_connection("default").execute_query(f'DELETE FROM "{table.name}"')

    with pytest.raises(DumpError):
        await load(io.BytesIO(_cut(good)))

    for table in layout():
        rows = await Tortoise.get_connection("default").execute_query_dict(
            f'SELECT COUNT(*) AS n FROM "{table.name}"'
        )
        assert rows[0]["n"] == 0, table.name


# --- The command line -----------------------------------------------------------------------


def _run(
    *args: str, env: dict[str, str], cwd: Path, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [str(THREADPRESS), *args],
        env={**os.environ, "THREADPRESS_BACKGROUND_TASKS": "off", **env},
        cwd=cwd,
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
    )


def _sqlite_env(path: Path) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite:///{path}"}


def _refusal(result: subprocess.CompletedProcess[bytes]) -> str:
    """The one line a refused command printed (exit code 2, nothing on stdout)."""
    assert result.returncode == 2, result.stderr
    assert result.stdout == b""
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_the_commands_back_up_and_restore_a_sqlite_site(tmp_path: Path) -> None:
    site, copy = _sqlite_env(tmp_path / "site.sqlite3"), _sqlite_env(tmp_path / "copy.sqlite3")
    assert _run("demo", env=site, cwd=tmp_path).returncode == 0
    made = _run("token", "create", "--name", "ci", "--role", "builder", env=site, cwd=tmp_path)
    assert made.returncode == 0
    backup = tmp_path / "backup.ndjson"

    dumped = _run("dump", str(backup), env=site, cwd=tmp_path)
    piped = _run("dump", "-", env=site, cwd=tmp_path)
    loaded = _run("load", "-", env=copy, cwd=tmp_path, stdin=backup.read_bytes())
    again = _run("dump", "-", env=copy, cwd=tmp_path)

    assert dumped.returncode == 0, dumped.stderr
    assert dumped.stdout.decode().startswith("Dumped ")
    assert backup.stat().st_mode & 0o077 == 0  # private data: the owner's alone
    assert not list(tmp_path.glob(".*.partial"))
    assert _comparable(piped.stdout) == _comparable(backup.read_bytes())
    assert piped.stderr.decode().startswith("Dumped ")
    assert (loaded.returncode, loaded.stderr) == (0, b""), loaded.stderr
    assert loaded.stdout.decode().startswith("Loaded ")
    assert _comparable(again.stdout) == _comparable(backup.read_bytes())


def test_the_load_command_refuses_in_one_line_and_writes_nothing(tmp_path: Path) -> None:
    site, target = _sqlite_env(tmp_path / "site.sqlite3"), _sqlite_env(tmp_path / "t.sqlite3")
    assert _run("demo", env=site, cwd=tmp_path).returncode == 0
    good = _run("dump", "-", env=site, cwd=tmp_path).stdout
    spoiled = {
        "cut.ndjson": _cut(good),
        "broken.ndjson": _broken_line(good),
        "v2.ndjson": _next_version(good),
    }
    for name, content in spoiled.items():
        (tmp_path / name).write_bytes(content)
    empty = _run("dump", "-", env=target, cwd=tmp_path).stdout

    cut_line = good[: len(good) // 2].count(b"\n") + 1
    broken_line = len(good.splitlines()) // 2 + 1
    refusals = {name: _refusal(_run("load", name, env=target, cwd=tmp_path)) for name in spoiled}
    missing = _refusal(_run("load", "nowhere.ndjson", env=target, cwd=tmp_path))
    unwritable = _refusal(_run("dump", "no/such/folder.ndjson", env=site, cwd=tmp_path))
    still_empty = _run("dump", "-", env=target, cwd=tmp_path).stdout
    into_full = _refusal(_run("load", "-", env=site, cwd=tmp_path, stdin=good))

    assert refusals == {
        "cut.ndjson": f"threadpress load: line {cut_line} is cut short: the file is "
        "incomplete; nothing was loaded",
        "broken.ndjson": f"threadpress load: line {broken_line} is not valid JSON; nothing "
        "was loaded",
        "v2.ndjson": "threadpress load: the file is format version 2; this Threadpress reads "
        "version 1 (load it with the Threadpress that made it, or a newer one); nothing was "
        "loaded",
    }
    assert missing.startswith("threadpress load: cannot read 'nowhere.ndjson'")
    assert unwritable.startswith("threadpress dump: cannot write 'no/such/folder.ndjson'")
    assert _comparable(still_empty) == _comparable(empty)
    assert into_full == (
        "threadpress load: the database is not empty: load into a new database, or pass "
        "--replace to delete everything in it first; nothing was loaded"
    )


async def test_the_commands_move_a_site_from_sqlite_to_postgresql_and_back(
    tmp_path: Path,
) -> None:
    postgres_url, postgres_name = await _create_postgres_database()
    try:
        site = _sqlite_env(tmp_path / "site.sqlite3")
        postgres = {"DATABASE_URL": postgres_url}
        back = _sqlite_env(tmp_path / "back.sqlite3")
        assert _run("demo", env=site, cwd=tmp_path).returncode == 0
        hook = ["webhooks", "add", "https://build.example.org/hook", "--secret", "s" * 20]
        assert _run(*hook, env=site, cwd=tmp_path).returncode == 0
        (tmp_path / "site.ndjson").write_bytes(_run("dump", "-", env=site, cwd=tmp_path).stdout)

        to_postgres = _run("load", "site.ndjson", env=postgres, cwd=tmp_path)
        twice = _run("load", "site.ndjson", env=postgres, cwd=tmp_path)
        from_postgres = _run("dump", "moved.ndjson", env=postgres, cwd=tmp_path)
        to_sqlite = _run("load", "moved.ndjson", env=back, cwd=tmp_path)
        from_sqlite = _run("dump", "-", env=back, cwd=tmp_path)
        replaced = _run("load", "--replace", "site.ndjson", env=postgres, cwd=tmp_path)
    finally:
        await _drop_postgres_database(postgres_name)

    original = _comparable((tmp_path / "site.ndjson").read_bytes())
    assert to_postgres.returncode == 0, to_postgres.stderr
    assert _refusal(twice).startswith("threadpress load: the database is not empty")
    assert from_postgres.returncode == 0, from_postgres.stderr
    assert _comparable((tmp_path / "moved.ndjson").read_bytes()) == original
    assert to_sqlite.returncode == 0, to_sqlite.stderr
    assert _comparable(from_sqlite.stdout) == original
    assert replaced.returncode == 0, replaced.stderr
