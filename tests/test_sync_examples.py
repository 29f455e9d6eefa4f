"""The ready-to-run sync clients in `examples/` (Python with httpx, Node with
graphql-request) do a full fetch, keep the token, and then fetch only what changed, against
a real server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import require
from tests.live_server import ROOT, THREADPRESS, live_server

GRAPHQL_REQUEST = ROOT / "node_modules" / "graphql-request" / "package.json"
APPROVE = (
    "mutation($id: ID!) { moderateComment(input: {id: $id, action: APPROVE}) { errors { code } } }"
)
HELD = "{ moderationQueue(first: 1) { nodes { comment { id } } } }"


def _token(env: dict[str, str], role: str) -> str:
    made = subprocess.run(
        [str(THREADPRESS), "token", "create", "--name", f"example {role}", "--role", role],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return made.stdout.splitlines()[-1]


def _seed(env: dict[str, str], tokens: dict[str, str]) -> None:
    """The demo site, a held comment to approve later, and the tokens."""
    subprocess.run([str(THREADPRESS), "demo"], env=env, cwd=ROOT, check=True, timeout=60)
    tokens["builder"] = _token(env, "builder")
    tokens["moderator"] = _token(env, "moderator")


def _client(language: str) -> list[str]:
    if language == "python":
        return [sys.executable, str(ROOT / "examples" / "sync.py"), "--url"]
    node = shutil.which("node")
    require(node is not None, "Node.js is not installed: the Node example cannot run")
    require(GRAPHQL_REQUEST.is_file(), "graphql-request is not installed: run `make assets`")
    assert node is not None
    return [node, str(ROOT / "examples" / "sync.mjs")]


@pytest.mark.parametrize("language", ["python", "node"])
def test_the_example_client_syncs_in_full_then_incrementally(tmp_path: Path, language: str) -> None:
    command = _client(language)
    tokens: dict[str, str] = {}
    state = tmp_path / "sync-token"

    with live_server(tmp_path, lambda env: _seed(env, tokens)) as url:
        env = {**os.environ, "THREADPRESS_TOKEN": tokens["builder"]}

        def run() -> str:
            arguments = (
                [*command, url, "--state", str(state)]
                if language == "python"
                else [
                    *command,
                    url,
                    str(state),
                ]
            )
            done = subprocess.run(
                arguments, env=env, capture_output=True, text=True, timeout=60, check=False
            )
            assert done.returncode == 0, done.stderr
            return done.stdout.strip()

        full = run()
        unchanged = run()
        moderator = {"Authorization": f"Bearer {tokens['moderator']}"}
        held = httpx.post(f"{url}/graphql", json={"query": HELD}, headers=moderator).json()
        held_id = held["data"]["moderationQueue"]["nodes"][0]["comment"]["id"]
        httpx.post(
            f"{url}/graphql",
            json={"query": APPROVE, "variables": {"id": held_id}},
            headers=moderator,
        ).raise_for_status()
        changed = run()

    assert full.startswith("full fetch: ")
    assert "Post" in full
    assert "Comment" in full
    assert unchanged == "incremental fetch: 0 upserts, 0 deletes"
    assert changed == "incremental fetch: 2 upserts, 0 deletes"  # the comment and its post
    assert state.read_text().strip()
