"""`make bench` / `make bench-full`: Threadpress measured side by side with its references.

For each database: build the deterministic data set, start Threadpress twice (response cache
off and on), the hand-written equivalent and, on PostgreSQL, PostGraphile 4; capture
Threadpress's answers, check that the hand-written app answers the same JSON, start the
ceiling with the captured bytes, then run rounds (ours, ceiling, hand-written, peer, ours, ...)
with wrk and print medians and ratios. Ratios are the result: the machine is shared and noisy.

    .venv/bin/python -m bench.run [--full] [--posts 200 --comments 10000 ...] [--duration 5]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import database, dataset, loadgen, peer, references, workloads
from bench.database import BenchDatabase
from bench.servers import Server, free_port, post
from bench.workloads import Workload

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
THREADPRESS = ROOT / ".venv" / "bin" / "threadpress"
ADMIN_DSN = os.environ.get(
    "THREADPRESS_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test"
)
BENCH_DB = "threadpress_bench"
MB = 1024 * 1024

OURS_OFF = "ours, cache off"
OURS_ON = "ours, cache on"
CEILING = "ceiling"
CEILING_MIDDLEWARE = "ceiling + middleware"
HANDWRITTEN = "hand-written"
PEER = "PostGraphile 4"

SERVER_ENV = {
    "THREADPRESS_TRUSTED_PROXIES": "127.0.0.1",
    "THREADPRESS_FLOOD_SECONDS": "0",
    "THREADPRESS_COMMENT_RATE_LIMIT": "1000000/minute",
    # A fixed key: in development the server would otherwise write one under .threadpress/.
    "THREADPRESS_SECRET_KEY": "bench-only-secret-key-never-used-in-production-0123",
}


@dataclass
class Measured:
    """Every round of one server on one workload."""

    runs: list[loadgen.RunResult] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return statistics.median(r.rate for r in self.runs)

    @property
    def p50(self) -> float:
        return statistics.median(r.p50_ms for r in self.runs)

    @property
    def p99(self) -> float:
        return statistics.median(r.p99_ms for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(r.peak_rss for r in self.runs) / MB

    @property
    def failures(self) -> int:
        return sum(r.failures for r in self.runs)


@dataclass
class Section:
    """The results on one database and data set."""

    label: str
    results: dict[str, dict[str, Measured]] = field(default_factory=dict)  # workload -> server
    titles: dict[str, str] = field(default_factory=dict)
    statements: dict[str, dict[str, int]] = field(default_factory=dict)  # cache -> workload
    notes: list[str] = field(default_factory=list)


def log(message: str) -> None:
    """Progress, on stderr so the tables on stdout stay clean."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def cache_is_implemented() -> bool:
    """Whether this server reads THREADPRESS_RESPONSE_CACHE at all (until it does, the
    "cache on" rows measure the same uncached server twice)."""
    return any(
        "THREADPRESS_RESPONSE_CACHE" in path.read_text(errors="ignore")
        for path in (ROOT / "gql").rglob("*.py")
    )


# --- capturing and checking answers ------------------------------------------------------------


def _answer(port: int, body: bytes, what: str) -> bytes:
    status, answer = post(port, body, {"X-Forwarded-For": "198.51.100.1"})
    parsed = json.loads(answer)
    if status != 200 or "errors" in parsed:
        raise RuntimeError(f"{what}: HTTP {status}: {answer[:500]!r}")
    return answer


def walk(port: int, template: bytes, what: str) -> dict[bytes, bytes]:
    """Every page of a paged workload, following cursors: {request body: answer}."""
    pages: dict[bytes, bytes] = {}
    cursor: str | None = None
    while True:
        body = workloads.page_body(template, cursor)
        answer = _answer(port, body, what)
        pages[body] = answer
        connection = next(iter(json.loads(answer)["data"].values()))
        if not connection["pageInfo"]["hasNextPage"]:
            return pages
        cursor = connection["pageInfo"]["endCursor"]


