"""A throwaway PostgreSQL primary with a physical streaming replica, for the read-replica
tests: two real servers on free loopback ports, in temporary folders, stopped on exit.

The clusters are made with the machine's own PostgreSQL binaries (`pg_config --bindir`, or
the newest `/usr/lib/postgresql/*/bin`): `initdb` a primary (`wal_level=replica`, trust
authentication for replication from 127.0.0.1), `pg_basebackup -R` a copy of it, which
starts as a hot standby streaming from the primary. PostgreSQL refuses to run as root, so
as root both run as the `postgres` OS user, in folders that user owns. Every wait is bounded.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from tests.live_server import free_port

START_SECONDS = 30
COMMAND_SECONDS = 60


def postgres_bindir() -> Path | None:
    """Where `initdb`, `pg_ctl` and `pg_basebackup` are, if this machine has them."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            found = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            ).stdout.strip()
            candidates.append(Path(found))
        except (OSError, subprocess.SubprocessError):
            pass
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for bindir in candidates:
        if all((bindir / tool).is_file() for tool in ("initdb", "pg_ctl", "pg_basebackup")):
            return bindir
    return None


def _as_postgres() -> list[str]:
    """The prefix that runs a command as the `postgres` OS user (nothing when not root)."""
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", "postgres", "--"]


def can_run_clusters() -> tuple[bool, str]:
    """Whether this machine can start the clusters, and why not."""
    if postgres_bindir() is None:
        return False, "PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) are not installed"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return False, "running as root and there is no `postgres` OS user to run PostgreSQL"
        if shutil.which("runuser") is None:
            return False, "running as root without `runuser` to start PostgreSQL as postgres"
    return True, ""


@dataclass(frozen=True)
class StreamingPair:
    """A running primary and its streaming standby."""

    bindir: Path
    primary_dir: Path
    standby_dir: Path
    primary_port: int
    standby_port: int

    def url(self, port: int, database: str = "postgres") -> str:
        """A Tortoise URL for `database` on the server at `port`."""
        return f"postgres://postgres@127.0.0.1:{port}/{database}"

    def primary_url(self, database: str = "postgres") -> str:
        """The primary's URL."""
        return self.url(self.primary_port, database)

    def standby_url(self, database: str = "postgres") -> str:
        """The standby's URL (read-only)."""
        return self.url(self.standby_port, database)

    def stop_primary(self) -> None:
        """Stop the primary at once, as a crash would."""
        _pg_ctl(self.bindir, self.primary_dir, "stop", "-m", "immediate")

    def start_primary(self) -> None:
        """Start the primary again (the standby reconnects by itself)."""
        _start(self.bindir, self.primary_dir, self.primary_port)

    def stop_standby(self) -> None:
        """Stop the standby at once, as a crash would."""
        _pg_ctl(self.bindir, self.standby_dir, "stop", "-m", "immediate")

    def start_standby(self) -> None:
        """Start the standby again (it resumes streaming)."""
        _start(self.bindir, self.standby_dir, self.standby_port)


def _run(command: list[str]) -> None:
    done = subprocess.run(
        [*_as_postgres(), *command], capture_output=True, text=True, timeout=COMMAND_SECONDS
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")


def _pg_ctl(bindir: Path, data: Path, *args: str) -> None:
    _run([str(bindir / "pg_ctl"), "-D", str(data), "-t", str(START_SECONDS), *args])


def _start(bindir: Path, data: Path, port: int) -> None:
    # -w waits (at most -t seconds) until the server accepts connections.
    _pg_ctl(
        bindir,
        data,
        "-w",
        "-l",
        str(data.parent / f"{data.name}.log"),
        "-o",
        f"-p {port} -k {data.parent} -c listen_addresses=127.0.0.1",
        "start",
    )


def _stop_quietly(bindir: Path, data: Path) -> None:
    if (data / "postmaster.pid").exists():
        with suppress(RuntimeError, subprocess.SubprocessError):
            _pg_ctl(bindir, data, "stop", "-m", "immediate")


@contextmanager
def streaming_pair() -> Iterator[StreamingPair]:
    """Start a primary and a standby streaming from it; stop and delete both on exit."""
    bindir = postgres_bindir()
    assert bindir is not None, "check can_run_clusters() first"
    root = Path(tempfile.mkdtemp(prefix="threadpress-replica-"))
    root.chmod(0o700)
    if os.geteuid() == 0:
        postgres = pwd.getpwnam("postgres")
        os.chown(root, postgres.pw_uid, postgres.pw_gid)
    primary_dir, standby_dir = root / "primary", root / "standby"
    primary_port, standby_port = free_port(), free_port()
    try:
        _run(
            [
                str(bindir / "initdb"),
                "-D",
                str(primary_dir),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "--no-instructions",
            ]
        )
        with (primary_dir / "postgresql.conf").open("a") as conf:
            # Enough for one standby; fsync off: a test cluster, rebuilt every run.
            conf.write(
                "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\n"
                "fsync = off\nfull_page_writes = off\nshared_buffers = 16MB\n"
                "max_connections = 40\n"
            )
        with (primary_dir / "pg_hba.conf").open("a") as hba:
            hba.write("host replication postgres 127.0.0.1/32 trust\n")
        _start(bindir, primary_dir, primary_port)
        _run(
            [
                str(bindir / "pg_basebackup"),
                "-h",
                "127.0.0.1",
                "-p",
                str(primary_port),
                "-U",
                "postgres",
                "-D",
                str(standby_dir),
                "-R",  # standby.signal and primary_conninfo: start as a streaming standby
                "-X",
                "stream",
                "--no-sync",
            ]
        )
        _start(bindir, standby_dir, standby_port)
        pair = StreamingPair(bindir, primary_dir, standby_dir, primary_port, standby_port)
        yield pair
    finally:
        _stop_quietly(bindir, standby_dir)
        _stop_quietly(bindir, primary_dir)
        shutil.rmtree(root, ignore_errors=True)
