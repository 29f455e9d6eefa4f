"""Each visibility rule of `models` (models/visibility.py) is read three ways: a query-builder
filter, SQL text for the fixed reads of `models.rows`, a check of one row in memory. On a site
with every kind of post and comment, the three admit exactly the same rows. On both
databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tortoise import timezone

import models
from models.rows import COMMENTS, IN_PUBLIC_THREAD, PAGES, POSTS, PUBLIC_PAGE, PUBLIC_POST, moment
from tests import factories

pytestmark = pytest.mark.usefixtures("db")


async def test_the_public_post_rule_reads_the_same_three_ways() -> None:
    await factories.magazine()
    rule = models.PUBLIC_POST_RULE
    now = timezone.now()

    by_filter = set(await models.Post.filter(rule.filter(now)).values_list("id", flat=True))
    by_sql = {row.id for row in await POSTS.select(PUBLIC_POST, [moment(now)])}
    in_memory = {post.id for post in await models.Post.all() if rule.holds(post, now)}

    assert by_filter == by_sql == in_memory
    assert 0 < len(in_memory) < await models.Post.all().count()


async def test_scheduled_posts_are_those_the_public_rule_admits_later() -> None:
    await factories.magazine()
    rule = models.PUBLIC_POST_RULE
    now = timezone.now()
    much_later = now + timedelta(days=365 * 100)
    every = await models.Post.all()

    scheduled = set(await models.Post.filter(rule.later(now)).values_list("id", flat=True))

    assert scheduled == {
        post.id for post in every if rule.holds(post, much_later) and not rule.holds(post, now)
    }
    assert scheduled


async def test_the_comment_rules_read_the_same_three_ways() -> None:
    await factories.magazine()
    now = timezone.now()
    every = await models.Comment.all().select_related("post")
    rules = {
        "in public thread": (models.IN_PUBLIC_THREAD_RULE, IN_PUBLIC_THREAD),
        "moderation queue": (models.MODERATION_QUEUE_RULE, models.MODERATION_QUEUE_RULE.sql()),
        "public": (models.PUBLIC_COMMENT_RULE, None),
        "previewable": (models.PREVIEWABLE_COMMENT_RULE, None),
    }
    for name, (rule, sql) in rules.items():
        by_filter = set(await models.Comment.filter(rule.filter(now)).values_list("id", flat=True))
        in_memory = {comment.id for comment in every if rule.holds(comment, now)}

        assert by_filter == in_memory, name
        assert 0 < len(in_memory) < len(every), name
        if sql is not None:
            assert {row.id for row in await COMMENTS.select(sql)} == in_memory, name


def test_a_rule_through_a_relation_has_no_single_table_sql() -> None:
    with pytest.raises(ValueError, match="through a relation"):
        models.PUBLIC_COMMENT_RULE.sql()


def test_the_fixed_sql_is_the_rule_written_out() -> None:
    assert PUBLIC_POST == (
        "\"status\" = 'published' AND \"password\" = '' "
        'AND "published_at" IS NOT NULL AND "published_at" <= {0}'
    )
    assert IN_PUBLIC_THREAD == '"is_public"'
    assert models.MODERATION_QUEUE_RULE.sql() == "\"status\" = 'pending'"


async def test_the_public_page_rule_reads_the_same_three_ways() -> None:
    writer = await factories.author()
    now = timezone.now()
    about = await factories.page(writer, slug="about")
    await factories.page(writer, slug="team", parent=about)
    await factories.page(writer, slug="draft", status=models.PostStatus.DRAFT)
    await factories.page(writer, slug="private", status=models.PostStatus.PRIVATE)
    await factories.page(writer, slug="locked", password="s3cret")
    await factories.page(writer, slug="soon", published_at=now + timedelta(days=1))
    await factories.page(writer, slug="undated", published_at=None)
    rule = models.PUBLIC_PAGE_RULE

    by_filter = set(await models.Page.filter(rule.filter(now)).values_list("id", flat=True))
    by_sql = {row.id for row in await PAGES.select(PUBLIC_PAGE, [moment(now)])}
    in_memory = {page.id for page in await models.Page.all() if rule.holds(page, now)}
    later = set(await models.Page.filter(rule.later(now)).values_list("slug", flat=True))

    assert by_filter == by_sql == in_memory
    assert {page.slug for page in await models.Page.filter(id__in=in_memory)} == {"about", "team"}
    assert later == {"soon"}
