"""With introspection off, a production server must not teach its schema through its error
messages: tools like clairvoyance rebuild a schema from what validation says about documents
that guess. A document's mistakes are answered with the right code; a message names only
what the document (or its variables) wrote itself, else it is generic. Development keeps
graphql-core's own messages, which name what is missing."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    Lexer,
    Source,
    TokenKind,
    build_schema,
)

from gql.extensions.validation_messages import (
    FALLBACK_MESSAGE,
    GENERIC_MESSAGES,
    VALUE_MESSAGE,
    VARIABLE_VALUE_MESSAGE,
)
from gql.extensions.validation_messages import schema_names as names_of
from gql.schema import schema
from tests.conftest import app_client

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = {
    "THREADPRESS_ENV": "production",
    "THREADPRESS_FLOOD_SECONDS": "0",
    "THREADPRESS_COMMENT_RATE_LIMIT": "1000/minute",
}
SUBMIT_INPUT = 'postId: "x", authorName: "a", authorEmail: "a@example.org", content: "c"'

# Each probe: (document, variables). Misspelled and unknown names, missing required
# arguments, input fields and subselections, wrong enum values, literals and variables of
# the wrong type, unknown types in fragments and variables.
PROBES: dict[str, tuple[str, dict[str, Any] | None]] = {
    "misspelled root field": ("{ postz { totalCount } }", None),
    "misspelled connection field": ("{ posts { totalCont } }", None),
    "misspelled node field": ("{ posts { nodes { titel } } }", None),
    "misspelled nested field": ('{ post(slug: "x") { autor { name } } }', None),
    "misspelled mutation": ("mutation { submitComent(input: {}) { errors { code } } }", None),
    "misspelled viewer field": ("{ viewer { nam } }", None),
    "misspelled subscription field": (
        'subscription { commentAdded(postId: "x") { autor } }',
        None,
    ),
    "missing argument": ("{ resolveUri { statusCode } }", None),
    "missing node id": ("{ node { id } }", None),
    "missing mutation input": ("mutation { submitComment { errors { code } } }", None),
    "missing moderation input": ("mutation { moderateComment { errors { code } } }", None),
    "missing subscription argument": ("subscription { commentAdded { id } }", None),
    "missing directive argument": ("{ posts { totalCount @skip } }", None),
    "missing subselection": ('{ post(slug: "x") }', None),
    "missing connection subselection": ("{ posts }", None),
    "missing viewer subselection": ("{ viewer }", None),
    "missing nested subselection": ("{ posts { nodes { author } } }", None),
    "missing payload subselection": (
        f"mutation {{ submitComment(input: {{{SUBMIT_INPUT}}}) }}",
        None,
    ),
    "selection on a scalar": ("{ posts { totalCount { x } } }", None),
    "empty input": ("mutation { submitComment(input: {}) { errors { code } } }", None),
    "partial input": ('mutation { submitComment(input: {postId: "x"}) { errors { code } } }', None),
    "input without action": (
        'mutation { moderateComment(input: {id: "x"}) { errors { code } } }',
        None,
    ),
    "null in a required input field": ("{ posts(orderBy: {field: null}) { totalCount } }", None),
    "partial post": ('mutation { createPost(input: {title: "t"}) { errors { code } } }', None),
    "wrong enum value": ("{ posts(orderBy: { field: TITEL }) { totalCount } }", None),
    "wrong enum argument": ('{ post(slug: "x") { content(format: HTMLL) } }', None),
    "wrong action": (
        'mutation { moderateComment(input: {id: "x", action: APPROVEE}) { errors { code } } }',
        None,
    ),
    "wrong direction": (
        "{ posts(orderBy: { field: TITLE, direction: UPP }) { totalCount } }",
        None,
    ),
    "string for a number": ('{ posts(first: "ten") { totalCount } }', None),
    "number for a string": ("{ post(slug: 5) { title } }", None),
    "string for an input": ('{ posts(where: "x") { totalCount } }', None),
    "boolean for an id": ("{ node(id: true) { id } }", None),
    "unknown argument": ("{ posts(firts: 1) { totalCount } }", None),
    "unknown input field": ('{ posts(where: { categorySlugg: "x" }) { totalCount } }', None),
    "unknown fragment type": ('{ post(slug: "x") { ... on Pots { title } } }', None),
    "unknown named fragment type": (
        "{ posts { ...F } } fragment F on PostConection { totalCount }",
        None,
    ),
    "unknown variable type": ("query($w: PostWher) { posts(where: $w) { totalCount } }", None),
    "impossible fragment": ('{ post(slug: "x") { ... on Comment { id } } }', None),
    "fragment on the wrong level": ("{ posts { ... on Post { title } } }", None),
    "variable of the wrong type": (
        "query($n: String) { posts(first: $n) { totalCount } }",
        {"n": "1"},
    ),
    "variable of another wrong type": ("query($s: Int) { post(slug: $s) { title } }", {"s": 1}),
    "variable that does not coerce": (
        "query($n: Int) { posts(first: $n) { totalCount } }",
        {"n": "x"},
    ),
    "variable input without fields": (
        "mutation($i: SubmitCommentInput!) { submitComment(input: $i) { errors { code } } }",
        {"i": {}},
    ),
    "variable with a wrong enum value": (
        "query($o: PostOrder) { posts(orderBy: $o) { totalCount } }",
        {"o": {"field": "TITEL"}},
    ),
    "variable with an unknown input field": (
        "query($w: PostWhere) { posts(where: $w) { totalCount } }",
        {"w": {"categorySlugg": "x"}},
    ),
    "required variable missing": (
        "mutation($i: SubmitCommentInput!) { submitComment(input: $i) { errors { code } } }",
        None,
    ),
}


@cache
def schema_names() -> frozenset[str]:
    """Every name schema.graphql defines or refers to: types, fields, arguments, input
    fields, enum values (the built-in scalars it uses included)."""
    schema = build_schema((ROOT / "schema.graphql").read_text())
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
    return frozenset(names)


def _written(document: str, variables: dict[str, Any] | None) -> set[str]:
    """The names a probe wrote: the document's name tokens and its variables' words."""
    written = set(re.findall(r"[_A-Za-z][_0-9A-Za-z]*", json.dumps(variables or {})))
    lexer = Lexer(Source(document))
    token = lexer.advance()
    while token.kind is not TokenKind.EOF:
        if token.kind is TokenKind.NAME and token.value is not None:
            written.add(token.value)
        token = lexer.advance()
    return written


def _said(body: dict[str, Any]) -> str:
    """Everything an answer's errors say: messages and extension values."""
    said = []
    for error in body.get("errors", []):
        said.append(error["message"])
        said.extend(
            str(value)
            for key, value in (error.get("extensions") or {}).items()
            if key not in ("code", "errorId")
        )
    return "\n".join(said)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[_A-Za-z][_0-9A-Za-z]*", text))


