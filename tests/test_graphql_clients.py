"""Real GraphQL clients work unchanged against a real `threadpress serve`: graphql-request,
Apollo Client (InMemoryCache, relayStylePagination), urql (its defaults, and graphcache),
graphql-ws and graphql-sse subscriptions, Python `gql` over HTTP and a WebSocket, and
GraphiQL running a subscription in Chromium. On SQLite and on PostgreSQL.

Each Node client is a small script in tests/clients/ (packages from the committed
package-lock.json, `make assets`); the Python client runs in its own virtualenv
(tests/clients/python/, `make clients`), because its import name `gql` is our own package's.
A client passes only when it prints nothing on stderr: any warning it prints fails the test.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import urllib.parse
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import GraphQLObjectType, build_schema
from playwright.async_api import Browser, Route, async_playwright

import models
from gql.core.ids import to_global_id
from gql.core.tokens import create_token
from tests import factories
from tests.conftest import empty_database, require
from tests.live_server import ROOT, database_environment, serve_process
from tests.media_files import has_metadata, jpeg
from tests.test_graphiql_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    EDITOR_TEXT,
    TIMEOUT_MS,
)
from threadpress.demo import MAIN_SLUG

CLIENTS = ROOT / "tests" / "clients"
PYTHON_CLIENTS = CLIENTS / "python"
CLIENTS_PYTHON = PYTHON_CLIENTS / ".venv" / "bin" / "python"
NODE_PACKAGES = ("@apollo/client", "@urql/core", "@urql/exchange-graphcache", "graphql-request")
NODE_PACKAGES += ("graphql-sse", "graphql-ws", "ws", "apollo-upload-client")
README = ROOT / "README.md"
README_TEXT = README.read_text(encoding="utf-8")
README_DOCUMENTS = re.findall(r"```graphql(?:-subscription)?\n(.*?)```", README_TEXT, re.S)
CLIENT_SECONDS = 60.0
REGULAR = "regular@example.org"
"""A commenter with an approved comment: their next comments are approved at once, so each
one is public (and announced to subscribers) as soon as it is submitted."""
SERVER_ENV = {
    "THREADPRESS_SECRET_KEY": "clients-secret-key-that-is-long-enough-0123456789",
    # Every scenario submits comments, from one address, in quick succession.
    "THREADPRESS_COMMENT_RATE_LIMIT": "1000/minute",
    "THREADPRESS_FLOOD_SECONDS": "0",
    "THREADPRESS_BACKGROUND_TASKS": "off",
    "THREADPRESS_LOG_LEVEL": "warning",
}


@dataclass
class Site:
    """A served site with known content: its URL and the global ids of what it holds."""

    url: str
    log: Path
    """The server's log (warnings and errors only)."""
    posts: list[str]
    """Public posts, newest first (the main post first, the live post last)."""
    top: list[str]
    """The main post's top-level comments, oldest first."""
    replies: list[str]
    """The first top-level comment's replies, oldest first."""
    deep: str
    """The reply to the first reply (depth 2)."""
    live_comment: str
    """The live post's one comment (by `REGULAR`)."""
    editor_token: str
    """An editor's API token (uploads)."""
    media: Path
    """The server's media folder."""
    log_read: int = 0

    def server_complaints(self) -> str:
        """What the server logged since the last call: a client that works makes it log
        nothing (no error, no warning) at `THREADPRESS_LOG_LEVEL=warning`."""
        text = self.log.read_text(encoding="utf-8", errors="replace")
        new, self.log_read = text[self.log_read :], len(text)
        return new

    @property
    def main_post(self) -> str:
        return self.posts[0]

    @property
    def live_post(self) -> str:
        return self.posts[-1]

    @property
    def thread(self) -> list[str]:
        """The main post's whole thread, depth-first."""
        return [self.top[0], self.replies[0], self.deep, *self.replies[1:], *self.top[1:]]

    def params(self, **extra: Any) -> dict[str, Any]:
        """What a client scenario is told about the site."""
        return {
            "mainPost": self.main_post,
            "livePost": self.live_post,
            "topComment": self.top[0],
            "liveComment": self.live_comment,
            "email": REGULAR,
            **extra,
        }


