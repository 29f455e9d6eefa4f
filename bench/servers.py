"""Starting and stopping the measured servers, and sampling their memory from /proc.

Every server is its own process group on loopback, so stopping one ends exactly the
processes it started (npx starts node as a child, for instance), and nothing else.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port nobody listens on right now, on loopback."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def post(port: int, body: bytes, headers: Mapping[str, str] | None = None) -> tuple[int, bytes]:
    """POST `body` to /graphql on `port`; the status and the raw response body."""
    request = urllib.request.Request(
        f"http://{HOST}:{port}/graphql",
        data=body,
        headers={"Content-Type": "application/json", **(headers or {})},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _descendants(pid: int) -> list[int]:
    """`pid` and every process below it (from /proc's children lists)."""
    found = [pid]
    for current in found:
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                found.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                continue
    return found


def rss_bytes(pid: int) -> int:
    """Resident memory of `pid` and its children, now (VmRSS from /proc)."""
    total = 0
    for each in _descendants(pid):
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


class RssSampler:
    """Samples a process tree's RSS every 20 ms while in use; `peak` is the highest seen."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = rss_bytes(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_bytes(self.pid))

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes(self.pid))


@dataclass
class Server:
    """A server process under test."""

    name: str
    command: Sequence[str]
    port: int
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    log: Path | None = None
    ready_path: str = "/healthz"
    process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 90.0) -> None:
        """Start the process and wait until it answers on its port."""
        log = self.log.open("ab") if self.log else subprocess.DEVNULL
        self.process = subprocess.Popen(
            list(self.command),
            env={**os.environ, **self.env},
            cwd=self.cwd,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.process.returncode}{self._tail()}"
                )
            try:
                with urllib.request.urlopen(
                    f"http://{HOST}:{self.port}{self.ready_path}", timeout=2
                ):
                    return
            except urllib.error.HTTPError:
                return  # it answers, even if not 200 (PostGraphile's GET /graphql is 405)
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer within {timeout:.0f} s{self._tail()}")

    def _tail(self) -> str:
        if self.log is None or not self.log.exists():
            return ""
        return "; its log ends:\n" + "\n".join(
            self.log.read_text(errors="replace").splitlines()[-15:]
        )

    @property
    def pid(self) -> int:
        """The server's process id."""
        assert self.process is not None, f"{self.name} is not running"
        return self.process.pid

    def stop(self) -> None:
        """Stop the server's process group: SIGTERM, then SIGKILL after 10 s."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
