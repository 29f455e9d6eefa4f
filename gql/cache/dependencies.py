"""What a response depends on: tags naming the objects and lists it read.

Readers record tags where they read (the loaders and the root resolvers); writers invalidate
the tags of what they changed (see `invalidation_for_*` below). Both use the functions here,
so the two sides can never spell a tag differently. The response cache drops exactly the
entries that share a tag with a write; the same tags go out as `Cache-Tag` and
`Surrogate-Key` headers so a CDN can purge the same way.

The vocabulary, and the rule that keeps it exact:
- `post:N`, `author:N`, `category:N`, `tag:N`, `media:N`: the object, looked up by id or
  shown anywhere (a lookup by id that found nothing records it too: it may become public
  later).
- `page:N`: a page, looked up by id or uri or shown anywhere.
- `posts`, `authors`, `categories`, `tags`, `pages`, `media`: the set of public objects of a
  kind, read by every list, count or lookup by slug/uri that found nothing. Any write to a
  post changes what lists of posts may hold (membership, order, search), so it invalidates
  `posts` as well as `post:N` (and a page write `pages` as well as `page:N`).
- `comments:post:N`: every public comment of post N and everything derived from them
  (threads, replies, counts); a comment is only ever shown in its own post's tag.
- `comment:N`: a comment looked up by id, also when it was not (yet) public.
- `comments`: the public comments of every post at once, newest first (the site's comment
  feed); every change to public comments invalidates it with its post's tag.
- `menu:N`: a menu and its items (items are only ever written with their menu); a menu's
  answer also read the nodes its items link to, under their own tags (`post:N`...), so a
  linked post unpublished or renamed changes it. `menus`: the list, and lookups by slug or
  location.
- `all`: every response; a bulk write (an import) invalidates it.
"""

from __future__ import annotations

from collections.abc import Iterable

ALL = "all"
POSTS = "posts"
AUTHORS = "authors"
CATEGORIES = "categories"
TAGS = "tags"
PAGES = "pages"
COMMENTS = "comments"
MEDIA = "media"
MENUS = "menus"


def post_tag(post_id: int) -> str:
    """The tag of one post."""
    return f"post:{post_id}"


def author_tag(author_id: int) -> str:
    """The tag of one author."""
    return f"author:{author_id}"


def category_tag(category_id: int) -> str:
    """The tag of one category."""
    return f"category:{category_id}"


def tag_tag(tag_id: int) -> str:
    """The cache tag of one post tag (the `Tag` type)."""
    return f"tag:{tag_id}"


def page_tag(page_id: int) -> str:
    """The tag of one page."""
    return f"page:{page_id}"


def media_tag(media_id: int) -> str:
    """The tag of one media item (shown by id, as a featured image or avatar)."""
    return f"media:{media_id}"


def menu_tag(menu_id: int) -> str:
    """The tag of one menu, its items included."""
    return f"menu:{menu_id}"


def comment_tag(comment_id: int) -> str:
    """The tag of one comment looked up by id."""
    return f"comment:{comment_id}"


def post_comments_tag(post_id: int) -> str:
    """The tag of the public comments of one post."""
    return f"comments:post:{post_id}"


class Dependencies:
    """What one request's response read, and whether it may be shared at all."""

    def __init__(self) -> None:
        self.tags: set[str] = {ALL}
        self.shareable = True

    def private(self) -> None:
        """The response holds something only this requester may see (a held comment read
        with its preview token): it is never cached or shared."""
        self.shareable = False

    def posts(self, post_ids: Iterable[int]) -> None:
        """Posts read by id or shown."""
        self.tags.update(post_tag(pid) for pid in post_ids)

    def post_list(self) -> None:
        """A list or count of public posts, or a lookup that may match any post."""
        self.tags.add(POSTS)

    def authors(self, author_ids: Iterable[int]) -> None:
        """Authors read by id or shown."""
        self.tags.update(author_tag(aid) for aid in author_ids)

    def author_list(self) -> None:
        """The list of authors, or a lookup that may match any author."""
        self.tags.add(AUTHORS)

    def categories(self, category_ids: Iterable[int]) -> None:
        """Categories read by id or shown."""
        self.tags.update(category_tag(cid) for cid in category_ids)

    def category_list(self) -> None:
        """The list of categories or of a category's children, or a lookup by slug."""
        self.tags.add(CATEGORIES)

    def tag_nodes(self, tag_ids: Iterable[int]) -> None:
        """Post tags (the `Tag` type) read by id or shown."""
        self.tags.update(tag_tag(tid) for tid in tag_ids)

    def tag_list(self) -> None:
        """The list of post tags, or a lookup by slug that may match any tag."""
        self.tags.add(TAGS)

    def pages(self, page_ids: Iterable[int]) -> None:
        """Pages read by id or shown."""
        self.tags.update(page_tag(pid) for pid in page_ids)

    def page_list(self) -> None:
        """A list of public pages (the pages, a page's children), or a lookup by uri that
        may match any page."""
        self.tags.add(PAGES)

    def media_items(self, media_ids: Iterable[int]) -> None:
        """Media items read by id or shown (with their renditions)."""
        self.tags.update(media_tag(mid) for mid in media_ids)

    def media_list(self) -> None:
        """The list of media items."""
        self.tags.add(MEDIA)

    def menus(self, menu_ids: Iterable[int]) -> None:
        """Menus (and their items) read by id or shown."""
        self.tags.update(menu_tag(mid) for mid in menu_ids)

    def menu_list(self) -> None:
        """The list of menus, or a lookup by slug or location, or of an item by id."""
        self.tags.add(MENUS)

    def comments_of(self, post_ids: Iterable[int]) -> None:
        """Public comments of these posts (threads, replies, counts)."""
        self.tags.update(post_comments_tag(pid) for pid in post_ids)

    def comments(self, comment_ids: Iterable[int]) -> None:
        """Comments looked up by id, found or not."""
        self.tags.update(comment_tag(cid) for cid in comment_ids)

    def comment_list(self) -> None:
        """Public comments of every post (the site's comment feed)."""
        self.tags.add(COMMENTS)


def invalidation_for_comments(post_id: int, comment_ids: Iterable[int]) -> set[str]:
    """What a change to the public comments `comment_ids` of post `post_id` invalidates (a
    comment approved, held, trashed: its post's threads and counts, and lookups by id)."""
    return {COMMENTS, post_comments_tag(post_id), *(comment_tag(cid) for cid in comment_ids)}


def invalidation_for_post(post_id: int) -> set[str]:
    """What a change to a post invalidates: the post, every list that may hold it, and its
    comments (which are public only while the post is)."""
    return {post_tag(post_id), POSTS, post_comments_tag(post_id)}


def invalidation_for_page(page_id: int) -> set[str]:
    """What a change to a page invalidates: the page and every list that may hold it (the
    pages, its parent's children, which answer `page_list`)."""
    return {page_tag(page_id), PAGES}


def invalidation_for_everything() -> set[str]:
    """What a bulk write invalidates: every response."""
    return {ALL}
