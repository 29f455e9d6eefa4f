"""An anonymous client sends oversized or abusive documents: each limit admits exactly its
limit and refuses one more, with its code, before anything runs (no SQL at all)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from cachetools import LRUCache

from gql.extensions import limits, validation_cache
from tests import factories
from tests.conftest import SqlLog, app_client

LIMITS = {"THREADPRESS_SECRET_KEY": "x" * 40}
# For tests of another limit that fill a document with one field over and over.
REPEATS_OFF = {"THREADPRESS_MAX_FIELD_REPEATS": "100000"}


async def _post(http: httpx.AsyncClient, query: str, variables: Any = None) -> dict[str, Any]:
    response = await http.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


def _nested_replies(levels: int) -> str:
    inner = "authorName"
    for _ in range(levels):
        inner = f"authorName replies(first: 1) {{ nodes {{ {inner} }} }}"
    return f'{{ post(slug: "p") {{ comments(first: 1) {{ nodes {{ {inner} }} }} }} }}'


async def test_depth_admits_a_full_thread_of_replies_and_stops_deeper_nesting(
    db: str, sql_log: SqlLog
) -> None:
    await factories.post(await factories.author(), slug="p")

    async with app_client(db) as http:  # default: 10 levels of thread
        deepest_thread = await _post(http, _nested_replies(9))  # depths 0..9: 22 levels
        at_limit = await _post(http, _nested_replies(10))  # 24 levels
        sql_log.statements.clear()
        deeper = await _post(http, _nested_replies(11))  # 26 levels

    assert "errors" not in deepest_thread
    assert "errors" not in at_limit
    assert _codes(deeper) == ["QUERY_TOO_DEEP"]
    assert deeper["errors"][0]["message"] == (
        "The query is 26 levels deep; at most 24 are allowed. "
        "Read deep comment threads with `commentThread`."
    )
    assert "data" not in deeper
    assert sql_log.count == 0


def _aliases(count: int, fragment: bool = False) -> str:
    fields = " ".join(f"a{n}: posts(first: 1) {{ totalCount }}" for n in range(count))
    typename = " ".join(f"t{n}: __typename" for n in range(30))  # free
    if fragment:
        return f"{{ ...F }} fragment F on Query {{ {fields} {typename} }}"
    return f"{{ {fields} {typename} }}"


@pytest.mark.parametrize("through_fragment", [False, True])
async def test_aliases_fifteen_pass_sixteen_refused(
    db: str, sql_log: SqlLog, through_fragment: bool
) -> None:
    async with app_client(db) as http:
        fifteen = await _post(http, _aliases(15, through_fragment))
        sql_log.statements.clear()
        sixteen = await _post(http, _aliases(16, through_fragment))

    assert "errors" not in fifteen
    assert _codes(sixteen) == ["TOO_MANY_ALIASES"]
    assert sql_log.count == 0


async def test_a_fragment_spread_many_times_counts_every_time(db: str) -> None:
    spreads = " ".join(f"s{n}: posts(first: 1) {{ ...F }}" for n in range(4))
    query = (
        f"{{ {spreads} }} fragment F on PostConnection {{ "
        + " ".join(f"n{n}: totalCount" for n in range(4))
        + " }"
    )

    async with app_client(db) as http:
        body = await _post(http, query)

    assert _codes(body) == ["TOO_MANY_ALIASES"]  # 4 + 4 x 4 = 20
    assert body["errors"][0]["message"] == "The query uses 20 aliases; at most 15 are allowed."


async def test_directives_fifty_pass_fifty_one_refused(db: str, sql_log: SqlLog) -> None:
    def query(count: int) -> str:
        fields = " ".join(f"t{n}: __typename @include(if: true)" for n in range(count))
        return "{ " + fields + " }"

    async with app_client(db, REPEATS_OFF) as http:
        fifty = await _post(http, query(50))
        sql_log.statements.clear()
        fifty_one = await _post(http, query(51))

    assert "errors" not in fifty
    assert _codes(fifty_one) == ["TOO_MANY_DIRECTIVES"]
    assert sql_log.count == 0


async def test_tokens_a_thousand_pass_one_more_refused(db: str, sql_log: SqlLog) -> None:
    # `{` and `}`, 332 x `tN : __typename` (3 tokens each), then plain `__typename`s.
    aliased = " ".join(f"t{n}: __typename" for n in range(332))

    async with app_client(db, REPEATS_OFF) as http:
        at_limit = await _post(http, "{ " + aliased + " __typename __typename }")
        sql_log.statements.clear()
        over = await _post(http, "{ " + aliased + " __typename __typename __typename }")

    assert "errors" not in at_limit
    assert _codes(over) == ["TOO_MANY_TOKENS"]
    assert sql_log.count == 0


def _typenames(count: int, how: str) -> str:
    if how == "plain":
        return "{" + " __typename" * count + " }"
    if how == "aliased":
        return "{ " + " ".join(f"t{n}: __typename" for n in range(count)) + " }"
    # Half in the operation, half in a fragment spread into it: they merge into one set.
    half = count // 2
    return (
        "{ ...F"
        + " __typename" * (count - half)
        + " } fragment F on Query {"
        + " __typename" * half
        + " }"
    )


@pytest.mark.parametrize("how", ["plain", "aliased", "through_fragment"])
async def test_a_field_fifty_times_passes_fifty_one_times_refused(
    db: str, sql_log: SqlLog, how: str
) -> None:
    async with app_client(db) as http:
        fifty = await _post(http, _typenames(50, how))
        sql_log.statements.clear()
        fifty_one = await _post(http, _typenames(51, how))

    assert "errors" not in fifty
    assert fifty["data"]["__typename" if how != "aliased" else "t49"] == "Query"
    assert _codes(fifty_one) == ["QUERY_TOO_COMPLEX"]
    assert fifty_one["errors"][0]["message"] == (
        "The query selects `__typename` 51 times in one selection set; at most 50 are allowed."
    )
    assert fifty_one["errors"][0]["extensions"]["limit"] == 50
    assert "data" not in fifty_one
    assert sql_log.count == 0


async def test_a_field_repeated_past_the_validation_budget_is_refused(db: str) -> None:
    # With the repeat limit raised, graphql-core's own budget for comparing repeated fields
    # still stops the document.
    async with app_client(db, REPEATS_OFF) as http:
        body = await _post(http, "{" + " __typename" * 990 + "}")

    assert _codes(body) == ["QUERY_TOO_COMPLEX"]
    assert body["errors"][0]["message"] == "The query repeats fields too often to be validated."


async def test_fragments_doubling_ninety_times_are_measured_once_each(db: str) -> None:
    # F0 spreads F1 twice, F1 spreads F2 twice...: 2^90 spreads in 1,000 tokens. Each
    # fragment is measured once, so this answers at once instead of never.
    chain = " ".join(f"fragment F{n} on Query {{ ...F{n + 1} ...F{n + 1} }}" for n in range(90))
    query = "{ ...F0 } " + chain + " fragment F90 on Query { __typename }"

    async with app_client(db) as http:
        body = await _post(http, query)

    assert _codes(body) == ["QUERY_TOO_COMPLEX"]
    assert body["errors"][0]["message"] == (
        f"The query selects `__typename` {2**90} times in one selection set; "
        "at most 50 are allowed."
    )


async def test_cost_within_budget_passes_over_budget_is_refused_with_its_cost(
    db: str, sql_log: SqlLog
) -> None:
    query = "query($n: Int) { posts(first: $n) { nodes { author { name } } } }"
    env = {"THREADPRESS_MAX_COST": "100"}  # posts: n nodes, authors: n more

    async with app_client(db, env) as http:
        within = await _post(http, query, {"n": 50})
        sql_log.statements.clear()
        over = await _post(http, query, {"n": 51})

    assert "errors" not in within
    assert within["extensions"] == {"cost": {"requested": 100, "limit": 100}}
    assert _codes(over) == ["QUERY_TOO_COMPLEX"]
    assert over["errors"][0]["extensions"]["cost"] == {"requested": 102, "limit": 100}
    assert over["extensions"] == {"cost": {"requested": 102, "limit": 100}}
    assert sql_log.count == 0


async def test_tag_pages_are_costed_like_every_connection(db: str, sql_log: SqlLog) -> None:
    # tags: 10 nodes; their posts: 10 x 10; each post's tags (a list, counted once each): 100.
    query = "{ tags(first: 10) { nodes { posts(first: 10) { nodes { tags { name } } } } } }"

    async with app_client(db, {"THREADPRESS_MAX_COST": "209"}) as http:
        sql_log.statements.clear()
        over = await _post(http, query)

    assert _codes(over) == ["QUERY_TOO_COMPLEX"]
    assert over["extensions"] == {"cost": {"requested": 210, "limit": 209}}
    assert sql_log.count == 0


async def test_a_repeated_document_is_measured_once_per_page_size_it_asks_for(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Measures are remembered per document and per value of the variables they read: the
    # same document asking for a bigger page is measured (and refused) on its own.
    query = (
        "query($n: Int, $show: Boolean = true) "
        "{ posts(first: $n) { nodes { title @include(if: $show) author { name } } } }"
    )
    measured: list[int] = []
    real_measure = limits.measure

    def counted(*arguments: Any) -> Any:
        measured.append(1)
        return real_measure(*arguments)

    monkeypatch.setattr(limits, "measure", counted)
    async with app_client(db, {"THREADPRESS_MAX_COST": "100"}) as http:
        answers = [
            await _post(http, query, variables)
            for variables in (
                {"n": 50, "show": True},
                {"n": 50, "show": False},  # a variable the measure does not read
                {"n": 51},
                {"n": 50},
                {"n": True},  # equal to 1 as a key, not as a page size
                {"n": 1},
                {"n": 51},
            )
        ]

    assert [_codes(answer) for answer in answers] == [
        [],
        [],
        ["QUERY_TOO_COMPLEX"],
        [],
        ["GRAPHQL_VALIDATION_FAILED"],  # true is no Int (measured first, with page size 10)
        [],
        ["QUERY_TOO_COMPLEX"],
    ]
    assert [answer["extensions"]["cost"]["requested"] for answer in answers] == [
        100,
        100,
        102,
        100,
        20,
        2,
        102,
    ]
    assert len(measured) == 4  # n = 50, 51, True, 1


async def test_default_budget_admits_a_big_page_and_refuses_a_nested_fan_out(db: str) -> None:
    big_page = "{ posts(first: 100) { nodes { title comments(first: 100) { totalCount } } } }"
    fan_out = (
        "{ posts(first: 100) { nodes { comments(first: 100) { nodes { "
        "replies(first: 100) { nodes { authorName } } } } } } }"
    )

    async with app_client(db) as http:
        allowed = await _post(http, big_page)
        refused = await _post(http, fan_out)

    assert allowed["extensions"]["cost"] == {"requested": 10_100, "limit": 200_000}
    assert _codes(refused) == ["QUERY_TOO_COMPLEX"]
    assert refused["extensions"]["cost"]["requested"] == 1_010_100


async def test_every_answer_reports_its_cost(db: str) -> None:
    async with app_client(db) as http:
        ok = await _post(http, "{ posts { totalCount } }")
        parse_error = await _post(http, "{ posts {")
        unknown = await _post(http, "{ nothing }")

    assert ok["extensions"] == {"cost": {"requested": 10, "limit": 200_000}}
    assert parse_error["extensions"] == {"cost": {"requested": 0, "limit": 200_000}}
    assert unknown["extensions"] == {"cost": {"requested": 0, "limit": 200_000}}


async def test_slow_operations_are_cancelled_with_a_masked_error(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gql.loaders import Loaders

    original = Loaders.public_posts

    def slow(self: Loaders) -> Any:
        query = original(self)

        class Slow:
            def __getattr__(self, name: str) -> Any:
                return getattr(query, name)

        async def never(*_args: Any) -> None:
            await asyncio.sleep(30)

        slow_query = Slow()
        slow_query.filter = lambda *_a, **_k: slow_query  # type: ignore[attr-defined]
        slow_query.count = never  # type: ignore[attr-defined]
        return slow_query

    monkeypatch.setattr(Loaders, "public_posts", slow)

    async with app_client(db, {"THREADPRESS_OPERATION_TIMEOUT_MS": "200"}) as http:
        body = await _post(http, "{ posts { totalCount } }")

    [error] = body["errors"]
    assert error["message"] == "The operation took too long and was cancelled."
    assert error["extensions"]["code"] == "TIMEOUT"
    assert len(error["extensions"]["errorId"]) == 32
    # Cut short, it still reports the cost it asked for, as every answer does.
    assert body["extensions"] == {"cost": {"requested": 10, "limit": 200_000}}


async def test_a_cancelled_operation_ends_the_loader_queries_it_still_runs(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A field's load outlives the field that gave up on it (other fields may still wait
    for it), but not its operation: at the time limit the loader's query is cancelled, so
    it never holds a connection past the answer."""
    from gql.loaders import Loaders

    ended: list[str] = []

    async def never(_self: Loaders, ids: list[int]) -> list[int]:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            ended.append("cancelled")
            raise
        return [0 for _ in ids]

    monkeypatch.setattr(Loaders, "_post_count_by_category", never)
    await factories.category(slug="running")
    env = {"THREADPRESS_OPERATION_TIMEOUT_MS": "200", "THREADPRESS_BATCHED_EXECUTION": "off"}
    async with app_client(db, env) as http:
        body = await _post(http, "{ categories { nodes { postCount } } }")

    assert _codes(body) == ["TIMEOUT"]
    assert ended == ["cancelled"]