def _leaks(document: str, variables: dict[str, Any] | None, body: dict[str, Any]) -> set[str]:
    """The schema's names an answer says that the probe did not write: any name in quotes
    (as graphql-core quotes what it names), and a type's name anywhere (`Int cannot
    represent ...`); the English "field" or "input" outside quotes is no name."""
    said = _said(body)
    quoted = set().union(*map(_words, re.findall(r"'[^']*'|\"[^\"]*\"", said)))
    types = set(build_schema((ROOT / "schema.graphql").read_text()).type_map)
    named = (quoted & schema_names()) | (_words(said) & types)
    return named - _written(document, variables)


async def _answer(
    http: httpx.AsyncClient, document: str, variables: dict[str, Any] | None
) -> dict[str, Any]:
    """The result of a probe; a subscription's is the first event of its stream."""
    subscription = document.startswith("subscription")
    response = await http.post(
        "/graphql",
        json={"query": document, "variables": variables},
        headers={"Accept": "text/event-stream"} if subscription else {},
    )
    assert response.status_code == 200, response.text
    if not subscription:
        body: dict[str, Any] = response.json()
        return body
    data = next(line for line in response.text.splitlines() if line.startswith("data: "))
    first: dict[str, Any] = json.loads(data.removeprefix("data: "))
    return first


async def _answers(db: str, env: dict[str, str]) -> dict[str, dict[str, Any]]:
    async with app_client(db, env) as http:
        return {
            name: await _answer(http, document, variables)
            for name, (document, variables) in PROBES.items()
        }


async def test_production_errors_name_nothing_the_document_did_not_write(db: str) -> None:
    answers = await _answers(db, PRODUCTION)

    leaks = {
        name: sorted(found)
        for name, (document, variables) in PROBES.items()
        if (found := _leaks(document, variables, answers[name]))
    }
    assert leaks == {}
    for name, body in answers.items():
        assert "data" not in body or body["data"] is None, (name, body)
        assert body["errors"], name
        codes = {error["extensions"]["code"] for error in body["errors"]}
        assert codes <= {"GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT"}, (name, body)
        assert "did you mean" not in json.dumps(body).lower(), (name, body)


def test_no_generic_message_uses_a_name_of_the_schema() -> None:
    sentences = [message for _, message in GENERIC_MESSAGES]
    sentences += [VARIABLE_VALUE_MESSAGE, VALUE_MESSAGE, FALLBACK_MESSAGE]

    used = {
        sentence: sorted(set(re.findall(r"[_A-Za-z][_0-9A-Za-z]*", sentence)) & schema_names())
        for sentence in sentences
    }
    assert used == {sentence: [] for sentence in sentences}
    # The names the server checks against are the same as the committed schema's.
    assert schema_names() <= names_of(schema._schema)


async def test_production_keeps_messages_that_name_only_what_was_written(db: str) -> None:
    async with app_client(db, PRODUCTION) as http:
        response = await http.post(
            "/graphql",
            json={
                "query": "query($w: PostWhere) { posts(where: $w) { totalCount } }",
                "variables": {"w": {"categorySlugg": "x"}},
            },
        )

    [error] = response.json()["errors"]
    # graphql-core's message, less its suggestion ("Did you mean 'categorySlug'?").
    assert error["message"] == (
        "Variable '$w' has invalid value: Expected value of type 'PostWhere' not to include "
        "unknown field 'categorySlugg'. Found: {'categorySlugg': 'x'}."
    )
    assert error["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}


@pytest.mark.parametrize(
    ("probe", "message"),
    [
        ("misspelled root field", "Cannot query field 'postz' on type 'Query'."),
        (
            "missing argument",
            "Argument 'Query.resolveUri(uri:)' of type 'String!' is required, "
            "but it was not provided.",
        ),
        # Less the suggestion, in any mode.
        ("missing subselection", "Field 'post' of type 'Post' must have a selection of subfields."),
    ],
)
async def test_development_keeps_graphql_cores_messages(db: str, probe: str, message: str) -> None:
    document, variables = PROBES[probe]
    async with app_client(db, {"THREADPRESS_ENV": "development"}) as http:
        body = await _answer(http, document, variables)

    [error] = body["errors"]
    assert error["message"] == message
