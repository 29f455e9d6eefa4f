"""A small demo site: an active-travel blog with a threaded discussion under its main post,
and an About page with a page nested in it.

Written for the playground and `make run`; the text is original. Comment threads are placed
with `threadpress.threads`, the same code the WordPress importer uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise import timezone
from tortoise.transactions import in_transaction

from models import (
    CUSTOM_LINK,
    Author,
    Category,
    Comment,
    CommentModeration,
    Menu,
    MenuItem,
    Page,
    Post,
    PostStatus,
    Tag,
    refresh_category_uris,
)
from models.config import PRIMARY
from threadpress.threads import ThreadComment, place_comments

# The newest published post, so "the latest post" (GraphiQL's example) shows its thread.
MAIN_SLUG = "foam-roller-physio-and-a-stubborn-calf"

AUTHORS = [
    ("maya-lindqvist", "Maya Lindqvist", "Runs before work, cycles to it."),
    ("tom-achebe", "Tom Achebe", "Physiotherapy student and trail runner."),
    ("ines-carvalho", "Ines Carvalho", "Commutes by bike in every season."),
]

# (slug, name, description, parent slug)
CATEGORIES = [
    ("running", "Running", "Training logs, races and the occasional long run gone wrong.", None),
    ("recovery", "Recovery", "Physio, massage, sleep and rest days.", "running"),
    ("cycling", "Cycling", "Getting around on two wheels.", None),
    ("commuting", "Active Commuting", "Walking, running and riding to work.", None),
    ("kit", "Kit & Gear", "What we wear and carry, and whether it lasted.", None),
]

# (slug, name, description): flat labels across categories.
TAGS = [
    ("calf", "Calf", "Calves: tight, sore, or finally behaving."),
    ("physio", "Physio", "What a physiotherapist found, and the homework that followed."),
    ("sleep", "Sleep", None),
    ("rain", "Rain", "Getting wet on purpose, and staying dry when possible."),
    ("pacing", "Pacing", "Starting slow, and the plans that did not survive the start."),
    ("winter", "Winter", None),
]

# Each post's tags, by post slug.
POST_TAGS = {
    MAIN_SLUG: ("calf", "physio"),
    "riding-to-work-through-the-winter": ("winter", "rain"),
    "my-first-half-marathon-pacing-plan": ("pacing",),
    "sleep-is-a-training-session": ("sleep",),
    "waterproof-jackets-tested-on-the-commute": ("rain",),
    "notes-on-returning-after-injury": ("calf", "physio"),
}

STICKY = {"riding-to-work-through-the-winter"}
"""Kept at the top of the front page: the commuting guide readers keep asking for."""


# (slug, title, author, menu order, paragraphs), nested in the first one.
ABOUT_PAGES = [
    (
        "about",
        "About this blog",
        "maya-lindqvist",
        1,
        (
            "Three people who would rather arrive on foot or by bike write here about "
            "training, getting better after getting hurt, and the kit that survived it.",
            "Comments are open under every post: questions from beginners are the best ones.",
        ),
    ),
    (
        "writers",
        "Who writes here",
        "maya-lindqvist",
        0,
        (
            "Maya logs her runs before work, Tom explains what the physio said and why, "
            "and Ines rides to the office in every kind of weather.",
        ),
    ),
]


@dataclass(frozen=True)
class DemoPost:
    slug: str
    title: str
    author: str
    categories: tuple[str, ...]
    paragraphs: tuple[str, ...]
    published_at: datetime | None
    status: PostStatus = PostStatus.PUBLISHED


def _at(year: int, month: int, day: int, hour: int = 8) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


POSTS = [
    DemoPost(
        MAIN_SLUG,
        "Foam roller, physio and a stubborn calf",
        "maya-lindqvist",
        ("running", "recovery"),
        (
            "Three weeks into my spring marathon block my left calf started to feel like a "
            "knotted rope. Not injured, exactly, but every easy run began with a mile of "
            "shuffling before it loosened up.",
            "I booked a session with a sports physiotherapist instead of waiting for it to "
            "go away. She found two tender spots high in the muscle and spent most of the "
            "hour on soft-tissue work, then gave me a short list of homework.",
            "The homework: slow eccentric heel drops on a step, ten minutes on the foam "
            "roller after every run, and one fewer hard session per week for a fortnight. "
            "None of it is glamorous, all of it takes less time than the worrying did.",
            "Two weeks later the first mile feels like a first mile again. I am not saying "
            "this is the answer for everyone; I am saying it was worth asking someone who "
            "knows, early.",
        ),
        _at(2017, 3, 4, 9),
    ),
    DemoPost(
        "riding-to-work-through-the-winter",
        "Riding to work through the winter",
        "ines-carvalho",
        ("cycling", "commuting"),
        (
            "Dark mornings, wet roads and a 9 km route with one nasty hill: here is what "
            "kept me riding from November to March.",
            "Good lights front and back, mudguards that actually cover the wheel, and a "
            "spare pair of socks in the desk drawer. The rest is habit.",
        ),
        _at(2017, 2, 12),
    ),
    DemoPost(
        "my-first-half-marathon-pacing-plan",
        "My first half marathon, and the pacing plan I ignored",
        "maya-lindqvist",
        ("running",),
        (
            "The plan was simple: start slow, hold steady, finish strong. The plan lasted "
            "until the starting horn.",
            "What I learned at kilometre fifteen, and why I will write the next plan on my wrist.",
        ),
        _at(2017, 1, 22),
    ),
    DemoPost(
        "sleep-is-a-training-session",
        "Sleep is a training session",
        "tom-achebe",
        ("running", "recovery"),
        (
            "Adaptation happens between sessions, not during them. If you are stacking "
            "miles on six hours a night, the miles are not getting the credit they deserve.",
            "A few practical changes that helped me get closer to eight hours during a "
            "heavy block.",
        ),
        _at(2017, 2, 26),
    ),
    DemoPost(
        "waterproof-jackets-tested-on-the-commute",
        "Three waterproof jackets, one very wet month",
        "ines-carvalho",
        ("kit", "commuting"),
        (
            "I wore each jacket for ten rainy commutes and weighed it before and after. "
            "Breathability claims did not survive the experiment.",
        ),
        _at(2017, 1, 8),
    ),
    DemoPost(
        "run-commuting-with-a-backpack",
        "Run-commuting with a backpack",
        "tom-achebe",
        ("running", "commuting", "kit"),
        (
            "Running home from work turns a commute into a training run, if you can solve "
            "the problem of carrying a laptop and yesterday's shirt without chafing.",
        ),
        _at(2016, 12, 11),
    ),
    DemoPost(
        "notes-on-returning-after-injury",
        "Notes on returning after injury (draft)",
        "tom-achebe",
        ("recovery",),
        ("Outline: walk-run intervals, pain rules, when to call the physio.",),
        None,
        PostStatus.DRAFT,
    ),
    DemoPost(
        "autumn-marathon-training-begins",
        "Autumn marathon training begins",
        "maya-lindqvist",
        ("running",),
        ("Sixteen weeks, one goal, and a calendar full of long runs.",),
        _at(2099, 6, 1),  # scheduled: public from its date
    ),
]

# The main menu, at location "primary": (label, what it links to, children). A link is
# ("category", slug), ("post", slug), ("author", slug) or ("url", address); an empty label
# shows the linked node's own title. The scheduled post is in it: the menu shows it once it
# is public.
MenuSpec = tuple[str, tuple[str, str], list["MenuSpec"]]
MAIN_MENU: list[MenuSpec] = [
    ("Home", ("url", "/"), []),
    (
        "",
        ("category", "running"),
        [
            ("", ("category", "recovery"), []),
            ("Start here", ("post", MAIN_SLUG), []),
            ("", ("post", "autumn-marathon-training-begins"), []),
        ],
    ),
    ("", ("category", "cycling"), [("", ("category", "commuting"), [])]),
    ("", ("category", "kit"), []),
    (
        "Who writes here",
        ("url", "#authors"),
        [("", ("author", slug), []) for slug, _name, _bio in AUTHORS],
    ),
]

# (key, parent key, author name, minutes after the post, approved?, text)
THREAD: list[tuple[str, str | None, str, int, bool, str]] = [
    ("a", None, "Priya", 50, True, "Heel drops are miserable and they work. Stick with them!"),
    ("b", "a", "Maya Lindqvist", 95, True, "Miserable is the word. Three sets of fifteen, yes?"),
    ("c", "b", "Priya", 130, True, "That is what I was given too, slow on the way down."),
    ("d", "c", "Jonas", 200, True, "Does bent-knee versus straight-knee matter for this?"),
    ("e", "d", "Tom Achebe", 260, True, "It does: bent knee loads soleus more. Do both."),
    ("f", "e", "Jonas", 300, True, "Thanks, I have only ever done the straight-leg version."),
    ("g", None, "Sam R.", 75, True, "How long before you noticed a difference?"),
    ("h", "g", "Maya Lindqvist", 140, True, "About ten days before easy runs felt normal."),
    ("i", None, "Harriet", 180, True, "Foam rolling before bed has helped my calves a lot."),
    ("j", "i", "Lee", 240, True, "Before bed? Doesn't it wake you up?"),
    ("k", "j", "Harriet", 330, True, "The opposite for me, it is quite relaxing."),
    ("l", None, "Owen P.", 400, True, "Good call getting it looked at early."),
    ("m", None, "quick-cash-offer", 420, False, "Great post! Visit my site for cheap shoes."),
]


async def load_demo(*, only_if_empty: bool) -> bool:
    """Load the demo site; returns whether it loaded.

    With `only_if_empty` it loads only into a database without posts; either way it never
    loads twice (it checks for its main post), so running it again is cheap and harmless.
    """
    if only_if_empty and await Post.exists():
        return False
    if await Post.exists(slug=MAIN_SLUG):
        return False
    async with in_transaction(PRIMARY) as connection:
        await _write(connection)
    return True


async def _write(connection: Any) -> None:
    now = timezone.now()
    authors = {}
    for slug, name, bio in AUTHORS:
        authors[slug] = await Author.create(
            slug=slug, name=name, bio=bio, email=f"{slug}@example.org"
        )
    categories: dict[str, Category] = {}
    for slug, name, description, parent in CATEGORIES:
        categories[slug] = await Category.create(
            slug=slug,
            name=name,
            description=description,
            parent=categories[parent] if parent else None,
        )
    await refresh_category_uris(connection)
    tags = {
        slug: await Tag.create(slug=slug, name=name, description=description)
        for slug, name, description in TAGS
    }
    posts: dict[str, Post] = {}
    for spec in POSTS:
        day = spec.published_at or now
        post = await Post.create(
            slug=spec.slug,
            uri=f"/{day:%Y/%m/%d}/{spec.slug}/",
            title=spec.title,
            content="\n".join(f"<p>{p}</p>" for p in spec.paragraphs),
            status=spec.status,
            published_at=spec.published_at,
            created_at=spec.published_at or now,
            updated_at=spec.published_at or now,
            author=authors[spec.author],
            sticky=spec.slug in STICKY,
        )
        await post.categories.add(*(categories[c] for c in spec.categories))
        if spec.slug in POST_TAGS:
            await post.tags.add(*(tags[t] for t in POST_TAGS[spec.slug]))
        posts[spec.slug] = post
    await _write_thread(posts[MAIN_SLUG])
    pages = await _write_pages(authors, _at(2024, 1, 8))
    rows = {"category": categories, "post": posts, "author": authors, "page": pages}
    await _write_menu(rows)


async def _write_pages(authors: dict[str, Author], published_at: datetime) -> dict[str, Page]:
    """The About page, and the page nested in it (`/about/writers/`), by slug."""
    parent: Page | None = None
    pages: dict[str, Page] = {}
    for slug, title, author, menu_order, paragraphs in ABOUT_PAGES:
        page = await Page.create(
            slug=slug,
            uri=f"{parent.uri if parent else '/'}{slug}/",
            title=title,
            content="\n".join(f"<p>{p}</p>" for p in paragraphs),
            status=PostStatus.PUBLISHED,
            published_at=published_at,
            created_at=published_at,
            updated_at=published_at,
            menu_order=menu_order,
            parent=parent,
            author=authors[author],
        )
        pages[slug] = page
        parent = parent or page
    return pages


async def _write_menu(rows: dict[str, Any]) -> None:
    """The main menu at location "primary", written as `createMenu` would store it."""
    menu = await Menu.create(name="Main menu", slug="main-menu", location="primary")

    async def level(items: list[MenuSpec], parent: MenuItem | None) -> None:
        for position, (label, (kind, value), children) in enumerate(items):
            linked = rows[kind][value] if kind != "url" else None
            item = await MenuItem.create(
                menu=menu,
                parent=parent,
                position=position,
                label=label,
                link_kind=kind if linked is not None else CUSTOM_LINK,
                link_id=linked.id if linked is not None else None,
                url=value if linked is None else "",
            )
            await level(children, item)

    await level(MAIN_MENU, None)


async def _write_thread(post: Post) -> None:
    """The discussion under the main post, placed exactly as the importer places threads."""
    assert post.published_at is not None
    rows: dict[str, Comment] = {}
    for key, parent, name, minutes, approved, text in THREAD:
        rows[key] = await Comment.create(
            post=post,
            parent=rows[parent] if parent else None,
            author_name=name,
            author_email=f"{name.lower().replace(' ', '.').replace('.', '')}@example.org",
            content=f"<p>{text}</p>",
            created_at=post.published_at + timedelta(minutes=minutes),
            status=CommentModeration.APPROVED if approved else CommentModeration.PENDING,
        )
    places = place_comments(
        ThreadComment(c.id, c.parent_id, c.created_at, c.status) for c in rows.values()
    )
    for comment in rows.values():
        place = places[comment.id]
        comment.depth, comment.path, comment.is_public = place.depth, place.path, place.is_public
    await Comment.bulk_update(list(rows.values()), fields=["depth", "path", "is_public"])
