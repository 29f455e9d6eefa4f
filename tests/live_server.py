"""Real `threadpress serve` processes on free loopback ports, for the tests that need a
server process (the HTTP audit, the browser, the sync examples, several processes sharing
one PostgreSQL and one Redis)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
THREADPRESS = Path(sys.executable).with_name("threadpress")
STARTUP_SECONDS = 30.0
COMMAND_SECONDS = 60.0
STOP_SECONDS = 10.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def server_environment(database: Path) -> dict[str, str]:
    """The process environment with only this test's configuration of Threadpress."""
    # Tortoise: sqlite:// + absolute path
    return database_environment(f"sqlite://{database}")


def database_environment(database_url: str) -> dict[str, str]:
    """The process environment over `database_url`, with no Threadpress configuration
    inherited from the caller's (no REDIS_URL either: a test asks for it)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("THREADPRESS_") and name not in ("DATABASE_URL", "REDIS_URL")
    }
    env.update(
        DATABASE_URL=database_url,
        THREADPRESS_ENV="development",
        THREADPRESS_GRAPHIQL="on",
    )
    return env


def run_command(env: dict[str, str], *arguments: str) -> str:
    """Run `threadpress <arguments>` to completion (bounded); its standard output."""
    result = subprocess.run(
        [str(THREADPRESS), *arguments],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=COMMAND_SECONDS,
        check=False,
    )
    assert result.returncode == 0, (
        f"threadpress {' '.join(arguments)} exited with {result.returncode}:\n{result.stderr}"
    )
    return result.stdout


def wait_until_healthy(
    url: str, process: subprocess.Popen[bytes], log: Path, probe: str = "/healthz"
) -> None:
    """Wait (bounded) until the server answers 200 at `probe`; fail with its log if it
    exits first."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}{probe}", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"the server did not answer {probe} in {STARTUP_SECONDS}s")


@dataclass
class Server:
    """One `threadpress serve` process: its base URL, process and log file."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL, as a crash or the OOM killer would; waits for it to be gone."""
        if self.alive:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=STOP_SECONDS)

    def stop(self) -> None:
        """SIGTERM (a graceful shutdown), SIGKILL if that takes too long."""
        if self.alive:
            self.process.terminate()
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=STOP_SECONDS)
        self.kill()


def launch_server(env: dict[str, str], log: Path) -> Server:
    """Start `threadpress serve` on a free loopback port; not yet waited for."""
    port = free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(THREADPRESS), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return Server(f"http://127.0.0.1:{port}", process, log)


@contextmanager
def live_servers(env: dict[str, str], count: int, workdir: Path) -> Iterator[list[Server]]:
    """`count` servers with `env` over one (migrated) database, started together and each
    ready (/readyz: its database answers). Yields them; every one is stopped at the end,
    whatever happened (a test may have killed some already)."""
    servers: list[Server] = []
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        for n in range(count):
            servers.append(launch_server(env, workdir / f"server-{n}.log"))
        for server in servers:
            wait_until_healthy(server.url, server.process, server.log, probe="/readyz")
        yield servers
    finally:
        # All asked to stop first, so their graceful shutdowns overlap.
        for server in servers:
            if server.alive:
                server.process.terminate()
        for server in servers:
            server.stop()


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
    with serve_process(workdir, env) as url:
        yield url


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
