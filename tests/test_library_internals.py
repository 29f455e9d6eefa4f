"""A developer upgrades Strawberry, graphql-core or Tortoise (or Python, for asyncio): every
private or undocumented name of theirs that Threadpress leans on is still there and still
does what our wrapper expects, or a test fails naming the library, its installed version and
the wrapper to look at (gql/engine/internals.py, models/internals.py).

And nobody adds a private library name anywhere else: the sources of gql/, models/ and
threadpress/ are searched for the names of `PRIVATE_NAMES`, the one list of them.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import inspect
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import strawberry
from graphql import GraphQLError, GraphQLSchema, parse
from graphql.execution.executor import Executor as GraphQLCoreExecutor
from graphql.pyutils import gather_with_cancel as original_gather_with_cancel
from strawberry.dataloader import DataLoader
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.http.base import BaseView
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext, get_object_definition
from strawberry.types.field import StrawberryField
from tortoise import apps as tortoise_apps
from tortoise import transactions
from tortoise.backends.asyncpg.client import AsyncpgDBClient
from tortoise.backends.sqlite.client import SqliteClient
from tortoise.fields import DatetimeField
from tortoise.models import MetaInfo

import models
from gql.engine import graphql_core_fixes, internals
from gql.schema import schema
from models import internals as orm_internals

ROOT = Path(__file__).resolve().parents[1]
INTERNALS_MODULES = {ROOT / "gql/engine/internals.py", ROOT / "models/internals.py"}

PRIVATE_NAMES: tuple[tuple[str, str], ...] = (
    # (library, pattern): each a private or undocumented name of the library, as it would be
    # written in our code. Only the two internals modules may contain them.
    ("strawberry-graphql", r"\._strawberry_schema\b"),
    ("strawberry-graphql", r"(?<!self)\._schema\b"),
    ("strawberry-graphql", r"\b_raw_info\b"),
    ("strawberry-graphql", r"\b_field="),
    ("strawberry-graphql", r"__strawberry_definition__"),
    ("strawberry-graphql", r"\bDEFINITION_BACKREF\b"),
    ("strawberry-graphql", r"\b_process_errors\b"),
    ("strawberry-graphql", r"\b_validate_batch_request\b"),
    ("strawberry-graphql", r"\b_create_execution_context\b"),
    ("strawberry-graphql", r"\b_provided_operation_name\b"),
    ("strawberry-graphql", r"\.cache_map\b"),
    ("strawberry-graphql", r"\bExtensionContextManagerBase\b"),
    ("strawberry-graphql", r"\bWrappedHook\b"),
    ("strawberry-graphql", r"\bconvert_arguments\b"),
    ("strawberry-graphql", r"\bstrawberry\.extensions\.(context|runner)\b"),
    ("strawberry-graphql", r"\bstrawberry\.schema\.(schema|schema_converter)\b"),
    ("strawberry-graphql", r"\bstrawberry\.types\.arguments\b"),
    ("graphql-core", r"\bexecute_collected_root_fields\b"),
    ("graphql-core", r"\bcollect_subfields\b"),
    ("graphql-core", r"\bgraphql\.execution\.(collect_fields|executor)\b"),
    ("asyncio", r"\b_asyncio_future_blocking\b"),
    ("tortoise-orm", r"(?<!self)\._pool\b|[\"']_pool[\"']"),
    ("tortoise-orm", r"\b_pool_init_lock\b"),
    ("tortoise-orm", r"\b_in_transaction\b"),
    ("tortoise-orm", r"(?<!self)\._connection\b"),
    ("tortoise-orm", r"\._meta\b"),
    ("tortoise-orm", r"\b_choose_db\b"),
    ("tortoise-orm", r"\._generated\b"),
    ("tortoise-orm", r"\btortoise\.fields\.data\b"),
)


def _version(library: str) -> str:
    if library == "asyncio":
        import sys

        return f"Python {sys.version.split()[0]}"
    return f"{library} {importlib.metadata.version(library)}"


@contextmanager
def internal(library: str, what: str) -> Iterator[None]:
    """Report a failure inside as the library's internal `what` having changed."""
    try:
        yield
    except Exception as error:
        pytest.fail(
            f"{_version(library)}: {what} is gone or changed ({type(error).__name__}: {error}). "
            "Look at gql/engine/internals.py / models/internals.py and the library's changelog.",
            pytrace=False,
        )


