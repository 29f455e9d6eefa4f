"""A real `threadpress serve` on a free loopback port, for the tests that need a server
process (the HTTP audit, the browser, the sync examples)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
THREADPRESS = Path(sys.executable).with_name("threadpress")
STARTUP_SECONDS = 30.0


def free_port() -> int:
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


def wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
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
    url = f"http://127.0.0.1:{free_port()}"
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
            wait_until_healthy(url, process, log)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


@contextmanager
def serve_process(workdir: Path, env: dict[str, str], name: str = "server") -> Iterator[str]:
    """`threadpress serve` on a free loopback port with exactly `env` (a database that is
    already migrated); yields the base URL; the server is always stopped."""
    url = f"http://127.0.0.1:{free_port()}"
    log = workdir / f"{name}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(THREADPRESS), "serve", "--port", url.rsplit(":", 1)[1]],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_healthy(url, process, log)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