async def _seed() -> dict[str, Any]:
    """Five posts a day apart, the newest at the README's address with a thread of nine
    comments; a sixth, older post where the scenarios submit comments and subscribe."""
    writer = await factories.author(slug="dana-runner", name="Dana Runner")
    day = timedelta(days=1)
    posts = [
        await factories.post(
            writer,
            slug=MAIN_SLUG if n == 0 else f"post-{n}",
            title=f"Post {n}",
            published_at=factories.BASE_TIME - n * day,
        )
        for n in range(5)
    ]
    live = await factories.post(
        writer, slug="live", title="Live", published_at=factories.BASE_TIME - 10 * day
    )
    main = posts[0]
    top = [await factories.comment(main, name=f"Top {n}") for n in range(5)]
    replies = [await factories.comment(main, parent=top[0], name=f"Reply {n}") for n in range(3)]
    deep = await factories.comment(main, parent=replies[0], name="Deep")
    regular = await factories.comment(live, name="Regular", email=REGULAR)
    _, editor_token = await create_token("the clients' editor", models.Role.EDITOR)

    def ids(kind: str, rows: list[Any]) -> list[str]:
        return [to_global_id(kind, row.id) for row in rows]

    return {
        "posts": ids("Post", [*posts, live]),
        "top": ids("Comment", top),
        "replies": ids("Comment", replies),
        "deep": to_global_id("Comment", deep.id),
        "live_comment": to_global_id("Comment", regular.id),
        "editor_token": editor_token,
    }


@pytest.fixture(scope="module")
async def site(database: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Site]:
    """`threadpress serve` on a free loopback port over the seeded test database (SQLite or
    PostgreSQL), shared by this module's scenarios: each writes only to the live post."""
    await empty_database(database)
    seeded = await _seed()
    workdir = tmp_path_factory.mktemp("clients")
    media = workdir / "media"
    env = {
        **database_environment(database),
        **SERVER_ENV,
        "THREADPRESS_MEDIA_DIR": str(media),
    }
    with serve_process(workdir, env) as url:
        yield Site(url=url, log=workdir / "server.log", media=media, **seeded)


def _node() -> str:
    node = shutil.which("node")
    require(node is not None, "Node.js is not installed: the client suite needs it")
    assert node is not None
    missing = [
        p for p in NODE_PACKAGES if not (ROOT / "node_modules" / p / "package.json").exists()
    ]
    require(not missing, f"npm packages {missing} are missing: run `make assets`")
    return node


def _report(done: subprocess.CompletedProcess[str], site: Site) -> dict[str, Any]:
    """A client's JSON report; it must have exited 0 and printed nothing on stderr, and the
    server must have logged nothing meanwhile."""
    assert (done.returncode, done.stderr) == (0, ""), done.stderr or done.stdout
    assert site.server_complaints() == ""
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def _run_node(script: str, site: Site, **extra: Any) -> dict[str, Any]:
    # The development builds (`--conditions=development`): Apollo prints its warnings only
    # there.
    done = subprocess.run(
        [
            _node(),
            "--conditions=development",
            str(CLIENTS / script),
            site.url,
            json.dumps(site.params(**extra)),
        ],
        capture_output=True,
        text=True,
        timeout=CLIENT_SECONDS,
        cwd=CLIENTS,
        check=False,
    )
    return _report(done, site)


