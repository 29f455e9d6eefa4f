"""An operator runs the `threadpress` command: configuration mistakes end with one clear
line and a non-zero exit, never a stack trace or a hang."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

THREADPRESS = Path(sys.executable).with_name("threadpress")


def _run(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(THREADPRESS), *args],
        env={**os.environ, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("slashes", ["///", "////"])
def test_migrate_accepts_absolute_sqlite_paths(tmp_path: Path, slashes: str) -> None:
    database = tmp_path / "site.sqlite3"

    result = _run(
        "migrate",
        env={"DATABASE_URL": f"sqlite:{slashes}{str(database).lstrip('/')}"},
        cwd=tmp_path,
    )

    assert (result.returncode, result.stdout) == (0, "Database is up to date.\n")
    assert database.is_file()


def test_a_missing_sqlite_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = _run("migrate", env={"DATABASE_URL": "sqlite://nowhere/site.sqlite3"}, cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr == (
        "threadpress: DATABASE_URL: the folder 'nowhere' of the SQLite file does not exist "
        "(use sqlite:///absolute/path.sqlite3 or sqlite://relative.sqlite3)\n"
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = {"THREADPRESS_ENV": "production", "THREADPRESS_SECRET_KEY": ""}

    result = _run("serve", "--port", "1", env=env, cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr.startswith("threadpress: THREADPRESS_SECRET_KEY is required in production")
    assert "Traceback" not in result.stderr


def test_an_unreachable_database_is_named(tmp_path: Path) -> None:
    result = _run(
        "migrate", env={"DATABASE_URL": "postgres://postgres@127.0.0.1:1/x"}, cwd=tmp_path
    )

    assert result.returncode == 1
    assert result.stderr.startswith("threadpress: cannot reach the database:")


def test_serve_refuses_several_workers_on_sqlite(tmp_path: Path) -> None:
    result = _run(
        "serve", "--workers", "2", env={"DATABASE_URL": "sqlite://x.sqlite3"}, cwd=tmp_path
    )

    assert result.returncode == 2
    assert "needs PostgreSQL" in result.stderr


def test_tokens_are_made_listed_and_revoked_from_the_command_line(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/site.sqlite3"}

    made = _run(
        "token", "create", "--name", "site build", "--role", "builder", env=env, cwd=tmp_path
    )
    twice = _run(
        "token", "create", "--name", "site build", "--role", "editor", env=env, cwd=tmp_path
    )
    listed = _run("token", "list", env=env, cwd=tmp_path)
    revoked = _run("token", "revoke", "site build", env=env, cwd=tmp_path)
    again = _run("token", "revoke", "site build", env=env, cwd=tmp_path)
    audit = _run("audit", env=env, cwd=tmp_path)

    assert made.returncode == 0
    secret = made.stdout.splitlines()[-1]
    assert secret.startswith("tp_")
    assert " " not in secret
    assert secret not in listed.stdout
    assert "site build" in listed.stdout
    assert "builder" in listed.stdout
    assert (twice.returncode, twice.stderr) == (
        1,
        "threadpress token: a token named 'site build' exists already\n",
    )
    assert (revoked.returncode, revoked.stdout) == (0, "Revoked token 'site build'.\n")
    assert (again.returncode, again.stderr) == (
        1,
        "threadpress token: no live token named 'site build'\n",
    )
    assert (audit.returncode, audit.stdout) == (0, "No writes recorded.\n")


def test_purge_addresses_runs_from_cron(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path}/site.sqlite3",
        "THREADPRESS_IP_RETENTION_DAYS": "7",
    }

    result = _run("purge-addresses", env=env, cwd=tmp_path)

    assert (result.returncode, result.stdout) == (
        0,
        "Erased the addresses of 0 comments older than 7 days.\n",
    )


def test_webhooks_are_added_listed_logged_and_removed(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/site.sqlite3"}
    hook = "https://build.example.org/hook"

    added = _run(
        "webhooks",
        "add",
        hook,
        "--secret",
        "s" * 20,
        "--events",
        "post.published",
        env=env,
        cwd=tmp_path,
    )
    unknown = _run(
        "webhooks",
        "add",
        hook,
        "--secret",
        "s" * 20,
        "--events",
        "post.eaten",
        env=env,
        cwd=tmp_path,
    )
    listed = _run("webhooks", "list", env=env, cwd=tmp_path)
    logged = _run("webhooks", "log", env=env, cwd=tmp_path)
    removed = _run("webhooks", "remove", "1", env=env, cwd=tmp_path)
    again = _run("webhooks", "remove", "1", env=env, cwd=tmp_path)

    assert (added.returncode, added.stdout) == (0, f"Added webhook 1: {hook} (post.published).\n")
    assert unknown.returncode == 2
    assert "unknown events post.eaten" in unknown.stderr
    assert listed.stdout == f"   1  {hook}  post.published\n"
    assert "s" * 20 not in listed.stdout
    assert logged.stdout == "No deliveries.\n"
    assert (removed.returncode, again.returncode) == (0, 1)


EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><wp:wxr_version>1.2</wp:wxr_version>
<wp:tag><wp:term_id>3</wp:term_id><wp:tag_slug>hills</wp:tag_slug><wp:tag_name>Hills</wp:tag_name></wp:tag>
<item><title>Repeats</title><dc:creator>kim</dc:creator>
<content:encoded><![CDATA[Up.]]></content:encoded><wp:post_id>7</wp:post_id>
<wp:post_date_gmt>2017-03-04 09:30:00</wp:post_date_gmt><wp:post_name>repeats</wp:post_name>
<wp:status>publish</wp:status><wp:post_type>post</wp:post_type><wp:is_sticky>1</wp:is_sticky>
<category domain="post_tag" nicename="hills"><![CDATA[Hills]]></category></item>
<item><title>About</title><wp:post_id>8</wp:post_id><wp:status>publish</wp:status>
<wp:post_type>page</wp:post_type></item>
<item><title>Hill photo</title><wp:post_id>9</wp:post_id><wp:status>inherit</wp:status>
<wp:post_type>attachment</wp:post_type></item>
</channel></rss>
"""


def test_import_prints_its_summary_as_json_for_scripts(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/site.sqlite3"}
    (tmp_path / "export.xml").write_text(EXPORT, encoding="utf-8")
    assert _run("migrate", env=env, cwd=tmp_path).returncode == 0

    first = _run("import", "export.xml", "--json", "--quiet", env=env, cwd=tmp_path)
    again = _run("import", "export.xml", "--json", "--quiet", env=env, cwd=tmp_path)

    assert (first.returncode, first.stderr) == (0, "")
    summary = json.loads(first.stdout)
    assert summary["kinds"]["tags"] == {"imported": 1, "updated": 0, "unchanged": 0}
    assert summary["kinds"]["posts"] == {"imported": 1, "updated": 0, "unchanged": 0}
    assert summary["kinds"]["pages"] == {"imported": 1, "updated": 0, "unchanged": 0}
    assert summary["leftOut"] == {"attachment": 1}
    assert summary["changed"] is True
    assert json.loads(again.stdout)["kinds"]["tags"] == {
        "imported": 0,
        "updated": 0,
        "unchanged": 1,
    }
    assert json.loads(again.stdout)["changed"] is False
