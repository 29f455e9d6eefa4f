"""Run as a program by tests/test_migrations.py: migrate a new database to 0007 (the schema
of the first round), fill it with a little of everything, migrate it to the end, and print
what the later migrations made of the rows as JSON. A process of its own, because
migrations initialise Tortoise's global state, which the test session holds."""

from __future__ import annotations

import asyncio
import json
import sys

from tortoise import Tortoise
from tortoise.migrations.api.migrate import migrate

from models.config import tortoise_config

BEFORE = "models.0007_parent_index_without_top_level"

ROWS = [
    "INSERT INTO author (slug, name, email, created_at, updated_at)"
    " VALUES ('maya', 'Maya', 'maya@example.org', '2020-01-01', '2020-01-01')",
    "INSERT INTO category (slug, name, parent_id, created_at, updated_at)"
    " VALUES ('running', 'Running', NULL, '2020-01-01', '2020-01-01')",
    "INSERT INTO category (slug, name, parent_id, created_at, updated_at)"
    " VALUES ('trail', 'Trail', 1, '2020-01-01', '2020-01-01')",
    "INSERT INTO category (slug, name, parent_id, created_at, updated_at)"
    " VALUES ('ultra', 'Ultra', 2, '2020-01-01', '2020-01-01')",
    "INSERT INTO post (slug, uri, title, title_key, excerpt, content, status, password,"
    " published_at, created_at, updated_at, comment_status, author_id)"
    " VALUES ('hills', '/2020/01/01/hills/', 'Hills', 'hills', '', '<p>Up.</p>', 'published',"
    " '', '2020-01-01', '2020-01-01', '2020-01-01', 'open', 1)",
    "INSERT INTO post_category (post_id, category_id) VALUES (1, 3)",
]


async def main(url: str) -> None:
    await migrate(config=tortoise_config(url), target=BEFORE)
    connection = Tortoise.get_connection("default")
    for statement in ROWS:
        await connection.execute_script(statement)
    await Tortoise.close_connections()
    await migrate(config=tortoise_config(url))
    connection = Tortoise.get_connection("default")
    categories = await connection.execute_query_dict("SELECT slug, uri FROM category ORDER BY id")
    posts = await connection.execute_query_dict("SELECT slug, uri FROM post ORDER BY id")
    await Tortoise.close_connections()
    print(json.dumps({"categories": categories, "posts": posts}))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
