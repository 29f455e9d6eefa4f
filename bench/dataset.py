"""The benchmark's data set: deterministic rows for every table, as plain tuples.

The same sizes and seed always give the same rows, so two runs (and the three servers of one
run) read identical data. Columns the app maintains itself are filled exactly as it fills
them: `comment.path` is the parent's path plus `thread_path_segment(created_at, id)`,
`comment.depth` the parent's depth plus one, `is_public` true because every comment (and so
every ancestor) is approved; `post.title_key` is `text_sort_key(title)`; comment content goes
through `sanitize_comment`, as a submission does.

Threads are shaped so that one query with a fixed `first` per nesting level reads a whole
thread: a comment at depth d never has more than `FANOUT[d + 1]` public replies, and a post
never more than `FANOUT[0]` top-level comments (see `workloads.post_page_document`).
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from models.comment import thread_path_segment
from models.sorting import text_sort_key
from models.text.comment_html import sanitize_comment

SEED = 20170304
MAX_DEPTH = 8
FANOUT: tuple[int, ...] = (100, 10, 5, 3, 2, 1, 1, 1)
"""Most comments per level: top-level comments of a post, then replies of one comment at
depth 0, 1, ... The nested post-page query asks for exactly these page sizes."""

FIRST_PUBLISHED = datetime(2015, 1, 3, 7, 30, tzinfo=UTC)
NOW_FLOOR = datetime(2024, 1, 1, tzinfo=UTC)
"""Every post and comment is dated before this, i.e. in the past on any machine running this."""

AUTHOR_NAMES = (
    "Maya Okafor", "Tom Lindqvist", "Priya Raman", "Jonas Weber", "Ines Duarte",
    "Sam Achterberg", "Lena Novak", "Kwame Mensah", "Rosa Delgado", "Owen Pritchard",
    "Hana Sato", "Felix Moreau", "Aoife Brennan", "Diego Farias", "Mira Kowalski",
    "Ravi Iyer", "Clara Jensen", "Luca Bianchi", "Nadia Haddad", "Ben Oduya",
)  # fmt: skip
CATEGORIES = (
    ("running", "Running"), ("trail", "Trail running"), ("cycling", "Cycling"),
    ("active-travel", "Active travel"), ("commuting", "Run commuting"),
    ("injuries", "Injuries and recovery"), ("races", "Race reports"), ("gear", "Gear"),
    ("training", "Training plans"), ("walking", "Walking"), ("parkrun", "parkrun"),
    ("nutrition", "Fuel and nutrition"),
)  # fmt: skip
TITLE_PARTS = (
    "Tempo Tuesday on the canal towpath", "Why I stopped racing every weekend",
    "A rainy half marathon and a wet sock", "Run commuting with a laptop",
    "Hill repeats for people who hate hills", "The bike lane that changed my commute",
    "Easy runs really should be easy", "Ten miles of mud and a lost shoe",
    "Strength work for tired calves", "Cadence, cadence, cadence",
    "Learning to love the long slow run", "Back after a stress fracture",
)  # fmt: skip
PARAGRAPHS = (
    "The alarm went at six and the streets were still dark, but the first mile along the "
    "river always settles the legs. By the second bridge the breathing had found its rhythm.",
    "Our coach keeps saying that most runs should feel almost too easy. It took me two "
    "seasons and one sore hamstring to believe her, and my race times only came down after.",
    "Commuting on foot means planning the week around a backpack: shoes at the office on "
    "Monday, clean shirts on Tuesday, and a firm rule never to forget the charger again.",
    "The new protected cycle lane has doubled the number of people riding to school on our "
    "street. Fewer cars at the gate, more children arriving awake and a little muddy.",
    "Hill repeats are honest work. Ninety seconds up at a hard effort, a slow jog back down, "
    "and by the sixth one the only thought left is the lamp post at the top.",
    "Race day was cold and windy, and the plan to hold an even pace lasted until the turn "
    "at halfway. The second half was slower, but I finished smiling and without cramp.",
)
COMMENT_SENTENCES = (
    "Great write-up, this matches my own experience with slow easy runs.",
    "I tried the hill session last week and my calves are still talking to me.",
    "Run commuting changed my mornings too, although the backpack took some getting used to.",
    "Have you found shoes that survive the towpath in winter?",
    "The bit about cadence made me laugh: my watch keeps nagging me about it.",
    "Our town has just opened a new bike lane and the school run feels calmer already.",
    "Thanks for the honest race report, the second half fade is so familiar.",
    "A physio once told me that strength work is the cheapest injury insurance there is.",
    "I walk the last mile home now instead of taking the bus and I sleep better for it.",
    "Do you fuel on long runs or just drink water? I never know what to do.",
    "The mud run sounds brilliant, I am signing up for next year's edition.",
    "Parkrun on Saturday was my first sub-25 and I owe some of that to this blog.",
)
COMMENTER_POOL = 900


@dataclass(frozen=True)
class Sizes:
    """How much data to make; `feature_comments` go to one post, the post-page workload's."""

    posts: int = 200
    authors: int = 20
    categories_per_post: int = 3
    comments: int = 10_000
    feature_comments: int = 240


