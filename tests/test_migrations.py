"""The committed migrations describe the models exactly: a model change without its
migration fails here (make one with `tortoise makemigrations`)."""

from __future__ import annotations

from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector

from models.config import tortoise_config


async def test_models_and_committed_migrations_agree() -> None:
    config = tortoise_config("sqlite://:memory:")
    apps = config["apps"]

    async with TortoiseContext() as context:
        await context.init(config=config)
        assert context.apps is not None
        pending = await MigrationAutodetector(context.apps, apps).changes()

    assert [writer.name for writer in pending] == []
