"""The hot public reads written as fixed SQL (`models/rows.py`, used by `gql/loaders.py`)
answer exactly what the query builder answers: the same public posts, the same order, and
rows holding the values the models hold. On both databases."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from datetime import timezone as fixed_zone
from enum import Enum

import pytest
from tortoise import timezone

import models
from gql.core.orderings import POST_ORDERINGS
from gql.loaders import Loaders
from gql.pagination import page_from_window, page_in_sql, page_request
from models.rows import (
    AUTHORS,
    CATEGORIES,
    COMMENTS,
    POSTS,
    PUBLIC_POST,
    datetime_converter,
    moment,
)
from tests import factories
from tests.factories import BASE_TIME

pytestmark = pytest.mark.usefixtures("db")


async def _every_kind_of_post() -> None:
    """Posts the public may and may not read, with ties in every sort column."""
    writer = await factories.author()
    now = timezone.now()
    await factories.post(writer, title="alpha", published_at=BASE_TIME)
    await factories.post(writer, title="Alpha", published_at=BASE_TIME)  # ties on date
    await factories.post(writer, title="beta", published_at=BASE_TIME + timedelta(days=1))
    await factories.post(writer, title="gamma", published_at=now - timedelta(seconds=1))
    await factories.post(writer, title="scheduled", published_at=now + timedelta(days=1))
    await factories.post(writer, title="locked", password="secret")
    await factories.post(writer, title="undated", published_at=None)
    for status in (models.PostStatus.DRAFT, models.PostStatus.PENDING, models.PostStatus.PRIVATE):
        await factories.post(writer, title=status.value, status=status)


async def test_public_posts_in_sql_are_the_public_post_filter() -> None:
    await _every_kind_of_post()
    now = timezone.now()

    in_sql = await POSTS.select(PUBLIC_POST, [moment(now)])
    by_orm = await models.Post.filter(models.public_post_filter(now)).values_list("id", flat=True)

    assert sorted(row.id for row in in_sql) == sorted(by_orm)
    assert {row.title for row in in_sql} == {"alpha", "Alpha", "beta", "gamma"}


@pytest.mark.parametrize("ordering", list(POST_ORDERINGS), ids=lambda key: f"{key[0]}-{key[1]}")
@pytest.mark.parametrize("direction", ["first", "last"])
async def test_the_first_page_in_sql_is_the_query_builders(
    ordering: tuple[str, bool], direction: str
) -> None:
    await _every_kind_of_post()
    loaders = Loaders(timezone.now())
    order = POST_ORDERINGS[ordering]
    for size in (0, 1, 2, 3, 10):
        if direction == "first":
            page = page_request(order, size, None, None, None)
        else:
            page = page_request(order, None, None, size, None)
        window = await loaders.public_posts_window(order, page)
        expected = await page_in_sql(loaders.public_posts(), order, page)

        assert [row.id for row in window[:size]][:: 1 if page.forward else -1] == [
            row.id for row in expected.rows
        ]
        assert (len(window) > size) == (
            expected.has_next if page.forward else expected.has_previous
        )


@pytest.mark.parametrize("ordering", list(POST_ORDERINGS), ids=lambda key: f"{key[0]}-{key[1]}")
@pytest.mark.parametrize("direction", ["after", "before"])
async def test_every_page_from_a_cursor_in_sql_is_the_query_builders(
    ordering: tuple[str, bool], direction: str
) -> None:
    await _every_kind_of_post()
    loaders = Loaders(timezone.now())
    order = POST_ORDERINGS[ordering]
    every = order.sort(await loaders.public_posts())
    for row in every:  # a page of 2 from each post's own cursor, as a build walks them
        cursor = order.encode_cursor(row)
        if direction == "after":
            page = page_request(order, 2, cursor, None, None)
        else:
            page = page_request(order, None, None, 2, cursor)
        window = await loaders.public_posts_window(order, page)
        expected = await page_in_sql(loaders.public_posts(), order, page)

        assert window is not None
        page_in_fixed_sql = page_from_window(window, page)
        assert [r.id for r in page_in_fixed_sql.rows] == [r.id for r in expected.rows]
        assert page_in_fixed_sql.has_next == expected.has_next
        assert page_in_fixed_sql.has_previous == expected.has_previous


async def test_a_cursor_with_a_null_is_left_to_the_query_builder() -> None:
    await _every_kind_of_post()
    loaders = Loaders(timezone.now())
    order = POST_ORDERINGS[("PUBLISHED_AT", True)]
    null_date = json.dumps([order.name, [None, 5]]).encode()
    page = page_request(order, None, None, 2, base64.urlsafe_b64encode(null_date).decode())

    assert await loaders.public_posts_window(order, page) is None


async def test_rows_hold_what_the_models_hold() -> None:
    writer = await factories.author(name="Ana Runner")
    parent_category = await factories.category()
    category = await factories.category(parent=parent_category)
    post = await factories.post(writer, categories=[category])
    comment = await factories.comment(post)
    reply = await factories.comment(post, parent=comment)

    readers = (
        (POSTS, models.Post, post.id),
        (AUTHORS, models.Author, writer.id),
        (CATEGORIES, models.Category, category.id),
        (COMMENTS, models.Comment, reply.id),
    )
    for reader, model, pk in readers:
        (row,) = await reader.select(f'"id" = {pk}')
        stored = await model.get(id=pk)
        for name, value in row._asdict().items():
            expected = getattr(stored, name)
            assert value == expected, (model.__name__, name)
            # Enum columns stay plain strings in rows (StrEnum members equal them).
            if not isinstance(expected, Enum):
                assert type(value) is type(expected), (model.__name__, name)
            if hasattr(value, "isoformat"):
                assert value.isoformat() == expected.isoformat(), (model.__name__, name)


def test_datetimes_convert_as_tortoise_converts_them() -> None:
    """The converter that reads the time-zone settings once gives what Tortoise's own
    `to_python_value` gives, value for value and time zone for time zone."""
    field = models.Comment._meta.fields_map["created_at"]
    convert = datetime_converter(field)  # type: ignore[arg-type]
    values = [
        None,
        datetime(2024, 3, 1, 12, 30, tzinfo=UTC),  # PostgreSQL's driver
        datetime(2024, 3, 1, 12, 30, tzinfo=fixed_zone(timedelta(hours=-5))),
        datetime(2024, 3, 1, 12, 30),  # naive
        "2024-03-01 12:30:00.123456+00:00",  # SQLite's text
        "2024-03-01 07:30:00-05:00",
        "2024-03-01T12:30:00",
    ]
    for value in values:
        expected = field.to_python_value(value)
        converted = convert(value)
        assert converted == expected, value
        if expected is not None:
            assert converted.isoformat() == expected.isoformat(), value
            assert converted.utcoffset() == expected.utcoffset(), value
