"""The peer: PostGraphile 4 over the same PostgreSQL data, installed from `bench/peer/`'s
committed lockfile (npm ci) by the benchmark only.

PostGraphile is started read-only (`--disable-default-mutations`): its generated update
mutations clash on the `comment.client_mutation_id` column (a naming conflict that stops
schema building), and the benchmark only reads through it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

PEER_DIR = Path(__file__).resolve().parent / "peer"
BINARY = PEER_DIR / "node_modules" / ".bin" / "postgraphile"


def unavailable_reason() -> str | None:
    """Why the peer cannot run here, or None when it can."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        return "Node.js (node and npm) not found: the PostGraphile peer is skipped"
    return None


def install() -> None:
    """Install PostGraphile from the lockfile when node_modules is missing or older."""
    lockfile = PEER_DIR / "package-lock.json"
    marker = PEER_DIR / "node_modules" / ".package-lock.json"
    if BINARY.exists() and marker.exists() and marker.stat().st_mtime >= lockfile.stat().st_mtime:
        return
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=PEER_DIR,
        check=True,
        timeout=600,
    )


def command(dsn: str, port: int) -> list[str]:
    """The command that serves PostGraphile over `dsn` on loopback `port`."""
    return [
        str(BINARY),
        "--connection", dsn,
        "--schema", "public",
        "--host", "127.0.0.1",
        "--port", str(port),
        "--disable-default-mutations",
        "--disable-graphiql",
        "--disable-query-log",
    ]  # fmt: skip