def capture(
    port: int, chosen: list[Workload], data: dataset.Dataset
) -> dict[str, dict[bytes, bytes]]:
    """Threadpress's answers to each workload's requests (all pages of a paged one)."""
    captured: dict[str, dict[bytes, bytes]] = {}
    for workload in chosen:
        if workload.paged:
            captured[workload.key] = walk(port, workload.body, workload.title)
        elif workload.key == "submit":
            body = workloads.submit_body(data, 0).replace(b"bench0@", b"bench-capture@")
            answer = _answer(port, body, workload.title)
            if b'"errors":[]' not in answer:
                raise RuntimeError(f"submitComment was refused: {answer[:500]!r}")
            captured[workload.key] = {body: answer}
        else:
            captured[workload.key] = {workload.body: _answer(port, workload.body, workload.title)}
    return captured


def _nodes(value: Any) -> int:
    """How many comment nodes an answer holds, at any depth (to compare with the peer's)."""
    if isinstance(value, dict):
        return sum(
            (
                len(v)
                if k == "nodes" and v and isinstance(v[0], dict) and "authorName" in v[0]
                else 0
            )
            + _nodes(v)
            for k, v in value.items()
        )
    if isinstance(value, list):
        return sum(_nodes(v) for v in value)
    return 0


def check_same_answers(
    name: str, port: int, captured: dict[str, dict[bytes, bytes]], chosen: list[Workload]
) -> None:
    """Assert that `name` answers every captured read exactly as Threadpress did (parsed)."""
    for workload in chosen:
        if not workload.read:
            continue
        for body, expected in captured[workload.key].items():
            got = _answer(port, body, f"{name}, {workload.title}")
            if json.loads(got) != json.loads(expected):
                raise RuntimeError(
                    f"{name} answers {workload.title} differently from Threadpress:\n"
                    f"  ours: {expected[:300]!r}...\n  {name}: {got[:300]!r}..."
                )


def check_peer(
    port: int, captured: dict[str, dict[bytes, bytes]], chosen: list[Workload]
) -> list[str]:
    """The peer's documents must read as much as ours: same number of comments and pages."""
    notes: list[str] = []
    for workload in chosen:
        if workload.peer_body is None:
            continue
        ours = captured[workload.key]
        if workload.paged:
            theirs = walk(port, workload.peer_body, f"{PEER}, {workload.title}")
            same = len(theirs) == len(ours)
            detail = f"{len(theirs)} pages vs our {len(ours)}"
        else:
            (expected,) = ours.values()
            answer = _answer(port, workload.peer_body, f"{PEER}, {workload.title}")
            ours_n, theirs_n = _nodes(json.loads(expected)), _nodes(json.loads(answer))
            same = ours_n == theirs_n
            detail = (
                f"{len(answer):,} bytes, {theirs_n} comments "
                f"(ours: {len(expected):,} bytes, {ours_n})"
            )
        if not same:
            raise RuntimeError(f"{PEER} reads a different amount for {workload.title}: {detail}")
        notes.append(f"{PEER} {workload.title}: {detail}")
    return notes


