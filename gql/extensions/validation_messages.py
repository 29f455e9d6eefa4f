"""Validation and coercion messages that teach nothing about the schema, for production.

graphql-core's messages name what a document got wrong, and often what it did not write:
`Field 'post' of type 'Post' must have a selection of subfields`, `Argument 'uri' of type
'String!' is required`, `Expected value of type 'SubmitCommentInput' to include required
field 'postId'`. With introspection off, that is how tools like clairvoyance rebuild a
schema. In production a message is kept only when every schema name it says (a type, field,
argument, input field or enum value) was written by the client itself, in the document's
name tokens or in its variables; otherwise it becomes a generic sentence for its rule (which
names nothing of the schema), and keeps its code. Development keeps graphql-core's messages.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

from graphql import (
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    Lexer,
    Source,
    TokenKind,
)

SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")
WORD = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
VARIABLE = re.compile(r"^Variable '\$([_A-Za-z][_0-9A-Za-z]*)'")

# (what graphql-core's message says, the generic sentence), first match wins. None of these
# sentences may use a word the schema uses as a name (tests/test_production_errors.py).
GENERIC_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), message)
    for pattern, message in (
        (r"^Cannot query field", "The document selects something that does not exist here."),
        (r"^Unknown argument", "The document passes an argument that is not taken here."),
        (r"^Unknown type", "The document names a type that does not exist."),
        (r"^Unknown directive", "The document uses a directive that does not exist."),
        (r"is required, but it was not provided", "A required argument is missing."),
        (r"must have a selection of subfields", "A selection of subfields is missing."),
        (r"must not have a selection", "A selection is given to something that takes none."),
        (r"cannot be spread here", "A fragment is spread on a type it can never apply to."),
        (r"used in position expecting", "A variable is used in a position its type does not fit."),
    )
)
VARIABLE_VALUE_MESSAGE = "Variable '${}' has a value that does not fit its type."
VALUE_MESSAGE = "A value in the document does not fit its position."
VALUE_RULES = re.compile(
    r"Expected value of type|Expected type|cannot represent|does not exist in|"
    r"is not defined by type|was not provided|must not be null"
)
FALLBACK_MESSAGE = "The document is not valid for this API."


@lru_cache(maxsize=8)
def schema_names(schema: GraphQLSchema) -> frozenset[str]:
    """Every name of `schema`: types (built-in scalars included), fields, arguments, input
    fields, enum values and directives."""
    names: set[str] = set()
    for type_name, named in schema.type_map.items():
        if type_name.startswith("__"):
            continue
        names.add(type_name)
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                names.add(field_name)
                names.update(field.args)
        elif isinstance(named, GraphQLInputObjectType):
            names.update(named.fields)
        elif isinstance(named, GraphQLEnumType):
            names.update(named.values)
    for directive in schema.directives:
        names.add(directive.name)
        names.update(directive.args)
    return frozenset(names)


@lru_cache(maxsize=8)
def type_names(schema: GraphQLSchema) -> frozenset[str]:
    """The names of `schema`'s types, built-in scalars included."""
    return frozenset(name for name in schema.type_map if not name.startswith("__"))


def written_names(document: str | None, variables: object) -> frozenset[str]:
    """The names a client wrote: the document's name tokens (not its strings or comments)
    and the words of its variables."""
    written = set(WORD.findall(json.dumps(variables, default=str))) if variables else set()
    if document:
        lexer = Lexer(Source(document))
        try:
            token = lexer.advance()
            while token.kind is not TokenKind.EOF:
                if token.kind is TokenKind.NAME and token.value is not None:
                    written.add(token.value)
                token = lexer.advance()
        except GraphQLError:
            pass  # the names up to a lexing error; the document is refused anyway
    return frozenset(written)


def names_said(message: str, schema: GraphQLSchema) -> set[str]:
    """The schema's names a message says: graphql-core quotes every name it mentions
    (`'post'`, `'Query.resolveUri(uri:)'`, `'[ID!]'`) but a scalar's in its coercion
    messages (`Int cannot represent ...`), so any word inside quotes that is a schema name,
    and any type name anywhere (the English "field" or "input" outside quotes is no name)."""
    quoted = {word for segment in QUOTED.findall(message) for word in WORD.findall(segment)}
    return (quoted & schema_names(schema)) | (set(WORD.findall(message)) & type_names(schema))


def generic_message(message: str, written: frozenset[str]) -> str:
    """A sentence for the rule `message` reports, naming nothing of the schema (only a
    variable, by the name the document gave it)."""
    variable = VARIABLE.match(message)
    for pattern, generic in GENERIC_MESSAGES:
        if pattern.search(message):
            return generic
    if variable and variable.group(1) in written:
        return VARIABLE_VALUE_MESSAGE.format(variable.group(1))
    if VALUE_RULES.search(message):
        return VALUE_MESSAGE
    return FALLBACK_MESSAGE


def private_message(
    message: str, schema: GraphQLSchema, document: str | None, variables: object
) -> str:
    """`message` when it names only what the client wrote, else a generic one."""
    written = written_names(document, variables)
    # A suggestion ("Did you mean ...?") names what was not written by its nature: it goes
    # in any mode (see `gql.schema`), so it does not make the rest of the message generic.
    bare = SUGGESTION.sub("", message)
    if names_said(bare, schema) <= written:
        return bare
    return generic_message(bare, written)


__all__ = [
    "SUGGESTION",
    "generic_message",
    "private_message",
    "schema_names",
    "type_names",
    "written_names",
]
