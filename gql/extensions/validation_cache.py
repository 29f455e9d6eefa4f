"""Validation results kept per parsed document, by the document's identity.

Strawberry's `ValidationCache` keeps them in an `lru_cache` keyed by the document, and a
graphql-core document hashes by value: every request hashed its whole syntax tree, node by
node (about a hundred nodes and their locations for a post page), to find a result it already
had. The parser cache (`ErrorReportingParserCache`) hands out the same document object for the
same text, so the object's identity is the key here, with the document kept alive in the
entry so its id is never reused. A document parsed again (after the parser cache let it go)
is validated again: correct, only slower. Least recently used out, past `DOCUMENTS_VALIDATED`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from cachetools import LRUCache
from strawberry.extensions import SchemaExtension

from gql.engine.internals import graphql_schema_of, validate_document

DOCUMENTS_VALIDATED = 512
"""Documents whose validation is kept: as many as the parser cache keeps (gql/schema.py's
DOCUMENT_CACHE_SIZE)."""


class DocumentValidationCache(SchemaExtension):
    """Validates each parsed document once (per schema and rules); leaves alone a document
    the limits already refused (validating it would overwrite the refusal)."""

    validated: ClassVar[LRUCache[tuple[Any, ...], tuple[Any, Any, list[Any]]]]
    validated = LRUCache(maxsize=DOCUMENTS_VALIDATED)
    """(ids of the schema and document, the rules) -> (schema, document, the errors), shared
    by every request (an instance lives for one)."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.pre_execution_errors is not None:
            yield
            return
        schema = graphql_schema_of(context.schema)
        document = context.graphql_document
        rules = tuple(context.validation_rules)
        key = (id(schema), id(document), rules)
        validated = self.validated
        found = validated.get(key)  # a hit is the most recently used from now on
        if found is not None:
            errors = found[2]
        else:
            errors = validate_document(schema, document, rules)  # type: ignore[arg-type]
            validated[key] = (schema, document, errors)
        context.pre_execution_errors = errors
        yield
