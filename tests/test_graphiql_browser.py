"""A reader of the docs opens http://127.0.0.1:8000/graphql in a browser: GraphiQL starts from
this server's own files, under its Content-Security-Policy, and its example query shows a
comment thread. Real headless Chromium (Debian's package) against the real server."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, sync_playwright

from gql.http.graphiql import EXAMPLE_MUTATION, EXAMPLE_QUERY, NODE_MODULES
from tests.conftest import require
from tests.live_server import ROOT, live_server

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 30_000
# GraphiQL's scroll lock logs this when a dialog opens, because the page's body never
# scrolls (Strawberry's layout); it then uses a zero gap, which is what we want.
KNOWN_CONSOLE_NOISE = ("react-remove-scroll-bar: cannot calculate scrollbar size",)

# A post with a three-level thread.
SEED = """
import asyncio

from models.database import close_database, open_database
from tests import factories


async def main() -> None:
    await open_database()
    try:
        writer = await factories.author(name="Dana Runner")
        post = await factories.post(writer, title="Dry needling for runners")
        first = await factories.comment(post, name="Alice Commenter")
        reply = await factories.comment(post, parent=first, name="Bob Replier")
        await factories.comment(post, parent=reply, name="Carol Deepreply")
    finally:
        await close_database()


asyncio.run(main())
"""

# Playwright attaches nothing to the page; CodeMirror 5 keeps its editor on its wrapper.
EDITOR_TEXT = "selector => document.querySelector(selector + ' .CodeMirror').CodeMirror.getValue()"
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
});
"""


def _seed(env: dict[str, str]) -> None:
    # Our own small thread rather than `threadpress demo`: the test must not depend on which
    # demo post happens to be the newest.
    subprocess.run(
        [sys.executable, "-c", SEED], env=env, cwd=ROOT, check=True, capture_output=True, timeout=60
    )


def _reply_authors(post: dict[str, Any]) -> list[str]:
    """Names of those who answered a comment, at any depth the example query reads."""
    names = []
    pending = [reply for c in post["comments"]["nodes"] for reply in c["replies"]["nodes"]]
    while pending:
        comment = pending.pop(0)
        names.append(comment["authorName"])
        pending.extend(comment.get("replies", {}).get("nodes", []))
    return names


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require(CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install -y chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=TIMEOUT_MS
        )
        try:
            yield chromium
        finally:
            chromium.close()


def _open_graphiql(browser: Browser, url: str) -> tuple[Page, list[str], list[str], list[str]]:
    """A fresh page on GraphiQL; returns it with the requests, blocked off-site requests and
    console errors it records."""
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    requests: list[str] = []
    offsite: list[str] = []
    errors: list[str] = []

    def block(route: Route) -> None:
        # Nothing may leave the server's origin: record it, and never let it out.
        offsite.append(route.request.url)
        route.abort()

    context.route(re.compile(rf"^(?!{re.escape(url)}/)"), block)
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    page = context.new_page()
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    page.goto(f"{url}/graphql")
    return page, requests, offsite, errors


def test_graphiql_runs_the_example_query_from_this_server_alone(
    browser: Browser, tmp_path: Path
) -> None:
    require(NODE_MODULES.is_dir(), "GraphiQL's files are missing: run `npm ci`")

    with live_server(tmp_path, _seed) as url:
        expected = httpx.post(f"{url}/graphql", json={"query": EXAMPLE_QUERY}, timeout=10).json()
        [post] = expected["data"]["posts"]["nodes"]
        repliers = _reply_authors(post)
        assert repliers, "the example query must show a thread: its post needs replies"

        page, requests, offsite, errors = _open_graphiql(browser, url)
        page.wait_for_selector(".graphiql-execute-button")
        page.wait_for_function(f"() => ({EDITOR_TEXT})('.graphiql-query-editor') !== ''")
        opened_on = page.evaluate(EDITOR_TEXT, ".graphiql-query-editor")

        page.click(".graphiql-execute-button")
        page.wait_for_function(
            f"name => ({EDITOR_TEXT})('.graphiql-response').includes(name)", arg=repliers[-1]
        )
        shown = json.loads(page.evaluate(EDITOR_TEXT, ".graphiql-response"))

        # The dialogs add GraphiQL's one inline style: the policy must allow exactly it.
        for dialog in ("Open settings dialog", "Open short keys dialog"):
            page.click(f"[aria-label='{dialog}']")
            page.wait_for_selector("[role='dialog']")
            page.keyboard.press("Escape")
            page.wait_for_selector("[role='dialog']", state="detached")
        violations = page.evaluate("window.__cspViolations")
        tabs = page.locator(".graphiql-tab").all_inner_texts()
        page.locator(".graphiql-tab").nth(1).click()
        page.wait_for_function(
            f"() => ({EDITOR_TEXT})('.graphiql-query-editor').includes('submitComment')"
        )
        second_tab = page.evaluate(EDITOR_TEXT, ".graphiql-query-editor")
        page.context.close()

    assert opened_on == EXAMPLE_QUERY
    assert shown == expected
    assert [tab.strip() for tab in tabs] == ["PostPage", "SubmitComment"]
    assert second_tab == EXAMPLE_MUTATION
    assert offsite == []
    assert requests
    assert [r for r in requests if not r.startswith(f"{url}/")] == []
    # The 7 npm files of Strawberry's page, and our start-up script and style sheet.
    assert len({r for r in requests if r.startswith(f"{url}/graphql/assets/")}) == 9
    assert violations == []
    assert [e for e in errors if not e.startswith(KNOWN_CONSOLE_NOISE)] == []
