"""Validation results kept per parsed document, by the document's identity.

Strawberry's `ValidationCache` keeps them in an `lru_cache` keyed by the document, and a
graphql-core document hashes by value: every request hashed its whole syntax tree, node by
node (about a hundred nodes and their locations for a post page), to find a result it already
had. The parser cache (`ErrorReportingParserCache`) hands out the same document object for the
same text, so the object's identity is the key here, with the document kept alive in the
entry so its id is never reused. A document parsed again (after the parser cache let it go)
is validated again: correct, only slower.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any, ClassVar

from strawberry.extensions import SchemaExtension

from gql.engine.internals import graphql_schema_of, validate_document


class DocumentValidationCache(SchemaExtension):
    """Validates each parsed document once (per schema and rules); leaves alone a document
    the limits already refused (validating it would overwrite the refusal)."""

    validated: ClassVar[OrderedDict[tuple[Any, ...], tuple[Any, Any, list[Any]]]] = OrderedDict()
    """(ids of the schema and document, the rules) -> (schema, document, the errors)."""

    def __init__(self, maxsize: int) -> None:
        super().__init__()
        self.maxsize = maxsize

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
        found = validated.get(key)
        if found is not None:
            validated.move_to_end(key)
            errors = found[2]
        else:
            errors = validate_document(schema, document, rules)  # type: ignore[arg-type]
            validated[key] = (schema, document, errors)
            while len(validated) > self.maxsize:
                validated.popitem(last=False)
        context.pre_execution_errors = errors
        yield
