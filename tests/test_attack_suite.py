"""What graphql-cop (github.com/dolevf/graphql-cop) checks, reproduced against the app in
production settings: each attack with graphql-cop's own payload where it has one, and the safe
outcome asserted exactly (refused with its code, nothing run, nothing written, nothing leaked).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
import strawberry.schema.schema as strawberry_schema_module
from graphql import parse, print_ast

import models
from gql.core.ids import to_global_id
from gql.http.csrf import UNSUPPORTED_MESSAGE
from gql.http.view import BATCHING_MESSAGE
from gql.loaders import Loaders
from tests import factories
from tests.conftest import SqlLog, app_client

PRODUCTION = {"THREADPRESS_ENV": "production"}
DEVELOPMENT = {"THREADPRESS_ENV": "development"}
NO_LIMITS = {"THREADPRESS_FLOOD_SECONDS": "0", "THREADPRESS_COMMENT_RATE_LIMIT": "1000/minute"}
SUBMIT = """
mutation Submit($input: SubmitCommentInput!) {
  submitComment(input: $input) { moderationStatus comment { databaseId } errors { code } }
}
"""
# Extension keys an error may carry; anything else (exception, stacktrace, tracing) is a leak.
ERROR_EXTENSION_KEYS = {"code", "errorId", "limit", "depth", "cost", "argument", "maxBytes"}


async def _post(http: httpx.AsyncClient, query: str, variables: Any = None) -> dict[str, Any]:
    response = await http.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


def _submission(post: models.Post) -> dict[str, Any]:
    return {
        "query": SUBMIT,
        "variables": {
            "input": {
                "postId": to_global_id("Post", post.id),
                "authorName": "Jo Runner",
                "authorEmail": "jo@example.org",
                "content": "Nice post.",
            }
        },
    }


def _assert_no_leak(text: str) -> None:
    lowered = text.lower()
    for word in ("traceback", "stacktrace", "exception", 'file "', ".py", "tortoise", "sqlite"):
        assert word not in lowered, (word, text[:500])


# Alias overloading


async def test_alias_overloading_101_aliased_fields_is_refused_before_any_sql(
    db: str, sql_log: SqlLog
) -> None:
    query = "query { " + " ".join(f"alias{n}: posts {{ totalCount }}" for n in range(101)) + " }"

    async with app_client(db, PRODUCTION) as http:
        sql_log.statements.clear()
        body = await _post(http, query)

    assert body == {
        "errors": [
            {
                "message": "The query uses 101 aliases; at most 15 are allowed.",
                "extensions": {"code": "TOO_MANY_ALIASES", "limit": 15},
            },
            {
                "message": "The query selects `posts` 101 times in one selection set; "
                "at most 50 are allowed.",
                "extensions": {"code": "QUERY_TOO_COMPLEX", "limit": 50},
            },
        ],
        "extensions": {"cost": {"requested": 1010, "limit": 200_000}},
    }
    assert sql_log.count == 0


async def test_alias_overloading_graphql_cop_payload_is_refused(db: str, sql_log: SqlLog) -> None:
    query = "query { " + "".join(f"alias{n}:__typename \n" for n in range(101)) + " }"

    async with app_client(db, PRODUCTION) as http:
        sql_log.statements.clear()
        body = await _post(http, query)

    assert sql_log.count == 0
    assert "data" not in body
    # Aliasing `__typename` is free of the alias limit (clients add it everywhere), but no
    # field may be selected more than 50 times in one selection set.
    assert body["errors"] == [
        {
            "message": "The query selects `__typename` 101 times in one selection set; "
            "at most 50 are allowed.",
            "extensions": {"code": "QUERY_TOO_COMPLEX", "limit": 50},
        }
    ]


# Batching


@pytest.mark.parametrize("count", [1, 10])
async def test_array_batching_is_400_and_runs_nothing(db: str, sql_log: SqlLog, count: int) -> None:
    post = await factories.post(await factories.author())
    batch = [_submission(post)] * count + [{"query": "query { posts { totalCount } }"}] * count

    async with app_client(db, {**PRODUCTION, **NO_LIMITS}) as http:
        sql_log.statements.clear()
        response = await http.post("/graphql", json=batch)

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"message": BATCHING_MESSAGE, "extensions": {"code": "BAD_REQUEST"}}
    ]
    assert "data" not in response.json()
    assert sql_log.count == 0
    assert await models.Comment.all().count() == 0


# Directive overloading


async def test_directive_overloading_graphql_cop_payload_is_refused(db: str) -> None:
    async with app_client(db, PRODUCTION) as http:
        body = await _post(http, "query { __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }")

    assert "data" not in body
    # graphql-cop flags any answer with exactly 10 errors: a repeated mistake is said once,
    # at every place it was made.
    assert body["errors"] == [
        {
            "message": "Unknown directive '@aa'.",
            "locations": [{"line": 1, "column": column} for column in range(20, 50, 3)],
            "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
        }
    ]


async def test_many_duplicated_directives_are_refused_before_any_sql(
    db: str, sql_log: SqlLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    known = "query { posts { totalCount " + "@include(if: true) " * 60 + "} }"
    unknown = "query { posts { totalCount " + "@aa " * 300 + "} }"
    # Validation is what such a document makes expensive (every directive checked against
    # every other at its location): a refusal is cheap because validation never runs. That is
    # checked by counting graphql-core's validations, not by a clock a loaded machine slows.
    validated: list[str] = []
    validate = strawberry_schema_module.validate

    def counted(schema: Any, document: Any, *args: Any, **kwargs: Any) -> Any:
        validated.append(print_ast(document))
        return validate(schema, document, *args, **kwargs)

    monkeypatch.setattr(strawberry_schema_module, "validate", counted)

    async with app_client(db, PRODUCTION) as http:
        sql_log.statements.clear()
        duplicated = await _post(http, known)
        many_unknown = await _post(http, unknown)
        refused_sql = sql_log.count
        # The count sees validation where it happens: a document within the limits is validated.
        allowed = await _post(http, "query { posts { totalCount @include(if: true) } }")

    assert "data" not in duplicated
    assert "data" not in many_unknown
    assert duplicated["errors"][0] == {
        "message": "The query uses 60 directives; at most 50 are allowed.",
        "extensions": {"code": "TOO_MANY_DIRECTIVES", "limit": 50},
    }
    # Refused on its measures alone: a refused document is never validated.
    assert _codes(duplicated) == ["TOO_MANY_DIRECTIVES"]
    assert _codes(many_unknown) == ["TOO_MANY_DIRECTIVES"]
    assert refused_sql == 0
    assert allowed["data"] == {"posts": {"totalCount": 0}}
    assert validated == [print_ast(parse("query { posts { totalCount @include(if: true) } }"))]


# Field duplication


async def test_field_duplication_graphql_cop_payload_is_refused(db: str) -> None:
    async with app_client(db, PRODUCTION) as http:
        body = await _post(http, "query { " + "__typename \n" * 500 + "} ")

    assert "data" not in body
    assert body["errors"] == [
        {
            "message": "The query selects `__typename` 500 times in one selection set; "
            "at most 50 are allowed.",
            "extensions": {"code": "QUERY_TOO_COMPLEX", "limit": 50},
        }
    ]


# Circular introspection and circular fragments


def _circular_introspection(levels: int) -> str:
    inner = "name"
    for _ in range(levels):
        inner = f"fields {{ type {{ {inner} }} }}"
    return f"query {{ __schema {{ types {{ {inner} }} }} }}"


GRAPHQL_COP_CIRCULAR = (
    "query { __schema { types { fields { type { fields { type { fields { type { fields "
    "{ type { name } } } } } } } } } } }"
)


async def test_circular_introspection_is_refused_in_production(db: str, sql_log: SqlLog) -> None:
    async with app_client(db, PRODUCTION) as http:
        sql_log.statements.clear()
        cop = await _post(http, GRAPHQL_COP_CIRCULAR)
        deep = await _post(http, _circular_introspection(15))

    for body in (cop, deep):
        assert "data" not in body
        assert "__schema" not in json.dumps(body.get("data"))
    assert set(_codes(cop)) == {"GRAPHQL_VALIDATION_FAILED"}
    assert any("introspection has been disabled" in e["message"] for e in cop["errors"])
    # Too deep is refused on its measures, before validation would say more.
    assert _codes(deep) == ["QUERY_TOO_DEEP"]
    assert sql_log.count == 0


async def test_circular_introspection_is_refused_in_development(db: str) -> None:
    async with app_client(db, DEVELOPMENT) as http:
        allowed = await _post(http, "query { __schema { types { fields { type { name } } } } }")
        cop = await _post(http, GRAPHQL_COP_CIRCULAR)
        deep = await _post(http, _circular_introspection(15))

    assert "errors" not in allowed
    assert len(allowed["data"]["__schema"]["types"]) > 25
    assert cop == {
        "errors": [
            {
                "message": "Maximum introspection depth exceeded",
                "locations": [{"line": 1, "column": 9}],
                "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
            }
        ],
        "extensions": {"cost": {"requested": 0, "limit": 200_000}},
    }
    assert "data" not in deep
    assert deep["errors"][0] == {
        "message": "The query is 33 levels deep; at most 24 are allowed. "
        "Read deep comment threads with `commentThread`.",
        "extensions": {"code": "QUERY_TOO_DEEP", "depth": 33, "limit": 24},
    }


@pytest.mark.parametrize("env", [PRODUCTION, DEVELOPMENT], ids=["production", "development"])
async def test_circular_fragments_are_refused(db: str, env: dict[str, str]) -> None:
    query = (
        "query { __schema { ...A } } fragment A on __Schema { __typename ...B } "
        "fragment B on __Schema { ...A }"
    )
    on_data = "query { posts { ...A } } fragment A on PostConnection { totalCount ...B } "
    on_data += "fragment B on PostConnection { ...A }"

    async with app_client(db, env) as http:
        cop = await _post(http, query)
        own = await _post(http, on_data)

    for body in (cop, own):
        assert "data" not in body
        assert "Cannot spread fragment 'A' within itself via 'B'." in [
            e["message"] for e in body["errors"]
        ]
        assert set(_codes(body)) == {"GRAPHQL_VALIDATION_FAILED"}


# Introspection and GraphiQL in production


@pytest.mark.parametrize(
    "query",
    [
        "query { __schema { queryType { name } } }",
        '{ __type(name: "Post") { fields { name } } }',
        "query IntrospectionQuery { __schema { types { name } } }",
    ],
)
async def test_introspection_is_refused_in_production(db: str, query: str) -> None:
    async with app_client(db, PRODUCTION) as http:
        body = await _post(http, query)

    assert "data" not in body
    assert set(_codes(body)) == {"GRAPHQL_VALIDATION_FAILED"}
    for error in body["errors"]:
        assert "introspection has been disabled" in error["message"]


async def test_typename_is_not_introspection(db: str) -> None:
    async with app_client(db, PRODUCTION) as http:
        body = await _post(http, "query { __typename }")

    assert body == {
        "data": {"__typename": "Query"},
        "extensions": {"cost": {"requested": 0, "limit": 200_000}},
    }


GRAPHIQL_HEURISTICS = ("graphiql.min.css", "GraphQL Playground", "GraphiQL", "graphql-playground")


@pytest.mark.parametrize("path", ["/graphiql", "/playground", "/console", "/graphql"])
async def test_no_graphql_ide_in_production(db: str, path: str) -> None:
    async with app_client(db, PRODUCTION) as http:
        page = await http.get(path, headers={"Accept": "text/html"})
        plain = await http.get(path)

    for response in (page, plain):
        assert response.status_code in (400, 404)
        assert response.headers["content-type"] == "application/json"
        assert not any(word in response.text for word in GRAPHIQL_HEURISTICS)


async def test_no_graphiql_assets_in_production(db: str) -> None:
    from gql.http.graphiql import ASSETS_URL, NPM_SCRIPTS

    async with app_client(db, PRODUCTION) as http:
        responses = [await http.get(f"{ASSETS_URL}/{script.url_path}") for script in NPM_SCRIPTS]
        responses.append(await http.get(f"{ASSETS_URL}/"))

    for response in responses:
        assert response.status_code == 404
        assert response.json()["errors"][0]["extensions"] == {"code": "NOT_FOUND"}


# GET: queries allowed and cacheable, mutations never


async def test_get_query_is_allowed_and_cacheable(db: str) -> None:
    await factories.post(await factories.author(), title="First")
    params = {"query": "query { posts { totalCount nodes { title } } }"}

    async with app_client(db, PRODUCTION) as http:
        first = await http.get("/graphql", params=params)
        again = await http.get(
            "/graphql", params=params, headers={"If-None-Match": first.headers["etag"]}
        )

    assert first.status_code == 200
    assert first.json()["data"] == {"posts": {"totalCount": 1, "nodes": [{"title": "First"}]}}
    assert first.headers["cache-control"] == "public, max-age=0, must-revalidate"
    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.parametrize("query", [SUBMIT, "mutation { __typename }"])
async def test_get_mutation_is_405_and_writes_nothing(db: str, sql_log: SqlLog, query: str) -> None:
    post = await factories.post(await factories.author())
    variables = json.dumps(_submission(post)["variables"])

    async with app_client(db, {**PRODUCTION, **NO_LIMITS}) as http:
        sql_log.statements.clear()
        response = await http.get("/graphql", params={"query": query, "variables": variables})

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["extensions"] == {"code": "METHOD_NOT_ALLOWED"}
    assert "data" not in response.json()
    assert sql_log.count == 0
    assert await models.Comment.all().count() == 0


# POST-based CSRF: only JSON runs


def _multipart(document: dict[str, Any]) -> tuple[bytes, str]:
    boundary = "----threadpress-attack"
    parts = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in (
            ("query", document["query"]),
            ("variables", json.dumps(document["variables"])),
        )
    )
    return f"{parts}--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("kind", ["form", "text/plain", "multipart"])
async def test_non_json_post_is_415_and_writes_nothing(db: str, sql_log: SqlLog, kind: str) -> None:
    post = await factories.post(await factories.author())
    document = _submission(post)
    if kind == "form":
        form = {"query": document["query"], "variables": json.dumps(document["variables"])}
        content = str(httpx.QueryParams(form)).encode()
        content_type = "application/x-www-form-urlencoded"
    elif kind == "text/plain":
        content, content_type = json.dumps(document).encode(), "text/plain"
    else:
        content, content_type = _multipart(document)

    async with app_client(db, {**PRODUCTION, **NO_LIMITS}) as http:
        sql_log.statements.clear()
        response = await http.post(
            "/graphql", content=content, headers={"Content-Type": content_type}
        )

    assert response.status_code == 415
    assert response.headers["content-type"] == "application/json"
    assert response.json()["errors"] == [
        {"message": UNSUPPORTED_MESSAGE, "extensions": {"code": "UNSUPPORTED_MEDIA_TYPE"}}
    ]
    assert sql_log.count == 0
    assert await models.Comment.all().count() == 0


# Field suggestions


SUGGESTION_BAITS = {
    "graphql-cop": "query { __schema { directive } }",
    "field": "{ postz { totalCount } }",
    "nested field": "{ posts { nodes { titel } } }",
    "argument": "{ posts(frist: 1) { totalCount } }",
    "root argument": '{ post(slg: "x") { title } }',
    "input field": '{ posts(where: { categorySlugg: "x" }) { totalCount } }',
    "enum value": "{ posts(orderBy: { field: TITEL }) { totalCount } }",
    "enum argument": '{ post(slug: "x") { content(format: HTMLL) } }',
    "variable type": "query($w: PostWher) { posts(where: $w) { totalCount } }",
    "fragment type": '{ post(slug: "x") { ... on Pots { title } } }',
    "named fragment type": "{ posts { ...F } } fragment F on PostConection { totalCount }",
    "directive": "{ posts { totalCount @skipp(if: true) } }",
    "directive argument": "{ posts { totalCount @skip(iff: true) } }",
    "mutation field": "mutation { submitComent(input: {}) { errors { code } } }",
}
VARIABLE_BAITS = {
    "variable enum value": (
        "query($o: PostOrder) { posts(orderBy: $o) { totalCount } }",
        {"o": {"field": "TITEL"}},
    ),
    "variable input field": (
        "query($w: PostWhere) { posts(where: $w) { totalCount } }",
        {"w": {"categorySlugg": "x"}},
    ),
    "mutation input field": (
        "mutation($i: SubmitCommentInput!) { submitComment(input: $i) { errors { code } } }",
        {"i": {"postId": "x", "authorNam": "x", "authorEmail": "x", "content": "x"}},
    ),
}


@pytest.mark.parametrize("env", [PRODUCTION, DEVELOPMENT], ids=["production", "development"])
async def test_no_error_suggests_a_name(db: str, env: dict[str, str]) -> None:
    async with app_client(db, {**env, **NO_LIMITS}) as http:
        bodies = {name: await _post(http, query) for name, query in SUGGESTION_BAITS.items()}
        for name, (query, variables) in VARIABLE_BAITS.items():
            bodies[name] = await _post(http, query, variables)

    for name, body in bodies.items():
        assert "data" not in body, name
        assert body["errors"], name
        assert set(_codes(body)) == {"GRAPHQL_VALIDATION_FAILED"}, (name, body)
        text = json.dumps(body)
        assert "Did you mean" not in text, (name, text)
        assert "did you mean" not in text.lower(), (name, text)


# Trace mode, debug output and unhandled errors


async def test_no_tracing_or_debug_extensions(db: str) -> None:
    async with app_client(db, PRODUCTION) as http:
        ok = await _post(http, "query { __typename }")
        get = (await http.get("/graphql", params={"query": "{ __typename }"})).json()

    for body in (ok, get):
        assert body["extensions"] == {"cost": {"requested": 0, "limit": 200_000}}
        assert "stacktrace" not in json.dumps(body).lower()


ERROR_BAITS = [
    "qwerty cop { abc }",  # graphql-cop's unhandled-error probe
    "{ posts {",
    "{ nothing }",
    '{ node(id: "not-base64!!") { id } }',
    "{ posts(first: 1000) { totalCount } }",
    '{ posts(after: "garbage") { totalCount } }',
    '{ post(slug: "a", uri: "/b/") { title } }',
    "{ " + "a: posts { totalCount } " * 20 + "}",
    "query($n: Int) { posts(first: $n) { totalCount } }",
]


@pytest.mark.parametrize("env", [PRODUCTION, DEVELOPMENT], ids=["production", "development"])
async def test_errors_carry_no_exception_or_stack_trace(db: str, env: dict[str, str]) -> None:
    async with app_client(db, env) as http:
        responses = [
            await http.post("/graphql", json={"query": q, "variables": {"n": "x"}})
            for q in ERROR_BAITS
        ]
        responses.append(
            await http.post(
                "/graphql", content=b"{not json", headers={"Content-Type": "application/json"}
            )
        )
        responses.append(await http.post("/graphql", json={"query": 5}))
        responses.append(
            await http.post("/graphql", json={"query": "{ __typename }", "variables": "[]"})
        )

    for response in responses:
        assert response.status_code in (200, 400), response.text
        body = response.json()
        assert body["errors"], body
        for error in body["errors"]:
            assert set(error["extensions"]) <= ERROR_EXTENSION_KEYS, error
            assert error["extensions"]["code"] != "INTERNAL_SERVER_ERROR", error
        assert set(body.get("extensions", {})) <= {"cost"}
        _assert_no_leak(response.text)


async def test_unhandled_error_is_masked_with_an_error_id(
    db: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await factories.post(await factories.author(name="Ann"), slug="p")

    async def crash(_self: Loaders, _ids: list[int]) -> list[models.Author | None]:
        raise RuntimeError("secret /srv/threadpress/db.py password=hunter2")

    monkeypatch.setattr(Loaders, "_author_by_id", crash)

    async with app_client(db, PRODUCTION) as http:
        with caplog.at_level(logging.ERROR, logger="threadpress.errors"):
            response = await http.post(
                "/graphql", json={"query": '{ post(slug: "p") { title author { name } } }'}
            )

    assert response.status_code == 200
    body = response.json()
    [error] = body["errors"]
    error_id = error["extensions"]["errorId"]
    assert len(error_id) == 32
    assert error == {
        "message": "Internal server error",
        "locations": [{"line": 1, "column": 27}],
        "path": ["post", "author"],
        "extensions": {"code": "INTERNAL_SERVER_ERROR", "errorId": error_id},
    }
    assert body["data"] == {"post": None}
    for leaked in ("secret", "hunter2", "RuntimeError", "/srv/"):
        assert leaked not in response.text
    _assert_no_leak(response.text)
    [record] = [r for r in caplog.records if r.name == "threadpress.errors"]
    assert record.getMessage() == f"errorId={error_id} unexpected error at post.author"
    assert record.exc_info is not None
    assert "hunter2" in str(record.exc_info[1])