def _run_python(script: str, site: Site, **extra: Any) -> dict[str, Any]:
    require(
        CLIENTS_PYTHON.exists(),
        f"Python gql's virtualenv {CLIENTS_PYTHON.parent.parent} is missing: run `make clients`",
    )
    # Its own folder, not the repository's: there our `gql/` would be imported instead.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    done = subprocess.run(
        [
            str(CLIENTS_PYTHON),
            "-W",
            "error",
            str(PYTHON_CLIENTS / script),
            site.url,
            json.dumps(site.params(**extra)),
        ],
        capture_output=True,
        text=True,
        timeout=CLIENT_SECONDS,
        cwd=PYTHON_CLIENTS,
        env=env,
        check=False,
    )
    report = _report(done, site)
    # The client's own `gql`, never ours.
    assert report.pop("gql").startswith(str(PYTHON_CLIENTS / ".venv")), report
    return report


def _readme_document(name: str) -> str:
    [document] = [d for d in README_DOCUMENTS if re.match(rf"(query|subscription) {name}\b", d)]
    return document


def _assert_delivered(report: dict[str, Any]) -> None:
    """The subscription delivered one of the comments submitted, as the README selects it."""
    submitted = {comment["id"]: comment["content"] for comment in report["submitted"]}
    event = report["event"]
    # Every answer carries `extensions.cost` (the contract), events too.
    assert set(event) <= {"data", "extensions"}, event
    added = event["data"]["commentAdded"]
    assert added["id"] in submitted
    assert added["content"] == submitted[added["id"]]
    assert (added["authorName"], added["depth"], added["parent"]) == ("Regular", 0, None)
    assert set(added) == {"id", "depth", "parent", "authorName", "content", "createdAt"}


# HTTP clients


def test_graphql_request_reads_pages_and_submits_a_reply(site: Site) -> None:
    report = _run_node("graphql-request.mjs", site)

    assert report["posts"] == site.posts[:4]
    assert report["authors"] == ["Dana Runner"]
    assert report["topLevel"] == site.top
    assert report["replies"] == site.replies
    submitted = report["submitted"]
    assert submitted["errors"] == []
    assert submitted["moderationStatus"] == "APPROVED"
    assert submitted["comment"]["depth"] == 1
    assert submitted["comment"]["authorName"] == "Regular"


def test_apollo_upload_client_uploads_a_photo(site: Site, tmp_path: Path) -> None:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(jpeg(640, 480, gps=True))
    report = _run_node("apollo-upload.mjs", site, editorToken=site.editor_token, file=str(photo))

    payload = report["payload"]
    assert payload["errors"] == []
    item = payload["mediaItem"]
    assert (item["mimeType"], item["width"], item["height"]) == ("image/jpeg", 640, 480)
    assert item["altText"] == "Sent by Apollo"
    assert item["url"].startswith(f"{site.url}/media/")
    assert report["item"] == {
        "__typename": "MediaItem",
        "id": item["id"],
        "title": "From apollo",
        "altText": "Sent by Apollo",
    }
    assert report["served"]["status"] == 200
    assert report["served"]["type"] == "image/jpeg"
    stored = site.media / item["url"].removeprefix(f"{site.url}/media/")
    assert report["served"]["length"] == stored.stat().st_size
    assert has_metadata(stored.read_bytes()) == []


def test_apollo_client_appends_pages_normalises_and_updates_from_a_mutation(site: Site) -> None:
    report = _run_node("apollo.mjs", site)

    assert report["posts"]["sizes"] == [2, 4]
    assert report["posts"]["ids"] == site.posts[:4]
    assert report["posts"]["hasNextPage"] is True
    assert len(set(report["posts"]["cursors"])) == 4
    assert report["comments"]["sizes"] == [2, 4]
    assert report["comments"]["ids"] == site.top[:4]
    assert report["replies"]["sizes"] == [2, 3]
    assert report["replies"]["ids"] == site.replies
    assert report["replies"]["hasNextPage"] is False
    assert report["thread"]["sizes"] == [4, 8]
    assert report["thread"]["ids"] == site.thread[:8]
    # One cache entry per comment, however many queries read it.
    assert report["distinctComments"] == 8
    assert report["commentEntries"] == 8
    assert report["topCommentEntry"] == site.top[0]
    mutation = report["mutation"]
    assert (mutation["moderationStatus"], mutation["errors"]) == ("APPROVED", [])
    assert mutation["countAfter"] == mutation["countBefore"] + 1
    assert mutation["requestsForIt"] == ["Submit"]  # no refetch: the answer updated the cache