@pytest.mark.parametrize(
    "query",
    [
        "{ postz { totalCount } }",  # field
        "{ posts(frist: 1) { totalCount } }",  # argument
        '{ posts(where: { categorySlugg: "x" }) { totalCount } }',  # input field
        "{ posts(orderBy: { field: TITEL }) { totalCount } }",  # enum value
        "query($w: PostWher) { posts(where: $w) { totalCount } }",  # type
        '{ post(slug: "x") { ... on Pots { title } } }',  # type in a fragment
    ],
)
async def test_no_error_suggests_a_name(db: str, query: str) -> None:
    async with app_client(db) as http:
        body = await _post(http, query)

    assert body["errors"]
    for error in body["errors"]:
        assert "Did you mean" not in error["message"]
        assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_introspection_is_off_in_production_unless_switched_on(db: str) -> None:
    production = {"THREADPRESS_ENV": "production"}
    query = "{ __schema { queryType { name } } }"

    async with app_client(db, production) as http:
        refused = await _post(http, query)
    async with app_client(db, {**production, "THREADPRESS_INTROSPECTION": "on"}) as http:
        allowed = await _post(http, query)
    async with app_client(db) as http:
        development = await _post(http, query)

    assert set(_codes(refused)) == {"GRAPHQL_VALIDATION_FAILED"}
    assert "introspection" in refused["errors"][0]["message"].lower()
    assert allowed["data"] == development["data"] == {"__schema": {"queryType": {"name": "Query"}}}


