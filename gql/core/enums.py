"""Enums of the public contract shared by several domains."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="Whether a post is published.")
class PostStatus(Enum):
    DRAFT = strawberry.enum_value("DRAFT", description="Not published (drafts, reviews, private).")
    PUBLISHED = strawberry.enum_value("PUBLISHED", description="Published.")


@strawberry.enum(description="Whether a post takes new comments.")
class CommentStatus(Enum):
    OPEN = strawberry.enum_value("OPEN", description="New comments are welcome.")
    CLOSED = strawberry.enum_value("CLOSED", description="The post takes no new comments.")


@strawberry.enum(description="How to render a post's body.")
class ContentFormat(Enum):
    HTML = strawberry.enum_value("HTML", description="Sanitised HTML, safe to inject.")
    TEXT = strawberry.enum_value("TEXT", description="Plain text: tags dropped, entities decoded.")


@strawberry.enum(description="Which way to sort.")
class OrderDirection(Enum):
    ASC = strawberry.enum_value("ASC", description="Smallest (or oldest) first.")
    DESC = strawberry.enum_value("DESC", description="Largest (or newest) first.")
