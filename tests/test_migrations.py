"""The committed migrations describe the models exactly: a model change without its
migration fails here (make one with `tortoise makemigrations`)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector

from models.config import tortoise_config, with_sqlite_pragmas
from tests.conftest import _create_postgres_database, _drop_postgres_database


async def test_models_and_committed_migrations_agree() -> None:
    config = tortoise_config("sqlite://:memory:")
    apps = config["apps"]

    async with TortoiseContext() as context:
        await context.init(config=config)
        assert context.apps is not None
        pending = await MigrationAutodetector(context.apps, apps).changes()

    assert [writer.name for writer in pending] == []


UPGRADE_WITH_ROWS = """
import asyncio, sys
from tortoise import Tortoise
from tortoise.migrations.api import migrate
from models.config import tortoise_config

async def main(url):
    config = tortoise_config(url)
    await migrate(config=config, target="models.0007_parent_index_without_top_level")
    connection = Tortoise.get_connection("default")
    await connection.execute_script(
        "INSERT INTO author (slug, name, email, bio, url, created_at, updated_at) VALUES "
        "('jo', 'Jo', 'jo@example.org', '', NULL, '2017-03-04 09:00:00+00', "
        "'2017-03-04 09:00:00+00');"
        "INSERT INTO post (slug, uri, title, title_key, excerpt, content, status, password, "
        "published_at, created_at, updated_at, comment_status, author_id) VALUES "
        "('hills', '/hills/', 'Hills', 'hills', '', '', 'published', '', NULL, "
        "'2017-03-04 09:00:00+00', '2017-03-04 09:00:00+00', 'open', 1)"
    )
    await Tortoise.close_connections()
    await migrate(config=config)
    connection = Tortoise.get_connection("default")
    _, rows = await connection.execute_query('SELECT slug, sticky FROM post')
    _, tags = await connection.execute_query('SELECT COUNT(*) FROM tag')
    _, links = await connection.execute_query('SELECT COUNT(*) FROM post_tag')
    print([(row[0], bool(row[1])) for row in rows], tags[0][0], links[0][0])
    await Tortoise.close_connections()

asyncio.run(main(sys.argv[1]))
"""


def _upgrade_with_rows(url: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", UPGRADE_WITH_ROWS, url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()


def test_the_tags_migration_upgrades_a_sqlite_database_with_rows(tmp_path: Path) -> None:
    url = with_sqlite_pragmas(f"sqlite://{tmp_path}/old.sqlite3")

    assert _upgrade_with_rows(url) == "[('hills', False)] 0 0"


async def test_the_tags_migration_upgrades_a_postgres_database_with_rows() -> None:
    url, name = await _create_postgres_database()
    try:
        upgraded = await asyncio.to_thread(_upgrade_with_rows, url)
    finally:
        await _drop_postgres_database(name)

    assert upgraded == "[('hills', False)] 0 0"
