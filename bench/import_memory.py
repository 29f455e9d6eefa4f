"""Peak memory of the WordPress importer: a ~20 MB export beside a ~200 MB one.

Each synthetic export is streamed to a temporary file, then imported into a fresh SQLite
database by a child process; the child's peak RSS (ru_maxrss, from os.wait4) is printed side
by side with the ratio. A streaming importer should show a ratio near 1, far from the ~10x
growth in file size.

    .venv/bin/python bench/import_memory.py [--small-mb 20] [--large-mb 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMENTS_PER_POST = 8
PARAGRAPH = (
    "Easy miles along the canal this morning, legs heavy after Sunday's long run. "
    "The physio says patience, the training plan says tempo, and the weather says rain. "
)

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Bench</title><wp:wxr_version>1.2</wp:wxr_version>
<wp:author><wp:author_login>bench</wp:author_login><wp:author_email>b@example.org</wp:author_email>
<wp:author_display_name>Bench Writer</wp:author_display_name></wp:author>
<wp:category><wp:term_id>1</wp:term_id><wp:category_nicename>running</wp:category_nicename>
<wp:category_parent></wp:category_parent><wp:cat_name>Running</wp:cat_name></wp:category>
"""


def _comment(cid: int, parent: int, minute: int) -> str:
    return (
        f"<wp:comment><wp:comment_id>{cid}</wp:comment_id>"
        f"<wp:comment_author>Reader {cid}</wp:comment_author>"
        f"<wp:comment_author_email>r{cid}@example.org</wp:comment_author_email>"
        f"<wp:comment_author_IP>192.0.2.1</wp:comment_author_IP>"
        f"<wp:comment_date_gmt>2017-03-05 10:{minute:02d}:00</wp:comment_date_gmt>"
        f"<wp:comment_content><![CDATA[{PARAGRAPH * 2}]]></wp:comment_content>"
        f"<wp:comment_approved>1</wp:comment_approved><wp:comment_type></wp:comment_type>"
        f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>\n"
    )


def _item(n: int) -> str:
    day = 1 + n % 28
    content = "\n\n".join([PARAGRAPH * 3] * 12)
    base = n * COMMENTS_PER_POST
    comments = "".join(
        # Every other comment replies to the one before it: threads two levels deep.
        _comment(base + i + 1, base + i if i % 2 else 0, i)
        for i in range(COMMENTS_PER_POST)
    )
    return (
        f"<item><title>Training log {n}</title>"
        f"<link>https://example.org/2017/03/{day:02d}/log-{n}/</link>"
        f"<dc:creator>bench</dc:creator><content:encoded><![CDATA[{content}]]></content:encoded>"
        f"<excerpt:encoded><![CDATA[]]></excerpt:encoded><wp:post_id>{n}</wp:post_id>"
        f"<wp:post_date_gmt>2017-03-{day:02d} 08:00:00</wp:post_date_gmt>"
        f"<wp:post_name>log-{n}</wp:post_name><wp:status>publish</wp:status>"
        f"<wp:post_type>post</wp:post_type><wp:comment_status>open</wp:comment_status>"
        f'<category domain="category" nicename="running"><![CDATA[Running]]></category>\n'
        f"{comments}</item>\n"
    )


def generate(path: Path, megabytes: int) -> int:
    """Write a synthetic export of about `megabytes` MB to `path`; returns the post count."""
    target = megabytes * 1024 * 1024
    written = posts = 0
    with path.open("w", encoding="utf-8") as out:
        written += out.write(HEAD)
        while written < target:
            posts += 1
            written += out.write(_item(posts))
        out.write("</channel></rss>\n")
    return posts


def measure(export: Path, workdir: Path) -> tuple[int, float]:
    """Import `export` into a fresh SQLite database in a child; (peak RSS in KiB, seconds)."""
    database = workdir / f"{export.stem}.sqlite3"
    started = time.monotonic()
    child = subprocess.Popen(
        [sys.executable, __file__, "--child", str(export), str(database)], cwd=ROOT
    )
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"import of {export} failed with exit code {child.returncode}")
    return usage.ru_maxrss, time.monotonic() - started


async def _child(export: Path, database: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from models.config import with_sqlite_pragmas
    from models.database import close_database, migrate_database, open_database
    from threadpress.wordpress import import_wxr

    url = with_sqlite_pragmas(f"sqlite://{database}")
    await migrate_database(url)
    await open_database(url)
    try:
        summary = await import_wxr(export, progress=False)
    finally:
        await close_database()
    print(summary.report().splitlines()[1].strip(), file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small-mb", type=int, default=20)
    parser.add_argument("--large-mb", type=int, default=200)
    parser.add_argument("--child", nargs=2, metavar=("EXPORT", "DATABASE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        asyncio.run(_child(Path(args.child[0]), Path(args.child[1])))
        return
    with tempfile.TemporaryDirectory(prefix="threadpress-bench-") as tmp:
        workdir = Path(tmp)
        rows = []
        for megabytes in (args.small_mb, args.large_mb):
            export = workdir / f"export-{megabytes}mb.xml"
            posts = generate(export, megabytes)
            size = export.stat().st_size / 1024 / 1024
            peak, seconds = measure(export, workdir)
            rows.append((size, posts, peak, seconds))
            export.unlink()
        print(f"{'export':>10} {'posts':>7} {'comments':>9} {'peak RSS':>10} {'time':>8}")
        for size, posts, peak, seconds in rows:
            print(
                f"{size:>8.0f}MB {posts:>7} {posts * COMMENTS_PER_POST:>9} "
                f"{peak / 1024:>8.1f}MB {seconds:>7.1f}s"
            )
        (small_size, _, small_peak, _), (large_size, _, large_peak, _) = rows
        print(f"file size x{large_size / small_size:.1f}, peak RSS x{large_peak / small_peak:.2f}")


if __name__ == "__main__":
    main()