def _same_parameters(ours: Any, theirs: Any) -> None:
    assert list(inspect.signature(ours).parameters) == list(inspect.signature(theirs).parameters), (
        f"{theirs.__qualname__}{inspect.signature(theirs)}"
    )


# --- Strawberry ---------------------------------------------------------------------------


def test_strawberrys_schema_internals() -> None:
    with internal("strawberry-graphql", "Schema._schema / GraphQLSchema._strawberry_schema"):
        graphql_schema = internals.graphql_schema_of(schema)
        assert isinstance(graphql_schema, GraphQLSchema)
        assert internals.strawberry_schema_of(graphql_schema) is schema
    with internal("strawberry-graphql", "__strawberry_definition__.description (merge_types)"):
        merged = merge_types("Merged", (_Probe,))
        internals.describe_type(merged, "described")
        assert get_object_definition(merged, strict=True).description == "described"
        assert '"""described"""\ntype Merged {' in strawberry.Schema(query=merged).as_str()


@strawberry.type(name="Probe")
class _Probe:
    @strawberry.field
    def double(self, n: int) -> int:
        return 2 * n


def test_strawberrys_field_and_info_internals() -> None:
    probe_schema = strawberry.Schema(query=_Probe)
    field_def = internals.graphql_schema_of(probe_schema).type_map["Probe"].fields["double"]  # type: ignore[union-attr]
    with internal("strawberry-graphql", "GraphQLCoreConverter.DEFINITION_BACKREF"):
        field = internals.strawberry_field_of(field_def)
        assert isinstance(field, StrawberryField)
        assert field.python_name == "double"

    class RawInfo:
        context = "the context"

    with internal("strawberry-graphql", "Info(_raw_info=..., _field=...)"):
        info = internals.resolver_info(RawInfo(), field)
        assert info.context == "the context"
        assert info.python_name == "double"
    with internal("strawberry-graphql", "strawberry.types.arguments.convert_arguments"):
        converter = internals.ArgumentConverter(internals.graphql_schema_of(probe_schema))
        assert converter.convert(field, {"n": 3}, info) == {"n": 3}
    with internal("strawberry-graphql", "strawberry.schema.schema.validate_document"):
        graphql_schema = internals.graphql_schema_of(probe_schema)
        assert internals.validate_document(graphql_schema, parse("{ double(n: 1) }"), ()) == []
        errors = internals.validate_document(graphql_schema, parse("{ nope }"), ())
        assert errors == []  # only the rules given, plus Strawberry's own


def test_strawberrys_execution_context_internals() -> None:
    with internal("strawberry-graphql", "ExecutionContext._provided_operation_name"):
        context = ExecutionContext(
            query="query A { a } query B { b }",
            schema=schema,
            allowed_operations=(),
            provided_operation_name=None,
        )
        assert internals.provided_operation_name(context) is None
        named = ExecutionContext(
            query="{ a }", schema=schema, allowed_operations=(), provided_operation_name="A"
        )
        assert internals.provided_operation_name(named) == "A"
    with internal("strawberry-graphql", "Schema._create_execution_context"):
        _same_parameters(
            internals.CustomisedSchema._create_execution_context,
            lambda self, *args, **kwargs: None,
        )
        made = schema._create_execution_context(  # type: ignore[misc]
            query="{ __typename }", allowed_operation_types=()
        )
        assert type(made) is type(schema).execution_context_type
        assert type(made) is not ExecutionContext
        assert isinstance(
            schema.create_extensions_runner(made, []), type(schema).extensions_runner_type
        )