@dataclass(frozen=True)
class AuthorRow:
    id: int
    slug: str
    name: str
    created_at: datetime


@dataclass(frozen=True)
class CategoryRow:
    id: int
    slug: str
    name: str
    created_at: datetime


@dataclass(frozen=True)
class PostRow:
    id: int
    slug: str
    uri: str
    title: str
    title_key: str
    content: str
    published_at: datetime
    author_id: int


@dataclass(frozen=True)
class CommentRow:
    id: int
    post_id: int
    parent_id: int | None
    depth: int
    path: str
    author_name: str
    author_email: str
    author_url: str | None
    author_ip: str
    content: str
    created_at: datetime


@dataclass
class Dataset:
    """Every row of the data set, and which post the post-page workload reads."""

    sizes: Sizes
    authors: list[AuthorRow] = field(default_factory=list)
    categories: list[CategoryRow] = field(default_factory=list)
    posts: list[PostRow] = field(default_factory=list)
    post_categories: list[tuple[int, int]] = field(default_factory=list)
    comments: list[CommentRow] = field(default_factory=list)
    feature_post_id: int = 0

    @property
    def feature_post(self) -> PostRow:
        """The post with `sizes.feature_comments` comments."""
        return self.posts[self.feature_post_id - 1]

    @property
    def submit_post(self) -> PostRow:
        """The post that `submitComment` writes to: the oldest, on no page a read workload
        measures (submitted comments are held for moderation, so reads would not see them
        anyway)."""
        return self.posts[0]

    def max_comment_depth(self) -> int:
        """The deepest `depth` of any comment."""
        return max((c.depth for c in self.comments), default=0)


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@lru_cache(maxsize=4096)
def _comment_html(raw: str) -> str:
    return sanitize_comment(raw)


def _comment_counts(sizes: Sizes, feature_post_id: int, rng: random.Random) -> list[int]:
    """Comments per post: the feature post gets its share, the rest are spread unevenly."""
    others = sizes.posts - 1
    rest = max(0, sizes.comments - sizes.feature_comments)
    weights = [rng.uniform(0.2, 1.8) for _ in range(others)]
    total = sum(weights)
    counts = [int(rest * w / total) for w in weights]
    for i in range(rest - sum(counts)):
        counts[i % others] += 1
    counts.insert(feature_post_id - 1, min(sizes.feature_comments, sizes.comments))
    return counts


