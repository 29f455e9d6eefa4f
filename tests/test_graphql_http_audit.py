"""The real server passes every audit of graphql-http's GraphQL-over-HTTP suite, warnings
included. Also home of `live_server`, the real `threadpress serve` the browser test uses too."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import require

ROOT = Path(__file__).resolve().parents[1]
THREADPRESS = Path(sys.executable).with_name("threadpress")
AUDIT_SCRIPT = ROOT / "tests" / "audit" / "run-audit.mjs"
GRAPHQL_HTTP = ROOT / "node_modules" / "graphql-http" / "package.json"
STARTUP_SECONDS = 30.0
AUDIT_SECONDS = 120.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def server_environment(database: Path) -> dict[str, str]:
    """The process environment with only this test's configuration of Threadpress."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("THREADPRESS_") and name not in ("DATABASE_URL", "REDIS_URL")
    }
    env.update(
        DATABASE_URL=f"sqlite://{database}",  # Tortoise: sqlite:// + absolute path
        THREADPRESS_ENV="development",
        THREADPRESS_GRAPHIQL="on",
    )
    return env


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"the server did not answer /healthz in {STARTUP_SECONDS}s")


@contextmanager
def live_server(
    workdir: Path, seed: Callable[[dict[str, str]], None] | None = None
) -> Iterator[str]:
    """`threadpress serve` on a free loopback port over a new, migrated SQLite database;
    `seed(env)` may fill it first. Yields the base URL; the server is always stopped."""
    env = server_environment(workdir / "live.sqlite3")
    subprocess.run(
        [str(THREADPRESS), "migrate"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=60,
    )
    if seed:
        seed(env)
    url = f"http://127.0.0.1:{_free_port()}"
    log = workdir / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(THREADPRESS), "serve", "--port", url.rsplit(":", 1)[1]],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_healthy(url, process, log)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def test_server_passes_every_graphql_over_http_audit(tmp_path: Path) -> None:
    node = shutil.which("node")
    require(node is not None, "Node.js is not installed: the graphql-http audit needs it")
    require(GRAPHQL_HTTP.is_file(), "graphql-http is not installed: run `npm ci`")
    assert node is not None

    with live_server(tmp_path) as url:
        audit = subprocess.run(
            [node, str(AUDIT_SCRIPT), f"{url}/graphql"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=AUDIT_SECONDS,
        )

    assert audit.returncode == 0, audit.stderr
    report = json.loads(audit.stdout)
    counts = report["counts"]
    print(
        f"graphql-http audit: {counts['ok']} pass, {counts['warn']} warn, "
        f"{counts['error']} error, {counts['notice']} notice of {report['total']}"
    )
    failed = [result for result in report["results"] if result["status"] != "ok"]
    assert failed == []
    assert counts == {"ok": report["total"], "notice": 0, "warn": 0, "error": 0}
    assert report["total"] >= 61
