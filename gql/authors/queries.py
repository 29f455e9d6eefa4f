"""Root fields that read authors."""

from __future__ import annotations

import strawberry

import models
from gql.authors.types import Author
from gql.core.orderings import AUTHOR_ORDERING
from gql.core.slugged import Slugged
from models import rows

AUTHORS = Slugged(
    type_name="Author",
    noun="author",
    model=models.Author,
    rows=rows.AUTHORS,
    node=Author,
    from_row=lambda: Author.from_row,
    ordering=AUTHOR_ORDERING,
    by_id=lambda loaders: loaders.author_by_id,
    rows_read=lambda depends: depends.authors,
    archive="/author/",
    uri=lambda row: models.author_uri(row.slug),
    list_read=lambda depends: depends.author_list,
)


@strawberry.type
class AuthorQueries:
    author = AUTHORS.one_field("One author, by exactly one of `id` or `slug`.")
    authors = AUTHORS.list_field("All authors, in the order they were added.")
