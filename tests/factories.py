"""Small builders for test content, through the ORM, keeping the thread columns right."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

from tortoise import Tortoise

import models
from models.comment import thread_path_segment

BASE_TIME = datetime(2017, 3, 4, 9, 0, tzinfo=UTC)
_sequence = count(1)


async def author(
    slug: str = "", name: str = "", email: str = "writer@example.org"
) -> models.Author:
    """A new author."""
    n = next(_sequence)
    return await models.Author.create(
        slug=slug or f"author-{n}", name=name or f"Author {n}", email=email, bio="Runs a lot."
    )


async def category(
    slug: str = "", name: str = "", parent: models.Category | None = None
) -> models.Category:
    """A new category, with its address (as every write gives it)."""
    n = next(_sequence)
    row = await models.Category.create(
        slug=slug or f"category-{n}", name=name or f"Category {n}", parent=parent
    )
    await models.refresh_category_uris(Tortoise.get_connection("default"))
    await row.refresh_from_db()
    return row


async def tag(slug: str = "", name: str = "", description: str | None = None) -> models.Tag:
    """A new tag."""
    n = next(_sequence)
    return await models.Tag.create(
        slug=slug or f"tag-{n}", name=name or f"Tag {n}", description=description
    )


MenuTree = list[tuple[str, "models.Model | str", "MenuTree"]]
"""(label, a linked row or a custom URL, children) for each item of a level."""

_LINK_KINDS = {models.Post: "post", models.Category: "category", models.Author: "author"}


async def menu(name: str, location: str | None, tree: MenuTree) -> models.Menu:
    """A new menu with the items of `tree`, in order."""
    row = await models.Menu.create(
        name=name, slug=name.lower().replace(" ", "-"), location=location
    )

    async def level(items: MenuTree, parent: models.MenuItem | None) -> None:
        for position, (label, target, children) in enumerate(items):
            item = await models.MenuItem.create(
                menu=row,
                parent=parent,
                position=position,
                label=label,
                link_kind=models.CUSTOM_LINK
                if isinstance(target, str)
                else _LINK_KINDS[type(target)],
                link_id=None if isinstance(target, str) else target.pk,
                url=target if isinstance(target, str) else "",
            )
            await level(children, item)

    await level(tree, None)
    return row


async def post(
    written_by: models.Author,
    *,
    title: str = "",
    slug: str = "",
    published_at: datetime | None = BASE_TIME,
    status: models.PostStatus = models.PostStatus.PUBLISHED,
    password: str = "",
    content: str = "<p>Some words about running.</p>",
    categories: list[models.Category] | None = None,
    tags: list[models.Tag] | None = None,
    sticky: bool = False,
    updated_at: datetime | None = None,
) -> models.Post:
    """A new post; published by default."""
    n = next(_sequence)
    slug = slug or f"post-{n}"
    day = published_at or BASE_TIME
    row = await models.Post.create(
        slug=slug,
        uri=f"/{day:%Y/%m/%d}/{slug}/",
        title=title or f"Post {n}",
        content=content,
        status=status,
        password=password,
        published_at=published_at,
        updated_at=updated_at or day,
        author=written_by,
        sticky=sticky,
    )
    if categories:
        await row.categories.add(*categories)
    if tags:
        await row.tags.add(*tags)
    return row


async def page(
    written_by: models.Author,
    *,
    slug: str = "",
    title: str = "",
    parent: models.Page | None = None,
    menu_order: int = 0,
    published_at: datetime | None = BASE_TIME,
    status: models.PostStatus = models.PostStatus.PUBLISHED,
    password: str = "",
    content: str = "<p>What this site is about.</p>",
) -> models.Page:
    """A new page, nested in `parent` when given; published by default."""
    n = next(_sequence)
    slug = slug or f"page-{n}"
    return await models.Page.create(
        slug=slug,
        uri=f"{parent.uri if parent else '/'}{slug}/",
        title=title or f"Page {n}",
        content=content,
        status=status,
        password=password,
        published_at=published_at,
        updated_at=published_at or BASE_TIME,
        menu_order=menu_order,
        parent=parent,
        author=written_by,
    )


async def comment(
    on: models.Post,
    *,
    parent: models.Comment | None = None,
    status: models.CommentModeration = models.CommentModeration.APPROVED,
    minutes: int | None = None,
    name: str = "",
    email: str = "reader@example.org",
) -> models.Comment:
    """A new comment on `on` (a reply to `parent` when given); approved by default."""
    n = next(_sequence)
    created = BASE_TIME + timedelta(minutes=n if minutes is None else minutes)
    row = await models.Comment.create(
        post=on,
        parent=parent,
        depth=0 if parent is None else parent.depth + 1,
        author_name=name or f"Reader {n}",
        author_email=email,
        author_ip="203.0.113.7",
        author_user_agent="TestBrowser/1.0",
        content=f"<p>Comment {n}</p>",
        created_at=created,
        status=status,
        is_public=status == models.CommentModeration.APPROVED
        and (parent is None or parent.is_public),
    )
    row.path = (parent.path if parent else "") + thread_path_segment(created, row.id)
    await row.save(update_fields=["path"])
    return row


# --- A site shaped like an imported WordPress one -------------------------------------------

# Content with the edge cases real exports carry: entities, code, right-to-left text,
# astral characters, an empty paragraph, quotes of every kind.
MAGAZINE_CONTENT = (
    "<p>Caf&eacute; &amp; <em>croissant</em> before the long run: 5&nbsp;km &lt; 10&nbsp;km.</p>\n"
    "<pre><code>pace = distance / time  # &lt;- min/km</code></pre>\n"
    '<p dir="rtl">שלום עולם</p>\n<p>Ζεύς, 日本語, 🏃‍♀️ and “curly” \u2018quotes\u2019.</p>\n<p></p>'
)


async def magazine(posts: int = 24) -> dict[str, models.Post]:
    """A site shaped like an imported WordPress one, for tests that need "some realistic
    data" (the theme unit test export is third-party data outside the repository): three
    authors (one without email or bio), categories three levels deep with WordPress term ids,
    `posts` posts in every status (drafts, private, pending, password-protected, scheduled,
    comments closed, an empty title) with WordPress ids, excerpts and sort keys, and a thread
    ten replies deep with held, spam and trashed comments beside it. Returns the posts that
    tests look up by role: "thread" (the deep thread), "draft", "scheduled", "locked"."""
    kim = await models.Author.create(
        slug="kim-pace",
        name="Kim Pace",
        email="kim@example.org",
        bio="Writes the race reports.",
        url="https://kim.example.org/",
        wp_login="kim",
    )
    zoe = await models.Author.create(slug="zoe", name="Zoë Τάδε 🏃", wp_login="zoe")
    jo = await author(slug="jo-bloggs", name="Jo Bloggs", email="jo@example.org")
    writers = [kim, zoe, jo]
    parent: models.Category | None = None
    tree: list[models.Category] = []
    for depth, (slug, name) in enumerate(
        [("training", "Training"), ("recovery-days", "Recovery & Rest"), ("sleep", "Sleep")]
    ):
        parent = await models.Category.create(
            slug=slug,
            name=name,
            parent=parent,
            wp_term_id=100 + depth,
            description=f"Level {depth} of the tree." if depth != 1 else None,
        )
        tree.append(parent)
    loose = [
        await models.Category.create(slug=f"topic-{n}", name=f"Topic «{n}»", wp_term_id=200 + n)
        for n in range(5)
    ]
    statuses = [
        models.PostStatus.PUBLISHED,
        models.PostStatus.PUBLISHED,
        models.PostStatus.PUBLISHED,
        models.PostStatus.DRAFT,
        models.PostStatus.PRIVATE,
        models.PostStatus.PENDING,
    ]
    made: dict[str, models.Post] = {}
    for n in range(posts):
        status = statuses[n % len(statuses)]
        title = "" if n == 7 else f"Week {n}: “long run” notes, ½ marathon & more"
        row = await post(
            writers[n % len(writers)],
            title=title,
            slug=f"week-{n}",
            status=status,
            published_at=None
            if status == models.PostStatus.DRAFT
            else BASE_TIME + timedelta(days=n, hours=n % 5),
            password="enter" if n == 8 else "",
            content=MAGAZINE_CONTENT,
            categories=[tree[n % 3], loose[n % 5]] if n % 4 else [],
            updated_at=BASE_TIME + timedelta(days=n + 1),
        )
        row.title_key = models.text_sort_key(row.title)
        row.excerpt = "" if n % 3 else f"<p>Excerpt of week {n}.</p>"
        row.wp_id = 1000 + n
        row.comment_status = (
            models.CommentStatus.CLOSED if n % 5 == 4 else models.CommentStatus.OPEN
        )
        await row.save()
        made.setdefault(status.value, row)
    made["locked"] = await models.Post.get(slug="week-8")
    made["scheduled"] = await post(
        kim, slug="next-month", published_at=datetime(2030, 1, 1, 19, 0, 18, tzinfo=UTC)
    )
    made["draft"] = made[models.PostStatus.DRAFT.value]
    thread = made["thread"] = made[models.PostStatus.PUBLISHED.value]
    top: models.Comment | None = None
    for n in range(4):
        top = await comment(thread, minutes=n, name=f"Reader {n} Κώστας")
    reply = top
    for level in range(10):  # ten levels deep under the last top-level comment
        reply = await comment(thread, parent=reply, minutes=100 + level, name=f"Level {level}")
    await comment(thread, status=models.CommentModeration.PENDING, email="held@example.org")
    await comment(thread, status=models.CommentModeration.SPAM, email="bot@example.net")
    await comment(thread, status=models.CommentModeration.TRASH)
    wordpress_ids = await models.Comment.filter(post=thread).order_by("id")
    for n, row_comment in enumerate(wordpress_ids):
        row_comment.wp_id = 5000 + n
        row_comment.author_url = "https://reader.example.org/" if n % 2 else None
        if n % 3 == 0:  # an import knows no user agent, and old exports no address
            row_comment.author_user_agent = None
            row_comment.author_ip = None
        await row_comment.save()
    return made
