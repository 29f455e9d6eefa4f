"""Driving a server with wrk for a fixed time and concurrency, and reading its result line.

The Lua scripts in `bench/wrk/` share `report.lua`, which prints one `BENCH_RESULT {json}`
line; a script file for wrk is that file followed by the workload's own script.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.servers import HOST, RssSampler

WRK_DIR = Path(__file__).resolve().parent / "wrk"


@dataclass(frozen=True)
class Settings:
    """How hard and how long each measured run drives its server."""

    duration: int = 5  # wrk takes whole seconds
    connections: int = 8
    threads: int = 2
    rounds: int = 3
    warmup: int = 1


@dataclass(frozen=True)
class RunResult:
    """One wrk run against one server."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    failures: int  # non-2xx, socket errors, timeouts and bodies the script judged wrong
    walks: int  # complete build fetches (paged workloads only)
    peak_rss: int  # bytes, the server's process tree

    @property
    def rate(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_available() -> bool:
    """Whether the wrk binary is on PATH."""
    return shutil.which("wrk") is not None


def script_file(kind: str, workdir: Path) -> Path:
    """The wrk script for `kind` (static, submit or pages), with the shared report code."""
    path = workdir / f"{kind}.lua"
    if not path.exists():
        path.write_text(
            (WRK_DIR / "report.lua").read_text() + "\n" + (WRK_DIR / f"{kind}.lua").read_text()
        )
    return path


def run(
    port: int,
    pid: int,
    kind: str,
    body: bytes,
    settings: Settings,
    *,
    duration: int | None = None,
    extra_args: tuple[str, ...] = (),
) -> RunResult:
    """Drive the server on `port` (process `pid`) with the `kind` script sending `body`."""
    seconds = settings.duration if duration is None else duration
    # A paged walk must keep each cursor on its own connection: one connection per thread.
    threads = settings.connections if kind == "pages" else settings.threads
    with tempfile.TemporaryDirectory(prefix="threadpress-wrk-") as tmp:
        workdir = Path(tmp)
        body_file = workdir / "body.json"
        body_file.write_bytes(body)
        command = [
            "wrk",
            f"-t{threads}",
            f"-c{settings.connections}",
            f"-d{max(1, seconds)}s",
            "--timeout",
            "20s",
            "-s",
            str(script_file(kind, workdir)),
            f"http://{HOST}:{port}/graphql",
            "--",
            str(body_file),
            *extra_args,
        ]
        with RssSampler(pid) as sampler:
            completed = subprocess.run(
                command, capture_output=True, text=True, timeout=seconds + 60, check=False
            )
    for line in completed.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            raw = json.loads(line.removeprefix("BENCH_RESULT "))
            break
    else:
        raise RuntimeError(f"wrk printed no result:\n{completed.stdout}\n{completed.stderr}")
    return RunResult(
        requests=raw["requests"],
        seconds=raw["duration_us"] / 1e6,
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        failures=raw["non2xx"] + raw["socket_errors"] + raw["timeouts"] + raw["failed"],
        walks=raw["walks"],
        peak_rss=sampler.peak,
    )
