"""Per-request DataLoaders: one batch function per relation, each one SQL query (two where
a many-to-many hop needs it), named `<thing>_by_<key>`.

Every loader applies the visibility rules of `models` (`PUBLIC_POST_RULE`,
`PUBLIC_COMMENT_RULE`: as query-builder filters, or as the SQL text of `models.rows` for the
fixed reads), so a relation can never reach a draft post or a held comment; and every loader
answers rows (`models.rows`), never model instances, so each GraphQL type reads one shape.
Lists that belong to many parents at once (replies of every comment on a level, posts of
every author on a page) are fetched for the whole batch in one query and paged in memory;
a batch of a single parent pages in SQL instead, so a long list is never read whole to show
one page of it.

The loaders are `gql.core.dataloader.RequestLoader`s: a field that gives up on a load (graphql-core
cancels the siblings of an error) never cancels it for the fields that still wait for it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import datetime
from typing import Any, Literal, TypeVar

from tortoise.functions import Count
from tortoise.queryset import QuerySet

import models
from gql.cache.dependencies import Dependencies
from gql.core.dataloader import RequestLoader
from gql.core.orderings import COMMENT_ORDERING, DEFAULT_POST_ORDERING
from gql.engine.internals import held_by_loader
from gql.pagination import Ordering, Page, PageRequest, page_in_memory, page_in_sql
from models.database import primary_connection
from models.rows import (
    AUTHORS,
    CATEGORIES,
    COMMENTS,
    IN_PUBLIC_THREAD,
    MEDIA_ITEMS,
    MEDIA_SIZES,
    MENU_ITEMS,
    MENUS,
    PAGES,
    POSTS,
    PUBLIC_PAGE,
    PUBLIC_POST,
    TAGS,
    AuthorRow,
    CategoryRow,
    CommentRow,
    MediaItemRow,
    MediaSizeRow,
    MenuItemRow,
    MenuRow,
    PageRow,
    PostRow,
    RowReader,
    TagRow,
    counts,
    fetch,
    integer_list,
    moment,
    post_column_value,
)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
RowT = TypeVar("RowT", bound=tuple[Any, ...])

PostPageKey = tuple[int, PageRequest]
"""(parent id, page) for the posts of one author, category or tag."""


def _by_key(keys: Sequence[K], found: dict[K, V]) -> list[V | None]:
    return [found.get(key) for key in keys]


def _grouped(rows: Iterable[V], key: Callable[[V], K]) -> dict[K, list[V]]:
    groups: dict[K, list[V]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return groups


async def load_level(loader: RequestLoader[K, V], keys: Sequence[K]) -> list[V]:
    """What `loader.load_many(keys)` answers, for a caller that holds a whole level's keys
    (the level-by-level executor's whole-level resolvers): values the loader already holds
    are taken from it, the others come from one call of the batch function, without a
    future and a callback per key. A single key still goes through the loader, so
    graphql-core's one-object-at-a-time calls batch as before."""
    if len(keys) < 2:
        return await loader.load_many(keys)
    found: dict[K, V] = {}
    missing: list[K] = []
    for key in dict.fromkeys(keys):
        held = held_by_loader(loader, key)
        if held is not None and held.done() and not held.cancelled() and not held.exception():
            found[key] = held.result()
        else:
            missing.append(key)
    if missing:
        for key, value in zip(missing, await loader.fetch(missing), strict=True):
            if isinstance(value, BaseException):
                raise value
            found[key] = value
    return [found[key] for key in keys]


async def counts_by(query: Any, group_field: str) -> dict[int, int]:
    """How many rows of `query` each value of `group_field` has, in one GROUP BY."""
    rows = await query.group_by(group_field).annotate(n=Count("id")).values_list(group_field, "n")
    return {int(group): int(n) for group, n in rows}


async def _public_comments_in_thread_order(
    column: Literal["parent_id", "post_id"], ids: Sequence[int], *, top_level: bool = False
) -> list[CommentRow]:
    """Public comments whose `column` is one of `ids`, in thread order: the hottest read of
    a post page (once per thread level), as fixed SQL and plain rows (`models.rows`)."""
    parent = ' AND "parent_id" IS NULL' if top_level else ""
    return await COMMENTS.select(
        f'"{column}" IN ({integer_list(ids)}) AND {IN_PUBLIC_THREAD}{parent}', order_by='"path"'
    )


async def _filed_under(
    reader: RowReader[RowT], through: str, key: str, post_ids: Sequence[int]
) -> list[tuple[int, RowT]]:
    """(post id, row) for every row of `reader`'s table a post of `post_ids` is filed under
    through the table `through` (`post_category`, `post_tag`; `key` its column naming the
    row), by post and then row id: one join, where the query builder needs two
    statements."""
    table = reader.table
    records = await fetch(
        reader.connection(),
        f'SELECT "{through}"."post_id", {reader.columns} FROM "{table}" '  # noqa: S608
        f'JOIN "{through}" ON "{through}"."{key}" = "{table}"."id" '
        f'WHERE "{through}"."post_id" IN ({integer_list(post_ids)}) '
        f'ORDER BY "{through}"."post_id", "{table}"."id"',
    )
    rows = reader.rows(records, offset=1)
    return [(int(record[0]), row) for record, row in zip(records, rows, strict=True)]


async def _categories_of_posts(post_ids: Sequence[int]) -> list[tuple[int, CategoryRow]]:
    """(post id, category) for every category of `post_ids`, by post and then category id."""
    return await _filed_under(CATEGORIES, "post_category", "category_id", post_ids)


async def _tags_of_posts(post_ids: Sequence[int]) -> list[tuple[int, TagRow]]:
    """(post id, tag) for every tag of `post_ids`, by post and then tag id."""
    return await _filed_under(TAGS, "post_tag", "tag_id", post_ids)


class Loaders:
    """The loaders of one request; `now` is the request's clock for scheduled posts, and
    `depends` records what the response read (see `gql.cache.dependencies`)."""

    def __init__(
        self, now: datetime, depends: Dependencies | None = None, *, see_drafts: bool = False
    ) -> None:
        self.now = now
        self.depends = depends or Dependencies()
        self.see_drafts = see_drafts
        self.post_by_id = RequestLoader(self._post_by_id)
        self.author_by_id = RequestLoader(self._author_by_id)
        self.category_by_id = RequestLoader(self._category_by_id)
        self.comment_by_id = RequestLoader(self._comment_by_id)
        self.categories_by_post = RequestLoader(self._categories_by_post)
        self.tag_by_id = RequestLoader(self._tag_by_id)
        self.tags_by_post = RequestLoader(self._tags_by_post)
        self.post_count_by_tag = RequestLoader(self._post_count_by_tag)
        self.posts_by_tag = RequestLoader(self._posts_by_tag)
        self.children_by_category = RequestLoader(self._children_by_category)
        self.post_count_by_category = RequestLoader(self._post_count_by_category)
        self.post_count_by_author = RequestLoader(self._post_count_by_author)
        self.posts_by_category = RequestLoader(self._posts_by_category)
        self.posts_by_author = RequestLoader(self._posts_by_author)
        self.comment_count_by_post = RequestLoader(self._comment_count_by_post)
        self.reply_count_by_comment = RequestLoader(self._reply_count_by_comment)
        self.top_level_comments_by_post = RequestLoader(self._top_level_comments_by_post)
        self.replies_by_comment = RequestLoader(self._replies_by_comment)
        self.comment_thread_by_post = RequestLoader(self._comment_thread_by_post)
        self.page_by_id = RequestLoader(self._page_by_id)
        self.children_by_page = RequestLoader(self._children_by_page)
        self.media_item_by_id = RequestLoader(self._media_item_by_id)
        self.sizes_by_media_item = RequestLoader(self._sizes_by_media_item)
        self.public_post_by_id = RequestLoader(self._public_post_by_id)
        self.public_page_by_id = RequestLoader(self._public_page_by_id)
        self.menu_by_id = RequestLoader(self._menu_by_id)
        self.menu_item_by_id = RequestLoader(self._menu_item_by_id)
        self.menu_items_by_menu = RequestLoader(self._menu_items_by_menu)

    def close(self) -> None:
        """The operation is over (cancelled), or fresh loaders replace these: end what they
        still run (see `RequestLoader.close`)."""
        for loader in vars(self).values():
            if isinstance(loader, RequestLoader):
                loader.close()

    # --- visibility -----------------------------------------------------------------------
    # The rules are `models`' (one home each); these apply them at this request's time.

    def public_posts(self) -> QuerySet[models.Post]:
        """Posts the public may read, at this request's time."""
        return models.Post.filter(models.PUBLIC_POST_RULE.filter(self.now))

    def public_comments(self) -> QuerySet[models.Comment]:
        """Comments the public may read, at this request's time."""
        return models.Comment.filter(models.PUBLIC_COMMENT_RULE.filter(self.now))

    def public_comments_and_held(self) -> QuerySet[models.Comment]:
        """Comments on public posts that are public or wait for moderation (for preview
        tokens only: the token decides whose held comment may be read)."""
        return models.Comment.filter(models.PREVIEWABLE_COMMENT_RULE.filter(self.now))

    async def previewed_post(self, pk: int) -> PostRow | None:
        """The post `pk` whatever its status (a draft opened by its preview token), from
        the primary: an editor has just written it, and a replica may not have it yet."""
        query = models.Post.filter(id=pk).using_db(primary_connection()).limit(1)
        return next(iter(await POSTS.read(query)), None)

    async def previewed_page(self, pk: int) -> PageRow | None:
        """The page `pk` whatever its status (opened by its preview token), from the
        primary, as `previewed_post`."""
        query = models.Page.filter(id=pk).using_db(primary_connection()).limit(1)
        return next(iter(await PAGES.read(query)), None)

    async def readable_post(
        self, column: Literal["id", "uri", "slug", "wp_id"], value: int | str
    ) -> PostRow | None:
        """The post whose `column` (unique) is `value`, if this request may read it by id,
        slug, uri or WordPress id: a public one, or for an editor any post (drafts,
        scheduled, private; lists stay public for everyone). One fixed statement."""
        if self.see_drafts:
            rows = await POSTS.select(f'"{column}" = {{0}}', [value], limit=1)
        else:
            rows = await POSTS.select(
                f'"{column}" = {{1}} AND {PUBLIC_POST}', [moment(self.now), value], limit=1
            )
        return rows[0] if rows else None

    def public_pages(self) -> QuerySet[models.Page]:
        """Pages the public may read, at this request's time."""
        return models.Page.filter(models.PUBLIC_PAGE_RULE.filter(self.now))

    async def readable_page(
        self, column: Literal["id", "uri", "wp_id"], value: int | str
    ) -> PageRow | None:
        """The page whose `column` (unique) is `value`, if this request may read it: a public
        one, or for an editor any page (as `readable_post`). One fixed statement."""
        if self.see_drafts:
            rows = await PAGES.select(f'"{column}" = {{0}}', [value], limit=1)
        else:
            rows = await PAGES.select(
                f'"{column}" = {{1}} AND {PUBLIC_PAGE}', [moment(self.now), value], limit=1
            )
        return rows[0] if rows else None

    async def public_posts_window(
        self, ordering: Ordering, page: PageRequest
    ) -> list[PostRow] | None:
        """The `page.size + 1` public posts from where `page` starts, in its direction, as
        `page_in_sql` reads them with no filter: the home page, and every page of a
        build's fetch, as one fixed statement. None for a cursor holding a null (none of
        ours does: public posts have a `published_at`), which the query builder answers.

        The keyset condition is `Ordering.beyond`'s, written out: past the cursor's first
        value, or equal to it and past its second... (the nulls-last clause a nullable field
        adds there matches no public post, so it is left out)."""
        towards_smaller = ordering.descending == page.forward
        direction = "DESC" if towards_smaller else "ASC"
        order_by = ", ".join(f'"{field.name}" {direction}' for field in ordering.fields)
        where = PUBLIC_POST
        values: list[Any] = [moment(self.now)]
        cursor = page.after if page.forward else page.before
        if cursor is not None:
            if any(value is None for value in cursor):
                return None
            past = "<" if towards_smaller else ">"
            alternatives: list[str] = []
            equal_so_far: list[str] = []
            for field, value in zip(ordering.fields, cursor, strict=True):
                marker = f"{{{len(values)}}}"
                values.append(post_column_value(field.name, value))
                alternatives.append(
                    " AND ".join([*equal_so_far, f'"{field.name}" {past} {marker}'])
                )
                equal_so_far.append(f'"{field.name}" = {marker}')
            where += " AND (" + " OR ".join(f"({one})" for one in alternatives) + ")"
        return await POSTS.select(where, values, order_by=order_by, limit=page.size + 1)

    # --- objects by id ----------------------------------------------------------------------

    async def _post_by_id(self, ids: list[int]) -> list[PostRow | None]:
        """The posts of `ids` this request may read, as `readable_post` decides for one."""
        self.depends.posts(ids)
        where = f'"id" IN ({integer_list(ids)})'
        if self.see_drafts:
            rows = await POSTS.select(where)
        else:
            rows = await POSTS.select(f"{where} AND {PUBLIC_POST}", [moment(self.now)])
        return _by_key(ids, {row.id: row for row in rows})

    async def _page_by_id(self, ids: list[int]) -> list[PageRow | None]:
        """The pages of `ids` this request may read, as `readable_page` decides for one."""
        self.depends.pages(ids)
        where = f'"id" IN ({integer_list(ids)})'
        if self.see_drafts:
            rows = await PAGES.select(where)
        else:
            rows = await PAGES.select(f"{where} AND {PUBLIC_PAGE}", [moment(self.now)])
        return _by_key(ids, {row.id: row for row in rows})

    async def _public_page_by_id(self, ids: list[int]) -> list[PageRow | None]:
        """The public pages of `ids`, for editors too (as `_public_post_by_id`)."""
        self.depends.pages(ids)
        where = f'"id" IN ({integer_list(ids)}) AND {PUBLIC_PAGE}'
        rows = await PAGES.select(where, [moment(self.now)])
        return _by_key(ids, {row.id: row for row in rows})

    async def _public_post_by_id(self, ids: list[int]) -> list[PostRow | None]:
        """The public posts of `ids`, for editors too: what a menu links to is shown only
        while it is public (see `models.menu_tree`)."""
        self.depends.posts(ids)
        where = f'"id" IN ({integer_list(ids)}) AND {PUBLIC_POST}'
        rows = await POSTS.select(where, [moment(self.now)])
        return _by_key(ids, {row.id: row for row in rows})

    async def _author_by_id(self, ids: list[int]) -> list[AuthorRow | None]:
        self.depends.authors(ids)
        rows = await AUTHORS.select(f'"id" IN ({integer_list(ids)})')
        return _by_key(ids, {row.id: row for row in rows})

    async def _category_by_id(self, ids: list[int]) -> list[CategoryRow | None]:
        self.depends.categories(ids)
        rows = await CATEGORIES.select(f'"id" IN ({integer_list(ids)})')
        return _by_key(ids, {row.id: row for row in rows})

    async def _tag_by_id(self, ids: list[int]) -> list[TagRow | None]:
        self.depends.tag_nodes(ids)
        rows = await TAGS.select(f'"id" IN ({integer_list(ids)})')
        return _by_key(ids, {row.id: row for row in rows})

    async def _comment_by_id(self, ids: list[int]) -> list[CommentRow | None]:
        self.depends.comments(ids)
        rows = await COMMENTS.read(self.public_comments().filter(id__in=ids))
        self.depends.comments_of({row.post_id for row in rows})
        return _by_key(ids, {row.id: row for row in rows})

    # --- media ----------------------------------------------------------------------------
    # Every media item is public (`models.media`): no rule to apply, only what was read.

    async def _media_item_by_id(self, ids: list[int]) -> list[MediaItemRow | None]:
        self.depends.media_items(ids)
        rows = await MEDIA_ITEMS.select(f'"id" IN ({integer_list(ids)})')
        return _by_key(ids, {row.id: row for row in rows})

    async def _sizes_by_media_item(self, ids: list[int]) -> list[list[MediaSizeRow]]:
        """The renditions of each item, smallest first (WebP after the original's format at
        one width), as they exist now: a rendition still being made is not listed."""
        self.depends.media_items(ids)
        rows = await MEDIA_SIZES.select(
            f'"media_item_id" IN ({integer_list(ids)})', order_by='"width", "name", "id"'
        )
        groups = _grouped(rows, key=lambda row: row.media_item_id)
        return [groups.get(mid, []) for mid in ids]

    async def _menu_by_id(self, ids: list[int]) -> list[MenuRow | None]:
        self.depends.menus(ids)
        rows = await MENUS.select(f'"id" IN ({integer_list(ids)})')
        return _by_key(ids, {row.id: row for row in rows})

    async def _menu_item_by_id(self, ids: list[int]) -> list[MenuItemRow | None]:
        # Found or not, an item is its menu's data: a new one comes with a write of a menu
        # (its own tag, or `menus` for a new menu).
        self.depends.menu_list()
        rows = await MENU_ITEMS.select(f'"id" IN ({integer_list(ids)})')
        self.depends.menus({row.menu_id for row in rows})
        return _by_key(ids, {row.id: row for row in rows})

    # --- menus ------------------------------------------------------------------------------

    async def _menu_items_by_menu(self, menu_ids: list[int]) -> list[list[MenuItemRow]]:
        """Every item of each menu, all levels at once (the tree is built in memory)."""
        self.depends.menus(menu_ids)
        rows = await MENU_ITEMS.select(
            f'"menu_id" IN ({integer_list(menu_ids)})', order_by='"position", "id"'
        )
        groups = _grouped(rows, key=lambda row: row.menu_id)
        return [groups.get(mid, []) for mid in menu_ids]

    # --- categories -------------------------------------------------------------------------

    async def _categories_by_post(self, post_ids: list[int]) -> list[list[CategoryRow]]:
        self.depends.posts(post_ids)  # which categories a post is in is the post's own data
        pairs = await _categories_of_posts(post_ids)
        self.depends.categories({category.id for _, category in pairs})
        by_post = _grouped(pairs, key=lambda pair: pair[0])
        return [[category for _, category in by_post.get(pid, [])] for pid in post_ids]

    async def _children_by_category(self, ids: list[int]) -> list[list[CategoryRow]]:
        self.depends.category_list()
        rows = await CATEGORIES.select(f'"parent_id" IN ({integer_list(ids)})', order_by='"id"')
        groups = _grouped(rows, key=lambda row: row.parent_id)
        return [groups.get(cid, []) for cid in ids]

    async def _post_count_by_category(self, ids: list[int]) -> list[int]:
        self.depends.post_list()
        counts = await counts_by(
            self.public_posts().filter(categories__id__in=ids), "categories__id"
        )
        return [counts.get(cid, 0) for cid in ids]

    # --- tags -------------------------------------------------------------------------------

    async def _tags_by_post(self, post_ids: list[int]) -> list[list[TagRow]]:
        self.depends.posts(post_ids)  # which tags a post has is the post's own data
        pairs = await _tags_of_posts(post_ids)
        self.depends.tag_nodes({tag.id for _, tag in pairs})
        by_post = _grouped(pairs, key=lambda pair: pair[0])
        return [[tag for _, tag in by_post.get(pid, [])] for pid in post_ids]

    async def _post_count_by_tag(self, ids: list[int]) -> list[int]:
        self.depends.post_list()
        counts = await counts_by(self.public_posts().filter(tags__id__in=ids), "tags__id")
        return [counts.get(tid, 0) for tid in ids]

    async def _post_count_by_author(self, ids: list[int]) -> list[int]:
        self.depends.post_list()
        counts = await counts_by(self.public_posts().filter(author_id__in=ids), "author_id")
        return [counts.get(aid, 0) for aid in ids]

    # --- pages -----------------------------------------------------------------------------

    async def _children_by_page(self, ids: list[int]) -> list[list[PageRow]]:
        """The public children of each page, in menu order: one statement for a level."""
        self.depends.page_list()
        rows = await PAGES.select(
            f'"parent_id" IN ({integer_list(ids)}) AND {PUBLIC_PAGE}',
            [moment(self.now)],
            order_by='"parent_id", "menu_order", "id"',
        )
        groups = _grouped(rows, key=lambda row: row.parent_id)
        return [groups.get(pid, []) for pid in ids]

    # --- posts of a parent ------------------------------------------------------------------

    async def _posts_by_category(self, keys: list[PostPageKey]) -> list[Page[PostRow]]:
        return await self._posts_filed_under("categories__id", keys)

    async def _posts_by_tag(self, keys: list[PostPageKey]) -> list[Page[PostRow]]:
        return await self._posts_filed_under("tags__id", keys)

    async def _posts_filed_under(
        self, relation: Literal["categories__id", "tags__id"], keys: list[PostPageKey]
    ) -> list[Page[PostRow]]:
        """Pages of the public posts filed under each key's category or tag (`relation`
        names the hop): one keyset query for a single parent, else one query for the
        pairs and one for the posts, paged in memory."""
        self.depends.post_list()
        if len(keys) == 1:
            ((parent_id, page),) = keys
            query = self.public_posts().filter(**{relation: parent_id})
            return [await page_in_sql(query, DEFAULT_POST_ORDERING, page, POSTS.read)]
        parent_ids = sorted({parent_id for parent_id, _ in keys})
        pairs = (
            await self.public_posts()
            .filter(**{f"{relation}__in": parent_ids})
            .values_list("id", relation)
        )
        posts = DEFAULT_POST_ORDERING.sort(
            await POSTS.read(models.Post.filter(id__in={pid for pid, _ in pairs}))
        )
        # Each parent's members as a set, made once: rebuilding it for every post tested
        # made a list of 100 tags over 2,000 posts 37 times slower (298 ms vs 7.9 ms).
        members: dict[int, set[int]] = defaultdict(set)
        for post_id, parent_id in pairs:
            members[parent_id].add(post_id)
        return [
            page_in_memory(
                [p for p in posts if p.id in members.get(parent, ())],
                DEFAULT_POST_ORDERING,
                page,
            )
            for parent, page in keys
        ]

    async def _posts_by_author(self, keys: list[PostPageKey]) -> list[Page[PostRow]]:
        self.depends.post_list()
        if len(keys) == 1:
            ((author_id, page),) = keys
            query = self.public_posts().filter(author_id=author_id)
            return [await page_in_sql(query, DEFAULT_POST_ORDERING, page, POSTS.read)]
        author_ids = sorted({author_id for author_id, _ in keys})
        posts = DEFAULT_POST_ORDERING.sort(
            await POSTS.read(self.public_posts().filter(author_id__in=author_ids))
        )
        groups = _grouped(posts, key=lambda post: post.author_id)
        return [
            page_in_memory(groups.get(aid, []), DEFAULT_POST_ORDERING, page) for aid, page in keys
        ]

    # --- comments ---------------------------------------------------------------------------
    # The posts and parent comments these are asked for were themselves reached through the
    # public loaders, so `IN_PUBLIC_THREAD_RULE` alone decides here; and those loaders recorded the
    # parents' `comments:post:N`, which replies and reply counts of a parent fall under.

    async def _comment_count_by_post(self, post_ids: list[int]) -> list[int]:
        self.depends.comments_of(post_ids)
        found = await counts(models.Comment, "post_id", post_ids, IN_PUBLIC_THREAD)
        return [found.get(pid, 0) for pid in post_ids]

    async def _reply_count_by_comment(self, comment_ids: list[int]) -> list[int]:
        found = await counts(models.Comment, "parent_id", comment_ids, IN_PUBLIC_THREAD)
        return [found.get(cid, 0) for cid in comment_ids]

    async def _top_level_comments_by_post(self, post_ids: list[int]) -> list[list[CommentRow]]:
        self.depends.comments_of(post_ids)
        rows = await _public_comments_in_thread_order("post_id", post_ids, top_level=True)
        groups = _grouped(rows, key=lambda row: row.post_id)
        return [groups.get(pid, []) for pid in post_ids]

    async def _replies_by_comment(self, comment_ids: list[int]) -> list[list[CommentRow]]:
        rows = await _public_comments_in_thread_order("parent_id", comment_ids)
        groups = _grouped(rows, key=lambda row: row.parent_id)
        return [groups.get(cid, []) for cid in comment_ids]

    async def _comment_thread_by_post(
        self, keys: list[tuple[int, PageRequest]]
    ) -> list[Page[CommentRow]]:
        self.depends.comments_of(post_id for post_id, _ in keys)
        if len(keys) == 1:
            ((post_id, page),) = keys
            query = models.Comment.filter(models.IN_PUBLIC_THREAD_RULE.filter(), post_id=post_id)
            return [await page_in_sql(query, COMMENT_ORDERING, page, COMMENTS.read)]
        post_ids = sorted({post_id for post_id, _ in keys})
        rows = await _public_comments_in_thread_order("post_id", post_ids)
        groups = _grouped(rows, key=lambda row: row.post_id)
        return [page_in_memory(groups.get(pid, []), COMMENT_ORDERING, page) for pid, page in keys]