@pytest.mark.parametrize(
    "document",
    [
        "{" + " __typename" * 51 + " }",  # refused by a limit
        "{ posts { nodes { nope } } }",  # refused by validation
        "{ posts { " + "{" * 3,  # does not parse
        "{" + " __typename" * 1000 + " }",  # over the token limit
    ],
)
async def test_a_refused_document_is_refused_the_same_way_every_time(
    db: str, sql_log: SqlLog, document: str
) -> None:
    # Parse and validation results are cached by document text: the cache must never
    # turn a refusal into a run, nor change what the refusal says.
    async with app_client(db) as http:
        first = await _post(http, document)
        sql_log.statements.clear()
        again = await _post(http, document)

    assert again == first
    assert "data" not in again
    assert again["errors"][0]["extensions"]["code"]
    assert sql_log.count == 0


def test_remembered_page_sizes_are_bounded_per_document() -> None:
    # A client cycling through page sizes gets its document measured each time; memory
    # keeps at most VALUES_PER_DOCUMENT of them.
    from graphql import OperationDefinitionNode, parse

    from gql.extensions.document_limits import VALUES_PER_DOCUMENT, MeasuredDocuments, measure
    from gql.schema import schema

    graphql_schema = schema._schema
    document = parse("query($n: Int) { posts(first: $n) { nodes { title } } }")
    (operation,) = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    cache = MeasuredDocuments()
    for n in range(3 * VALUES_PER_DOCUMENT):
        cache.keep(
            graphql_schema,
            document,
            None,
            {"n": n},
            lambda read: measure(graphql_schema, operation, {}, read),
        )

    kept = [
        n
        for n in range(3 * VALUES_PER_DOCUMENT)
        if cache.get(graphql_schema, document, None, {"n": n}) is not None
    ]
    assert kept == list(range(VALUES_PER_DOCUMENT))
    measured = cache.get(graphql_schema, document, None, {"n": 7})
    assert measured is not None
    assert measured.cost == 7


