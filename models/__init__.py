"""Threadpress content models (Tortoise ORM) and database set-up.

Tortoise discovers models through the modules listed in `models.config.TORTOISE_ORM`;
everything a caller needs is re-exported here so code reads `models.Post`.
"""

from models.api_token import ApiToken, Role
from models.archive_redirect import ArchiveRedirect, archive_gone, moved_archive
from models.audit import AuditEntry
from models.author import Author, author_uri
from models.category import CATEGORY_ARCHIVE, Category, refresh_category_uris
from models.change import Change, ChangeKind
from models.comment import (
    IN_PUBLIC_THREAD_RULE,
    MODERATION_QUEUE_RULE,
    PREVIEWABLE_COMMENT_RULE,
    PUBLIC_COMMENT_RULE,
    Comment,
    CommentModeration,
    public_comment_filter,
    public_in_thread,
)
from models.media import MediaItem, MediaSize, RenditionState
from models.menu import (
    CUSTOM_LINK,
    MAX_MENU_DEPTH,
    MAX_MENU_ITEMS,
    MAX_MENUS,
    Branch,
    Menu,
    MenuItem,
    menu_tree,
)
from models.page import PUBLIC_PAGE_RULE, Page, public_page_filter, scheduled_page_filter
from models.page_redirect import PageRedirect
from models.post import (
    PUBLIC_POST_RULE,
    CommentStatus,
    Post,
    PostStatus,
    public_post_filter,
    scheduled_post_filter,
)
from models.post_redirect import PostRedirect
from models.sorting import text_sort_key
from models.tag import TAG_ARCHIVE, Tag, tag_uri
from models.visibility import Rule
from models.webhook import WebhookDelivery, WebhookSubscriber

__all__ = [
    "CATEGORY_ARCHIVE",
    "CUSTOM_LINK",
    "IN_PUBLIC_THREAD_RULE",
    "MAX_MENUS",
    "MAX_MENU_DEPTH",
    "MAX_MENU_ITEMS",
    "MODERATION_QUEUE_RULE",
    "PREVIEWABLE_COMMENT_RULE",
    "PUBLIC_COMMENT_RULE",
    "PUBLIC_PAGE_RULE",
    "PUBLIC_POST_RULE",
    "TAG_ARCHIVE",
    "ApiToken",
    "ArchiveRedirect",
    "AuditEntry",
    "Author",
    "Branch",
    "Category",
    "Change",
    "ChangeKind",
    "Comment",
    "CommentModeration",
    "CommentStatus",
    "MediaItem",
    "MediaSize",
    "Menu",
    "MenuItem",
    "Page",
    "PageRedirect",
    "Post",
    "PostRedirect",
    "PostStatus",
    "RenditionState",
    "Role",
    "Rule",
    "Tag",
    "WebhookDelivery",
    "WebhookSubscriber",
    "archive_gone",
    "author_uri",
    "menu_tree",
    "moved_archive",
    "public_comment_filter",
    "public_in_thread",
    "public_page_filter",
    "public_post_filter",
    "refresh_category_uris",
    "scheduled_page_filter",
    "scheduled_post_filter",
    "tag_uri",
    "text_sort_key",
]