def test_strawberrys_error_masking_and_batch_internals() -> None:
    with internal("strawberry-graphql", "MaskErrors._process_errors"):
        assert callable(MaskErrors._process_errors)
        seen: list[list[GraphQLError]] = []

        class Recording(internals.MaskErrorsThen):
            def after_masking(self, errors: list[GraphQLError]) -> list[GraphQLError]:
                seen.append(errors)
                return errors

        failure = GraphQLError("boom", original_error=ValueError("boom"))
        masked = Recording()._process_errors([failure])
        assert [error.message for error in masked] == ["Unexpected error."]
        assert seen == [masked]
    with internal("strawberry-graphql", "BaseView._validate_batch_request(request_data, protocol)"):
        _same_parameters(
            internals.ChecksBatchRequests._validate_batch_request,
            BaseView._validate_batch_request,
        )


def test_strawberrys_extension_hook_internals() -> None:
    class Hooks(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            yield

    def wrapping(kind: type[SchemaExtension], hook_name: str, default: Any) -> Any:
        hook = getattr(kind, hook_name)
        if hook is default:
            return None
        return contextmanager(hook), False

    with internal("strawberry-graphql", "strawberry.extensions.context hooks (WrappedHook)"):
        runner = internals.extensions_runner_class(wrapping)(
            execution_context=None,  # type: ignore[arg-type]
            extensions=[Hooks()],
        )
        hooks = runner.operation().hooks
        assert len(hooks) == 1
        assert hooks[0].is_async is False
        assert runner.parsing().hooks == []
        with runner.operation():
            pass


async def test_strawberrys_dataloader_cache_map() -> None:
    async def load(keys: list[int]) -> list[int]:
        return [key * 10 for key in keys]

    with internal("strawberry-graphql", "DataLoader.cache_map"):
        loader: DataLoader[int, int] = DataLoader(load)
        assert internals.held_by_loader(loader, 1) is None
        assert await loader.load(1) == 10
        held = internals.held_by_loader(loader, 1)
        assert held is not None
        assert held.result() == 10
        uncached: DataLoader[int, int] = DataLoader(load, cache=False)
        await uncached.load(1)
        assert internals.held_by_loader(uncached, 1) is None


# --- graphql-core -------------------------------------------------------------------------


def test_graphql_cores_executor_internals() -> None:
    with internal("graphql-core", "ExecutionContext.execute_collected_root_fields"):
        _same_parameters(
            internals.RootFieldsExecutionContext.execute_collected_root_fields,
            GraphQLCoreExecutor.execute_collected_root_fields,
        )
    with internal("graphql-core", "graphql.execution.collect_fields.collect_subfields"):
        from graphql.execution import collect_fields

        assert list(inspect.signature(collect_fields.collect_subfields).parameters) == [
            "schema",
            "fragments",
            "variable_values",
            "operation",
            "return_type",
            "field_details_list",
            "hide_suggestions",
        ]
        assert {"node", "defer_usage", "fragment_variable_values"} <= set(
            internals.FieldDetails.__dataclass_fields__
            if hasattr(internals.FieldDetails, "__dataclass_fields__")
            else internals.FieldDetails._fields  # type: ignore[attr-defined]
        )
    with internal("graphql-core", "graphql.execution.executor.gather_with_cancel"):
        # gql.schema installed the fix when imported.
        assert internals.executor_gather() is graphql_core_fixes.gather_with_cancel
        assert original_gather_with_cancel is not graphql_core_fixes.gather_with_cancel


def test_the_executor_runs_through_the_hooked_root_fields() -> None:
    # The level-by-level executor answers a query (it runs through `execute_root_fields`).
    with internal("graphql-core", "the executor's root-fields step"):
        result = strawberry.Schema(
            query=_Probe, execution_context_class=internals.RootFieldsExecutionContext
        ).execute_sync("{ double(n: 4) }")
        assert result.errors is None
        assert result.data == {"double": 8}


# --- asyncio ------------------------------------------------------------------------------


async def test_asyncios_future_blocking_flag() -> None:
    with internal("asyncio", "Future._asyncio_future_blocking"):
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        yielded = next(iter(future.__await__()))  # what a coroutine awaiting it yields
        assert yielded is future
        assert future._asyncio_future_blocking is True
        internals.take_over_future(future)
        assert future._asyncio_future_blocking is False


# --- Tortoise -----------------------------------------------------------------------------


def test_tortoises_model_internals() -> None:
    with internal("tortoise-orm", "Model._meta (db_table, fields_map)"):
        assert isinstance(orm_internals.meta_of(models.Post), MetaInfo)
        assert orm_internals.table_of(models.Post) == "post"
        assert isinstance(orm_internals.field_of(models.Post, "published_at"), DatetimeField)
        assert orm_internals.field_of(models.Post, "no_such_column") is None
    with internal("tortoise-orm", "ManyToManyFieldInstance._generated"):
        declared = orm_internals.meta_of(models.Post).fields_map["categories"]
        assert not orm_internals.is_generated_side(declared)  # type: ignore[arg-type]
        # The mirror is made when Tortoise initialises its apps, and marked there.
        assert "m2m_relation._generated = True" in inspect.getsource(tortoise_apps)
    with internal("tortoise-orm", "Model._choose_db(for_write=False)"):
        assert "for_write" in inspect.signature(models.Post._choose_db).parameters
    with internal("tortoise-orm", "tortoise.fields.data.parse_datetime"):
        parsed = orm_internals.parse_datetime("2024-05-06 07:08:09.123456+00:00")
        assert parsed.utcoffset() is not None
        assert parsed.microsecond == 123456


def test_tortoises_client_internals() -> None:
    with internal("tortoise-orm", "AsyncpgDBClient._pool and _pool_init_lock"):
        client = AsyncpgDBClient(
            user="u", password="", database="d", host="h", port=5432, connection_name="probe"
        )
        assert orm_internals.pool_of(client) is None  # created at the first query
        assert isinstance(orm_internals.pool_init_lock(client), asyncio.Lock)
        assert "self._pool =" in inspect.getsource(AsyncpgDBClient.create_connection)
    with internal("tortoise-orm", "BaseDBAsyncClient._in_transaction (in_transaction's)"):
        assert "_in_transaction()" in inspect.getsource(transactions)
        _same_parameters(
            orm_internals.TransactionHookedAsyncpgClient._in_transaction,
            AsyncpgDBClient._in_transaction,
        )
    with internal("tortoise-orm", "SqliteClient._connection"):
        sqlite = SqliteClient(":memory:", connection_name="probe")
        assert orm_internals.sqlite_is_connected(sqlite) is False
        assert "_connection" in inspect.signature(SqliteClient.__init__).parameters or (
            "self._connection" in inspect.getsource(SqliteClient.__init__)
        )


# --- nowhere else -------------------------------------------------------------------------


def _sources() -> Iterator[Path]:
    for package in ("gql", "models", "threadpress"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path not in INTERNALS_MODULES and "migrations" not in path.parts:
                yield path


def test_private_library_names_live_only_in_the_internals_modules() -> None:
    found = []
    patterns = [(library, re.compile(pattern)) for library, pattern in PRIVATE_NAMES]
    for path in _sources():
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            for library, pattern in patterns:
                if pattern.search(line):
                    where = path.relative_to(ROOT)
                    found.append(f"{where}:{number}: {library}'s {pattern.pattern}: {line.strip()}")
    assert found == [], (
        "private library names outside gql/engine/internals.py and models/internals.py "
        "(wrap each there, with what public API would replace it):\n" + "\n".join(found)
    )


def test_each_private_name_is_used_by_an_internals_module() -> None:
    # The list stays true: a name nothing wraps any more leaves the list.
    wrapped = "\n".join(path.read_text() for path in INTERNALS_MODULES)
    unused = [pattern for _, pattern in PRIVATE_NAMES if not re.search(pattern, wrapped)]
    assert unused == []