def test_urql_with_its_default_exchanges_queries_and_submits(site: Site) -> None:
    report = _run_node("urql-default.mjs", site)

    assert report["posts"]["error"] is None
    assert [p["id"] for p in report["posts"]["data"]["posts"]["nodes"]] == site.posts[:3]
    assert report["posts"]["data"]["posts"]["totalCount"] == len(site.posts)
    assert report["submitted"]["error"] is None
    payload = report["submitted"]["data"]["submitComment"]
    assert (payload["moderationStatus"], payload["errors"]) == ("APPROVED", [])
    # urql's own Accept header, answered with JSON (its first choice), not an event stream.
    assert report["answeredAs"] == 2 * [
        {
            "accept": "application/graphql-response+json, application/graphql+json, "
            "application/json, text/event-stream, multipart/mixed",
            "type": "application/graphql-response+json",
        }
    ]


def test_urql_graphcache_pages_every_connection_without_a_warning(site: Site) -> None:
    report = _run_node("urql-graphcache.mjs", site)

    assert report["postPage"] == site.main_post
    assert report["posts"] == {"sizes": [2, 4], "ids": site.posts[:4]}
    assert report["comments"] == {"sizes": [2, 4], "ids": site.top[:4]}
    assert report["replies"] == {"sizes": [2, 3], "ids": site.replies}
    assert report["thread"] == {"sizes": [4, 8], "ids": site.thread[:8]}
    assert report["submitted"]["errors"] == []
    assert report["submitted"]["moderationStatus"] == "APPROVED"
    # The README's keys name exactly the schema's object types without an `id` (graphcache
    # embeds connections, edges and PageInfo itself).
    schema = build_schema((ROOT / "schema.graphql").read_text(encoding="utf-8"))
    keyless = {
        name
        for name, kind in schema.type_map.items()
        if isinstance(kind, GraphQLObjectType)
        and "id" not in kind.fields
        and not name.startswith("__")
        and name not in ("Query", "Mutation", "Subscription", "PageInfo")
        and not name.endswith(("Connection", "Edge"))
    }
    assert sorted(report["embeddedTypes"]) == sorted(keyless)


# Subscriptions


def test_graphql_ws_receives_a_new_comment(site: Site) -> None:
    _assert_delivered(_run_node("graphql-ws.mjs", site))


def test_graphql_sse_receives_a_new_comment_and_answers_a_query(site: Site) -> None:
    report = _run_node("graphql-sse.mjs", site)

    _assert_delivered(report)
    # A query over graphql-sse: one result, then the stream's end.
    [answer] = report["query"]
    assert set(answer) <= {"data", "extensions"}, answer
    assert answer["data"] == {"posts": {"nodes": [{"id": site.main_post}]}}


# Python gql


def test_python_gql_fetches_the_schema_and_validates_every_readme_example(site: Site) -> None:
    report = _run_python(
        "http_client.py", site, readme=README_DOCUMENTS, schemaFile=str(ROOT / "schema.graphql")
    )

    assert {"Post", "Comment", "SubmitCommentPayload", "Subscription"} <= set(report["schemaTypes"])
    # What introspection serves is the committed schema, type for type.
    assert report["schemaTypes"] == report["committedSchemaTypes"]
    assert report["invalid"] == {}
    assert report["invalidAgainstCommitted"] == {}
    assert report["validated"] == len(README_DOCUMENTS)
    assert report["topLevel"] == site.top
    assert report["submitted"]["errors"] == []
    assert report["submitted"]["moderationStatus"] == "APPROVED"