def count_statements(
    url: str, chosen: list[Workload], data: dataset.Dataset, cache: str
) -> dict[str, int]:
    """SQL statements per request of each workload, in-process (see bench.statements)."""
    spec: dict[str, list[str]] = {}
    for workload in chosen:
        if workload.paged:
            first = workloads.page_body(workload.body, None)
            bodies = [first, first]
        elif workload.key == "submit":
            bodies = [
                workloads.submit_body(data, 0).replace(b"bench0@", f"count-{cache}-{n}@".encode())
                for n in range(2)
            ]
        else:
            bodies = [workload.body, workload.body]
        spec[workload.key] = [base64.b64encode(b).decode() for b in bodies]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(spec, handle)
    try:
        completed = subprocess.run(
            [str(PYTHON), "-m", "bench.statements", handle.name],
            cwd=ROOT,
            env={
                **os.environ,
                **SERVER_ENV,
                "DATABASE_URL": url,
                "THREADPRESS_RESPONSE_CACHE": cache,
            },
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
    finally:
        os.unlink(handle.name)
    counts: dict[str, int] = json.loads(completed.stdout.strip().splitlines()[-1])
    return counts


# --- servers -------------------------------------------------------------------------------------


@contextmanager
def running(servers: list[Server]) -> Iterator[None]:
    """Start `servers` (in order) and stop every one that started, whatever happens."""
    started: list[Server] = []
    try:
        for server in servers:
            log(f"starting {server.name} on port {server.port}")
            server.start()
            started.append(server)
        yield
    finally:
        for server in reversed(started):
            server.stop()


def ours(name: str, db: BenchDatabase, cache: str, workdir: Path) -> Server:
    """Threadpress itself, exactly as deployed: `threadpress serve`, one worker."""
    port = free_port()
    return Server(
        name=name,
        command=[str(THREADPRESS), "serve", "--host", "127.0.0.1", "--port", str(port)],
        port=port,
        env={**SERVER_ENV, "DATABASE_URL": db.url, "THREADPRESS_RESPONSE_CACHE": cache},
        cwd=workdir,
        log=workdir / f"ours-{cache}.log",
    )


def reference(
    name: str, arguments: list[str], workdir: Path, env: dict[str, str] | None = None
) -> Server:
    """A reference app from bench.references, on a port of its own."""
    port = free_port()
    return Server(
        name=name,
        command=[str(PYTHON), "-m", "bench.references", *arguments, "--port", str(port)],
        port=port,
        env={"PYTHONPATH": str(ROOT), **(env or {})},
        cwd=ROOT,
        log=workdir / f"{name.replace(' ', '-')}.log",
    )


# --- measuring -----------------------------------------------------------------------------------


def measure(
    workload: Workload,
    targets: list[tuple[str, Server, bytes]],
    settings: loadgen.Settings,
    run_id: str,
) -> dict[str, Measured]:
    """Warm each server up, then run the rounds in alternation; every run is kept."""
    kind = "pages" if workload.paged else "submit" if workload.key == "submit" else "static"
    if kind == "submit":
        # wrk's submit script numbers commenters: the body's email holds __N__.
        targets = [(n, s, b.replace(b"bench0@", b"bench__N__@")) for n, s, b in targets]
    results = {name: Measured() for name, _, _ in targets}
    for index, (_name, server, body) in enumerate(targets):
        loadgen.run(
            server.port, server.pid, kind, body, settings, duration=settings.warmup,
            extra_args=(f"{run_id}w{index}",) if kind == "submit" else (),
        )  # fmt: skip
    for round_number in range(settings.rounds):
        for index, (name, server, body) in enumerate(targets):
            result = loadgen.run(
                server.port, server.pid, kind, body, settings,
                extra_args=(f"{run_id}r{round_number}t{index}",) if kind == "submit" else (),
            )  # fmt: skip
            results[name].runs.append(result)
            log(
                f"{workload.title:<20} round {round_number + 1} {name:<16} "
                f"{result.rate:9.1f}/s p50 {result.p50_ms:7.1f} ms "
                f"rss {result.peak_rss / MB:6.1f} MB"
                + (f"  FAILED {result.failures}" if result.failures else "")
            )
    return results


def bench_database(
    kind: str,
    sizes: dataset.Sizes,
    keys: list[str],
    settings: loadgen.Settings,
    use_peer: bool,
    workdir: Path,
    label: str,
) -> Section:
    """Build the data on one database and measure `keys` there."""
    section = Section(label=label)
    log(f"{label}: building the data set ({sizes.posts} posts, {sizes.comments} comments)")
    data = dataset.build(sizes)
    if data.max_comment_depth() + 1 > dataset.MAX_DEPTH:
        raise RuntimeError("the data set is deeper than the nested query reads")
    if kind == "postgres":
        db = database.create_postgres(ADMIN_DSN, BENCH_DB)
    else:
        db = database.create_sqlite(workdir / "bench.sqlite3")
    try:
        database.migrate(db.url)
        (database.fill_postgres if kind == "postgres" else database.fill_sqlite)(db, data)
        section.notes.append(
            f"data: {len(data.posts)} posts, {len(data.comments)} comments, "
            f"{len(data.authors)} authors, {sizes.categories_per_post} categories per post; "
            f"post page: {data.feature_post.uri} with "
            f"{sum(1 for c in data.comments if c.post_id == data.feature_post_id)} comments "
            f"down to depth {data.max_comment_depth()}"
        )
        section.notes.append(f"peer: {'on' if use_peer else 'skipped'}")
        _measure_all(section, db, data, keys, settings, use_peer, workdir)
    finally:
        if kind == "postgres":
            database.drop_postgres(ADMIN_DSN, BENCH_DB)
    return section


def _measure_all(
    section: Section,
    db: BenchDatabase,
    data: dataset.Dataset,
    keys: list[str],
    settings: loadgen.Settings,
    use_peer: bool,
    workdir: Path,
) -> None:
    every = workloads.all_workloads(data)
    chosen = [every[k] for k in keys]
    section.titles = {w.key: w.title for w in chosen}
    for cache in ("off", "on"):
        section.statements[cache] = count_statements(db.url, chosen, data, cache)
    off, on = ours(OURS_OFF, db, "off", workdir), ours(OURS_ON, db, "on", workdir)
    hand = reference(
        HANDWRITTEN,
        [
            "handwritten",
            "--database",
            db.kind,
            "--dsn",
            db.dsn,
            "--extensions",
            str(workdir / "ext.json"),
        ],
        workdir,
    )
    the_peer = None
    if use_peer:
        peer.hide_other_tables(db.dsn)
        port = free_port()
        the_peer = Server(PEER, peer.command(db.dsn, port), port, cwd=peer.PEER_DIR,
                          log=workdir / "peer.log", ready_path="/graphql")  # fmt: skip
    with running([off, on]):
        captured = capture(off.port, chosen, data)
        reads = [w for w in chosen if w.read]
        check_same_answers(OURS_ON, on.port, captured, reads)
        extensions = {
            json.loads(body)["query"]: json.loads(answer).get("extensions")
            for w in reads
            for body, answer in captured[w.key].items()
        }
        (workdir / "ext.json").write_text(json.dumps(extensions))
        by_body = {b: a for pages in captured.values() for b, a in pages.items()}
        default = next(iter(captured["submit"].values())) if "submit" in captured else b"{}"
        references.save_responses(workdir / "ceiling.json", by_body, default)
        ceiling = reference(
            CEILING, ["ceiling", "--responses", str(workdir / "ceiling.json")], workdir
        )
        # The same bytes behind Threadpress's middleware, configured as our server is.
        ceiling_middleware = reference(
            CEILING_MIDDLEWARE,
            ["ceiling", "--middleware", "--responses", str(workdir / "ceiling.json")],
            workdir,
            env={**SERVER_ENV, "DATABASE_URL": db.url},
        )
        with running([ceiling, ceiling_middleware, hand, *([the_peer] if the_peer else [])]):
            check_same_answers(HANDWRITTEN, hand.port, captured, reads)
            section.notes.append(
                "hand-written answers equal ours (parsed JSON): "
                + ", ".join(w.title for w in reads)
            )
            if the_peer:
                section.notes.extend(check_peer(the_peer.port, captured, chosen))
            for workload in chosen:
                targets: list[tuple[str, Server, bytes]] = []
                if workload.read:
                    targets += [(OURS_OFF, off, workload.body), (OURS_ON, on, workload.body)]
                else:
                    targets.append((OURS_ON, on, workload.body))
                targets.append((CEILING, ceiling, workload.body))
                if workload.read:
                    targets.append((CEILING_MIDDLEWARE, ceiling_middleware, workload.body))
                if workload.read:
                    targets.append((HANDWRITTEN, hand, workload.body))
                if the_peer and workload.peer_body is not None:
                    targets.append((PEER, the_peer, workload.peer_body))
                run_id = f"{section.label[:2]}{workload.key}{int(time.time())}".replace(" ", "")
                section.results[workload.key] = measure(workload, targets, settings, run_id)
                for name, measured in section.results[workload.key].items():
                    if any(r.requests == 0 for r in measured.runs):
                        section.notes.append(
                            f"**{name} completed no request in a {settings.duration} s run of "
                            f"{workload.title}**: use a longer --duration"
                        )


# --- the report ----------------------------------------------------------------------------------


def _ratio(section: Section, key: str, ours_name: str, reference_name: str) -> float | None:
    row = section.results.get(key, {})
    if ours_name not in row or reference_name not in row or not row[reference_name].rate:
        return None
    return row[ours_name].rate / row[reference_name].rate


def _fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def report(section: Section) -> list[str]:
    """The tables of one section."""
    lines = [f"### {section.label}", ""]
    lines += [f"- {note}" for note in section.notes]
    lines += [
        "",
        "| workload | server | req/s | p50 ms | p99 ms | peak RSS MB | failed |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for key, row in section.results.items():
        unit = " (pages/s)" if key == "build" else ""
        for name, measured in row.items():
            lines.append(
                f"| {section.titles[key]}{unit} | {name} | {measured.rate:,.1f} | "
                f"{measured.p50:.1f} | {measured.p99:.1f} | {measured.peak_mb:.0f} | "
                f"{measured.failures} |"
            )
    lines += [
        "",
        "| workload | ours | / ceiling | / ceiling + middleware | / hand-written "
        "| / PostGraphile 4 |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for key, row in section.results.items():
        for ours_name in (OURS_OFF, OURS_ON):
            if ours_name in row:
                lines.append(
                    f"| {section.titles[key]} | {ours_name.removeprefix('ours, ')} | "
                    f"{_fmt(_ratio(section, key, ours_name, CEILING), 4)} | "
                    f"{_fmt(_ratio(section, key, ours_name, CEILING_MIDDLEWARE), 4)} | "
                    f"{_fmt(_ratio(section, key, ours_name, HANDWRITTEN))} | "
                    f"{_fmt(_ratio(section, key, ours_name, PEER))} |"
                )
    if section.statements:
        lines += [
            "",
            "SQL statements per request (Threadpress, in-process, exact; the second of two "
            "identical requests):",
            "",
        ]
        lines += ["| workload | cache off | cache on |", "|---|---:|---:|"]
        for key in section.titles:
            lines.append(
                f"| {section.titles[key]} | {section.statements['off'].get(key, '—')} | "
                f"{section.statements['on'].get(key, '—')} |"
            )
    return lines


def targets_report(sections: list[Section], build_memory: list[tuple[str, float]]) -> list[str]:
    """The pass/fail lines."""
    lines = ["### Targets", "", "| target | measured | |", "|---|---:|---|"]

    def line(text: str, value: float | None, goal: float, above: bool = True) -> None:
        if value is None:
            lines.append(f"| {text} | — | not measured |")
            return
        met = value >= goal if above else value < goal
        lines.append(f"| {text} | {value:.2f} | {'met' if met else 'not met'} |")

    # The targets hold on both databases; PostGraphile runs on PostgreSQL only, so its
    # lines are left out where it did not run.
    for section in sections:
        tag = section.label
        with_peer = section.label.startswith("PostgreSQL")
        if "post" in section.results:
            line(f"{tag}: uncached post page >= 0.5 x hand-written",
                 _ratio(section, "post", OURS_OFF, HANDWRITTEN), 0.5)  # fmt: skip
            if with_peer:
                line(f"{tag}: uncached post page >= 0.5 x PostGraphile",
                     _ratio(section, "post", OURS_OFF, PEER), 0.5)  # fmt: skip
        if "home" in section.results and with_peer:
            line(f"{tag}: uncached home page >= 0.5 x PostGraphile",
                 _ratio(section, "home", OURS_OFF, PEER), 0.5)  # fmt: skip
        for key, title in section.titles.items():
            if key in ("submit",) or PEER not in section.results.get(key, {}):
                continue
            line(
                f"{tag}: cached {title} >= 5 x PostGraphile",
                _ratio(section, key, OURS_ON, PEER),
                5.0,
            )
        for key, title in section.titles.items():
            if CEILING_MIDDLEWARE in section.results.get(key, {}):
                line(
                    f"{tag}: cached {title} >= 0.5 x the ceiling with the same middleware",
                    _ratio(section, key, OURS_ON, CEILING_MIDDLEWARE),
                    0.5,
                )
    for label, peak in build_memory:
        line(f"build fetch peak RSS < 300 MB ({label}), MB", peak, 300.0, above=False)
    if len(build_memory) == 2 and build_memory[0][1]:
        lines.append(
            f"| build fetch peak RSS growth, 10x data | "
            f"x{build_memory[1][1] / build_memory[0][1]:.2f} | flat is ~x1 |"
        )
    return lines


def machine() -> str:
    """One line about where this ran."""
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return (
        f"{os.cpu_count()} cores (nproc), {model}, Python {platform.python_version()}, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Threadpress beside its references.")
    parser.add_argument(
        "--full", action="store_true", help="every workload, SQLite too, the 10x data set"
    )
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--comments", type=int, default=10_000)
    parser.add_argument("--authors", type=int, default=20)
    parser.add_argument("--categories-per-post", type=int, default=3)
    parser.add_argument("--feature-comments", type=int, default=240)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=1, help="seconds per server and workload")
    parser.add_argument("--workloads", help="comma-separated: home,post,thread,build,submit")
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--output", type=Path, help="also write the report (Markdown) here")
    args = parser.parse_args()

    started = time.monotonic()
    if not loadgen.wrk_available():
        raise SystemExit(
            "wrk is not installed and could not be installed (`apt-get install -y wrk`): "
            "the benchmark needs a real load generator, so it stops here."
        )
    settings = loadgen.Settings(
        args.duration, args.connections, args.threads, args.rounds, args.warmup
    )
    sizes = dataset.Sizes(
        args.posts, args.authors, args.categories_per_post, args.comments, args.feature_comments
    )
    keys = (
        args.workloads.split(",")
        if args.workloads
        # The build fetch first, on fresh servers: its peak memory is then its own, comparable
        # with the 10x data set's, not what earlier workloads left behind.
        else ["build", "home", "post", "thread", "submit"]
        if args.full
        else ["home", "post", "submit"]
    )
    header = [
        "## Threadpress benchmark",
        "",
        f"- machine: {machine()}",
        f"- wrk: {settings.duration:g} s per run, {settings.rounds} rounds in alternation, "
        f"{settings.connections} connections, {settings.threads} threads "
        f"(build fetch: {settings.connections} threads of 1 connection, so each follows its own "
        f"cursors), {settings.warmup:g} s warm-up per server; figures are medians of the rounds, "
        "peak RSS the highest sample (every 20 ms, /proc, the server's process tree)",
        "- servers: one process each on 127.0.0.1; Threadpress is `threadpress serve` (1 uvicorn "
        "worker) with THREADPRESS_RESPONSE_CACHE=off or on",
    ]
    if not cache_is_implemented():
        header.append(
            "- **THREADPRESS_RESPONSE_CACHE is not read by this server yet**: the 'cache on' rows "
            "measure the same uncached code as 'cache off' (a second process)"
        )
    use_peer = not args.no_peer
    reason = peer.unavailable_reason()
    if use_peer and reason:
        header.append(f"- {reason}")
        use_peer = False
    if use_peer:
        try:
            peer.install()
        except (subprocess.SubprocessError, OSError) as error:
            header.append(f"- PostGraphile could not be installed ({error}): the peer is skipped")
            use_peer = False
    print("\n".join(header), flush=True)

    sections: list[Section] = []
    build_memory: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="threadpress-bench-") as tmp:
        workdir = Path(tmp)
        plan: list[tuple[str, dataset.Sizes, list[str], bool, str]] = [
            (
                "postgres",
                sizes,
                keys,
                use_peer,
                f"PostgreSQL, {sizes.posts} posts / {sizes.comments:,} comments",
            )
        ]
        if args.full:
            plan.append(
                (
                    "sqlite",
                    sizes,
                    keys,
                    False,
                    f"SQLite, {sizes.posts} posts / {sizes.comments:,} comments",
                )
            )
            big = replace(sizes, posts=sizes.posts * 10, comments=sizes.comments * 10)
            plan.append(
                (
                    "postgres",
                    big,
                    ["build"],
                    use_peer,
                    f"PostgreSQL, 10x data: {big.posts} posts / {big.comments:,} comments",
                )
            )
        for kind, size, chosen, with_peer, label in plan:
            section = bench_database(kind, size, chosen, settings, with_peer, workdir, label)
            sections.append(section)
            print("\n" + "\n".join(report(section)), flush=True)
            if kind == "postgres" and "build" in section.results:
                build_memory.append(
                    (f"{size.posts} posts", section.results["build"][OURS_OFF].peak_mb)
                )
    footer = [
        "",
        *targets_report(sections, build_memory),
        "",
        f"Total time: {time.monotonic() - started:.0f} s",
    ]
    print("\n".join(footer), flush=True)
    if args.output:
        args.output.write_text(
            "\n".join([*header, *(line for s in sections for line in ["", *report(s)]), *footer])
            + "\n"
        )


if __name__ == "__main__":
    main()