async def test_a_repeated_document_is_validated_once(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Validation results are kept by parsed document (the parser cache hands out the same
    one for the same text): a valid and an invalid document are each validated once however
    often they are sent, answer the same each time, and a refused one is never validated."""
    validated: list[str] = []
    validate = validation_cache.validate_document

    def counted(schema: Any, document: Any, rules: Any) -> Any:
        validated.append(document.loc.source.body)
        return validate(schema, document, rules)

    monkeypatch.setattr(validation_cache, "validate_document", counted)
    own: LRUCache[Any, Any] = LRUCache(validation_cache.DOCUMENTS_VALIDATED)
    monkeypatch.setattr(validation_cache.DocumentValidationCache, "validated", own)
    valid = "{ posts(first: 2) { nodes { title } } }"
    invalid = "{ posts(first: 2) { nodes { nonsense } } }"
    refused = "{ " + " ".join(f"a{n}: posts(first: 1) {{ totalCount }}" for n in range(40)) + " }"
    async with app_client(db) as http:
        answers = {text: [await _post(http, text) for _ in range(3)] for text in (valid, invalid)}
        refusals = [await _post(http, refused) for _ in range(2)]
    assert validated == [valid, invalid]
    assert all(body == bodies[0] for bodies in answers.values() for body in bodies)
    assert "errors" not in answers[valid][0]
    assert _codes(answers[invalid][0]) == ["GRAPHQL_VALIDATION_FAILED"]
    assert refusals[0] == refusals[1]
    assert "data" not in refusals[0]