def test_python_gql_subscribes_over_a_websocket(site: Site) -> None:
    report = _run_python("ws_client.py", site, subscription=_readme_document("Added"))

    assert report["subprotocol"] == "graphql-transport-ws"
    _assert_delivered({"submitted": report["submitted"], "event": {"data": report["event"]}})


# GraphiQL


@pytest.fixture(scope="module")
async def chromium() -> AsyncIterator[Browser]:
    # Playwright's async API: its sync one runs a loop of its own, which breaks the
    # asynchronous `site` fixture's teardown.
    require(CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install -y chromium")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=TIMEOUT_MS
        )
        try:
            yield browser
        finally:
            await browser.close()


@pytest.mark.browser
async def test_graphiql_runs_a_subscription_and_shows_the_event(
    site: Site, chromium: Browser
) -> None:
    document = _readme_document("Added")
    query = urllib.parse.urlencode(
        {"q": document, "variables": json.dumps({"postId": site.live_post})}
    )
    context = await chromium.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    offsite: list[str] = []

    async def block(route: Route) -> None:
        # Nothing may leave the server's origin (its WebSocket included).
        offsite.append(route.request.url)
        await route.abort()

    await context.route(re.compile(rf"^(?!{re.escape(site.url)}/)"), block)
    page = await context.new_page()
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.on(
        "console",
        # Warnings too: a client test fails on anything the client complains about.
        lambda message: (
            errors.append(f"{message.type}: {message.text}")
            if message.type in ("error", "warning")
            else None
        ),
    )
    await page.goto(f"{site.url}/graphql?{query}")
    await page.wait_for_selector(".graphiql-execute-button")
    await page.wait_for_function(f"() => ({EDITOR_TEXT})('.graphiql-query-editor') !== ''")
    await page.click(".graphiql-execute-button")

    submitted: dict[str, str] = {}
    shown: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=site.url, timeout=10) as http:
        # Nothing acknowledges a subscription: submit until the page shows one.
        for attempt in range(20):
            answer = await http.post(
                "/graphql",
                json={
                    "query": SUBMIT,
                    "variables": {
                        "input": {
                            "postId": site.live_post,
                            "authorName": "Regular",
                            "authorEmail": REGULAR,
                            "content": f"Shown in GraphiQL {attempt} {time.time()}",
                        }
                    },
                },
            )
            comment = answer.json()["data"]["submitComment"]["comment"]
            submitted[comment["id"]] = comment["content"]
            await page.wait_for_timeout(500)
            text = await page.evaluate(EDITOR_TEXT, ".graphiql-response")
            if '"commentAdded"' in text:
                shown = json.loads(text)
                break
        else:
            shown = {"response": await page.evaluate(EDITOR_TEXT, ".graphiql-response")}
    await context.close()

    assert set(shown) <= {"data", "extensions"}, shown
    added = shown["data"]["commentAdded"]
    assert added["id"] in submitted
    assert added["content"] == submitted[added["id"]]
    assert offsite == []
    assert errors == []
    assert site.server_complaints() == ""


SUBMIT = """
mutation Submit($input: SubmitCommentInput!) {
  submitComment(input: $input) { moderationStatus comment { id content } errors { code } }
}
"""


# The README's client set-up


def test_the_readme_shows_the_client_setup_the_suite_runs() -> None:
    marked = dict(
        re.findall(r"<!-- (tests/clients/[\w./-]+) -->\n```js\n(.*?)```", README_TEXT, re.S)
    )

    assert sorted(marked) == ["tests/clients/apollo-cache.mjs", "tests/clients/urql-cache.mjs"]
    for path, snippet in marked.items():
        assert snippet == (ROOT / path).read_text(encoding="utf-8"), f"README differs from {path}"