def _thread(
    post: PostRow, count: int, next_id: int, rng: random.Random
) -> tuple[list[CommentRow], int]:
    """`count` comments on `post` in threads up to `MAX_DEPTH` deep, within `FANOUT`."""
    rows: list[CommentRow] = []
    replies: Counter[int] = Counter()
    top_level = 0
    moment = post.published_at + timedelta(hours=2)
    for _ in range(count):
        # Replies mostly answer one of the latest comments, which is what grows deep threads.
        open_parents = [
            c for c in rows[-8:] if c.depth + 1 < MAX_DEPTH and replies[c.id] < FANOUT[c.depth + 1]
        ]
        parent: CommentRow | None = None
        if open_parents and (top_level >= FANOUT[0] or rng.random() < 0.7):
            parent = open_parents[-1] if rng.random() < 0.6 else rng.choice(open_parents)
        elif top_level >= FANOUT[0]:
            parent = next(
                c for c in rows if c.depth + 1 < MAX_DEPTH and replies[c.id] < FANOUT[c.depth + 1]
            )
        moment += timedelta(minutes=rng.randint(3, 90), seconds=rng.randint(0, 59))
        commenter = rng.randrange(COMMENTER_POOL)
        sentences = rng.sample(COMMENT_SENTENCES, rng.randint(2, 4))
        split = rng.randint(1, len(sentences))
        raw = " ".join(sentences[:split]) + (
            "\n\n" + " ".join(sentences[split:]) if sentences[split:] else ""
        )
        comment_id = next_id
        next_id += 1
        if parent is None:
            top_level += 1
        else:
            replies[parent.id] += 1
        rows.append(
            CommentRow(
                id=comment_id,
                post_id=post.id,
                parent_id=parent.id if parent else None,
                depth=parent.depth + 1 if parent else 0,
                path=(parent.path if parent else "") + thread_path_segment(moment, comment_id),
                author_name=f"Reader {commenter}",
                author_email=f"reader{commenter}@example.org",
                author_url=f"https://reader{commenter}.example.org" if commenter % 3 == 0 else None,
                author_ip=f"192.0.2.{commenter % 250 + 1}",
                content=_comment_html(raw),
                created_at=moment,
            )
        )
    return rows, next_id


def build(sizes: Sizes, seed: int = SEED) -> Dataset:
    """The data set for `sizes`: the same rows for the same arguments, every time."""
    if sizes.posts < 2 or sizes.authors < 1:
        raise ValueError("the data set needs at least 2 posts and 1 author")
    rng = random.Random(seed)
    data = Dataset(sizes=sizes, feature_post_id=sizes.posts // 2 + 1)
    data.authors = [
        AuthorRow(
            id=i + 1,
            slug=_slugify(AUTHOR_NAMES[i % len(AUTHOR_NAMES)]) + f"-{i + 1}",
            name=AUTHOR_NAMES[i % len(AUTHOR_NAMES)],
            created_at=FIRST_PUBLISHED,
        )
        for i in range(sizes.authors)
    ]
    data.categories = [
        CategoryRow(id=i + 1, slug=slug, name=name, created_at=FIRST_PUBLISHED)
        for i, (slug, name) in enumerate(CATEGORIES)
    ]
    span = (NOW_FLOOR - timedelta(days=30) - FIRST_PUBLISHED) / sizes.posts
    for i in range(sizes.posts):
        post_id = i + 1
        title = f"{TITLE_PARTS[i % len(TITLE_PARTS)]} ({post_id})"
        slug = _slugify(title)
        published = FIRST_PUBLISHED + span * i
        published = published.replace(microsecond=0)
        paragraphs = [rng.choice(PARAGRAPHS) for _ in range(rng.randint(5, 9))]
        data.posts.append(
            PostRow(
                id=post_id,
                slug=slug,
                uri=f"/{published:%Y/%m/%d}/{slug}/",
                title=title,
                title_key=text_sort_key(title),
                content="\n".join(f"<p>{p}</p>" for p in paragraphs),
                published_at=published,
                author_id=rng.randrange(sizes.authors) + 1,
            )
        )
        chosen = rng.sample(range(1, len(CATEGORIES) + 1), sizes.categories_per_post)
        data.post_categories.extend((post_id, c) for c in sorted(chosen))
    next_id = 1
    for post, count in zip(
        data.posts, _comment_counts(sizes, data.feature_post_id, rng), strict=True
    ):
        rows, next_id = _thread(post, count, next_id, rng)
        data.comments.extend(rows)
    return data
