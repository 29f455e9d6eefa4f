"""The committed migrations describe the models exactly: a model change without its
migration fails here (make one with `tortoise makemigrations`)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest
from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector

from models.config import tortoise_config
from tests.conftest import _create_postgres_database, _drop_postgres_database


async def test_models_and_committed_migrations_agree() -> None:
    config = tortoise_config("sqlite://:memory:")
    apps = config["apps"]

    async with TortoiseContext() as context:
        await context.init(config=config)
        assert context.apps is not None
        pending = await MigrationAutodetector(context.apps, apps).changes()

    assert [writer.name for writer in pending] == []


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
async def test_a_database_with_content_upgrades(kind: str, tmp_path: Path) -> None:
    """An operator's database of the first round, with rows in it, migrates to the end: a
    column added to a table that has rows needs a column default (Tortoise's AddField does
    not make one from a Python default), and data the new columns derive is filled in."""
    postgres_name = None
    if kind == "sqlite":
        url = f"sqlite://{tmp_path}/upgrade.sqlite3"
    else:
        url, postgres_name = await _create_postgres_database()
    try:
        done = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "tests.upgrade.from_0007", url],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        if postgres_name:
            await _drop_postgres_database(postgres_name)
    assert done.returncode == 0, done.stderr[-3000:]
    upgraded = json.loads(done.stdout.strip().splitlines()[-1])
    assert upgraded["categories"] == [
        {"slug": "running", "uri": "/category/running/"},
        {"slug": "trail", "uri": "/category/running/trail/"},
        {"slug": "ultra", "uri": "/category/running/trail/ultra/"},
    ]
    assert upgraded["posts"] == [{"slug": "hills", "uri": "/2020/01/01/hills/"}]
