"""Every private or undocumented name of Strawberry, graphql-core and asyncio that Threadpress
uses, each behind one small name of ours.

A routine upgrade of a library can move or drop any of these without notice: this module is
where to look first (and tests/test_library_internals.py, which touches each one and names
the library and version when one is gone). Each name's doc says what it is for and which
public API would replace it, or that none exists yet. Nothing outside this module and
models/internals.py (Tortoise's) may use a private library name: the same test greps for them.

This module imports nothing of Threadpress's, so every floor of `gql` may import it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import Enum
from functools import partial
from typing import Any, ClassVar, TypeVar

import graphql.execution.executor as graphql_executor
import strawberry
from graphql import ASTValidationRule as ValidationRule
from graphql import DocumentNode, GraphQLError, GraphQLField, GraphQLObjectType, GraphQLSchema

# graphql-core 3.3's field collection: not exported by `graphql.execution`, and reworked in
# each minor release so far (3.2 had no FieldDetails). Public replacement: none.
from graphql.execution.collect_fields import (
    DeferUsage,
    FieldDetails,
    FieldDetailsList,
    GroupedFieldSet,
)
from graphql.execution.collect_fields import collect_subfields as _collect_subfields
from graphql.pyutils import AwaitableOrValue
from strawberry.dataloader import DataLoader
from strawberry.extensions import MaskErrors, SchemaExtension

# Strawberry's extension machinery (undocumented modules): the runner a schema builds per
# operation and the context managers it makes of each stage's hooks.
from strawberry.extensions.context import (
    ExecutingContextManager,
    ExtensionContextManagerBase,
    OperationContextManager,
    ParsingContextManager,
    ValidationContextManager,
    WrappedHook,
)
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.http import GraphQLRequestData, GraphQLRequestProtocol

# What `Schema.stream` returns, for an override of it (the undocumented module's type).
# Public replacement: none yet (not exported by `strawberry.types`).
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext, StreamResult
from strawberry.schema.schema import validate_document as _validate_document
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types import ExecutionContext, Info, get_object_definition
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

K = TypeVar("K")
V = TypeVar("V")

# --- Strawberry: schemas and types --------------------------------------------------------


def graphql_schema_of(schema: strawberry.Schema) -> GraphQLSchema:
    """The graphql-core schema Strawberry built (`Schema._schema`), for graphql-core's own
    functions (validation, measuring a document). Public replacement: none yet."""
    return schema._schema


def strawberry_schema_of(schema: GraphQLSchema) -> strawberry.Schema:
    """The Strawberry schema a graphql-core schema was built from (the `_strawberry_schema`
    back-reference Strawberry sets on it). Public replacement: `info.schema`, inside a
    resolver only; none for an executor."""
    found: strawberry.Schema = schema._strawberry_schema  # type: ignore[attr-defined]
    return found


def describe_type(cls: type, description: str) -> None:
    """Give the GraphQL type of `cls` (a `merge_types` result, which takes no description)
    its description, through its `__strawberry_definition__`. Public replacement: a
    `description` argument of `merge_types` (none yet)."""
    get_object_definition(cls, strict=True).description = description


def validate_document(
    schema: GraphQLSchema, document: DocumentNode, rules: tuple[type[ValidationRule], ...]
) -> list[GraphQLError]:
    """Strawberry's validation of `document`: graphql-core's `validate` with `rules` plus
    Strawberry's own (`Maybe`, `@oneOf`), from the undocumented `strawberry.schema.schema`.
    Public replacement: none (graphql-core's `validate` lacks Strawberry's rules)."""
    return _validate_document(schema, document, rules)


def strawberry_field_of(field: GraphQLField) -> StrawberryField | None:
    """The Strawberry field a graphql-core field was converted from (the converter's
    `DEFINITION_BACKREF` extension), for executors that call its resolver themselves.
    Public replacement: `Schema.get_field_for_type(field, type)` by names (a lookup per
    call; none by the graphql-core field)."""
    found = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    return found if isinstance(found, StrawberryField) else None


def resolver_info(raw_info: Any, field: StrawberryField) -> Info[Any, Any]:
    """Strawberry's `Info` around a graphql-core resolve info (or what stands in for one),
    as Strawberry builds it before calling `field`'s resolver (`Info(_raw_info=...,
    _field=...)`). Public replacement: none (Strawberry builds it inside its resolver
    wrapper)."""
    return Info(_raw_info=raw_info, _field=field)


class ArgumentConverter:
    """Strawberry's conversion of coerced GraphQL arguments into a resolver's Python
    arguments (`strawberry.types.arguments.convert_arguments`, with the schema's config and
    scalar registry, `schema_converter.scalar_registry`). Public replacement: none (done
    inside Strawberry's resolver wrapper)."""

    __slots__ = ("config", "scalar_registry")

    def __init__(self, schema: GraphQLSchema) -> None:
        strawberry_schema = strawberry_schema_of(schema)
        self.config = strawberry_schema.config
        self.scalar_registry = strawberry_schema.schema_converter.scalar_registry

    def convert(
        self, field: StrawberryField, arguments: dict[str, Any], info: Info[Any, Any]
    ) -> dict[str, Any]:
        """`field`'s resolver arguments from graphql-core's coerced `arguments`."""
        return convert_arguments(
            arguments,
            field.arguments,
            scalar_registry=self.scalar_registry,
            config=self.config,
            info=info,
        )


# --- Strawberry: execution contexts, errors, extension hooks --------------------------------


def provided_operation_name(context: ExecutionContext) -> str | None:
    """The `operationName` the request sent, None when it sent none (`operation_name`
    guesses the document's first operation instead; `_provided_operation_name`). Public
    replacement: none yet."""
    provided: str | None = context._provided_operation_name
    return provided


_RUNNER: ContextVar[SchemaExtensionsRunner | None] = ContextVar(
    "threadpress_extensions_runner", default=None
)
"""The extensions runner of the operation this task executes."""


class CustomisedSchema(strawberry.Schema):
    """`strawberry.Schema` whose per-operation objects are of classes of our own:
    - `execution_context_type`: Strawberry builds every `ExecutionContext` in the private
      `_create_execution_context`, with no hook; the context is given this class (a subclass
      with the same fields, differing in properties only). Public replacement: none yet.
    - `extensions_runner_type`: what `create_extensions_runner` (public name, undocumented)
      builds. Public replacement: none yet."""

    execution_context_type: ClassVar[type[ExecutionContext]] = ExecutionContext
    extensions_runner_type: ClassVar[type[SchemaExtensionsRunner]] = SchemaExtensionsRunner

    def _create_execution_context(self, *args: Any, **kwargs: Any) -> ExecutionContext:
        context = super()._create_execution_context(*args, **kwargs)
        if type(context) is not self.execution_context_type:
            context.__class__ = self.execution_context_type  # the same fields
        return context

    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        runner = self.extensions_runner_type(
            execution_context=execution_context, extensions=extensions
        )
        _RUNNER.set(runner)  # in the task of `execute`, which awaits it directly
        return runner

    @contextmanager
    def runner_of_this_operation(self) -> Iterator[None]:
        """Around one `execute`: the runner its extensions get is kept for
        `extensions_reported_so_far` (none from an earlier operation of the task)."""
        token = _RUNNER.set(None)
        try:
            yield
        finally:
            _RUNNER.reset(token)

    async def extensions_reported_so_far(self) -> dict[str, Any]:
        """What the current operation's extensions report (`cost`: the limits measured it
        before validation), for an answer given where Strawberry's own ending never ran (an
        operation cut short); empty when it was cut before they began. Public replacement:
        none (Strawberry adds the results only when an operation ends)."""
        runner = _RUNNER.get()
        if runner is None:
            return {}
        return await runner.get_extensions_results(runner.execution_context)


class MaskErrorsThen(MaskErrors):
    """Strawberry's `MaskErrors`, with a step of ours after its masking: `after_masking`
    gets every list of errors it has masked (its private `_process_errors`, which it runs on
    each result, streamed or not). Public replacement: none yet."""

    def after_masking(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        """The errors as the client gets them (as masked by default)."""
        return errors

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return self.after_masking(super()._process_errors(errors))


class ChecksBatchRequests:
    """For a subclass of Strawberry's views (listed before the view among its bases): its
    check of a batch (a JSON array body, checked before anything runs) is
    `check_batch_request`, in place of Strawberry's private `_validate_batch_request` (which
    lets a batch through when the schema enables batching). Public replacement: none yet."""

    def check_batch_request(
        self, request_data: list[GraphQLRequestData], protocol: GraphQLRequestProtocol
    ) -> None:
        """Raise an `HTTPException` to refuse the batch `request_data`."""
        raise NotImplementedError

    def _validate_batch_request(
        self, request_data: list[GraphQLRequestData], protocol: GraphQLRequestProtocol
    ) -> None:
        self.check_batch_request(request_data, protocol)


HookFactory = tuple[Callable[[SchemaExtension], Any], bool]
"""A hook's context-manager factory (called with its extension), and whether it is async."""


class StrawberrysOwn(Enum):
    """A hook that is not a generator function: Strawberry wraps it as it always does."""

    WRAPPING = "Strawberry's own"


STRAWBERRYS_OWN = StrawberrysOwn.WRAPPING
"""What a `HookWrapping` answers for a hook that Strawberry is to wrap as it always does."""
HookWrapping = Callable[[type[SchemaExtension], str, Any], HookFactory | StrawberrysOwn | None]
"""How the hook named (2nd) of an extension class (1st) is wrapped, given the default hook
(3rd, `SchemaExtension`'s, meaning no hook): a factory, `STRAWBERRYS_OWN`, or None for none."""


def extensions_runner_class(wrapping: HookWrapping) -> type[SchemaExtensionsRunner]:
    """Strawberry's extensions runner, whose stages wrap each extension's hooks as
    `wrapping` says, into Strawberry's own `WrappedHook`s (the undocumented
    `strawberry.extensions.context`: `ExtensionContextManagerBase.get_hook`, `HOOK_NAME`,
    `default_hook`). Public replacement: none yet."""

    class Wrapped(ExtensionContextManagerBase):
        def get_hook(self, extension: SchemaExtension) -> WrappedHook | None:
            wrapper = wrapping(type(extension), self.HOOK_NAME, self.default_hook)
            if wrapper is None:
                return None
            if wrapper is STRAWBERRYS_OWN:
                return super().get_hook(extension)
            factory, is_async = wrapper
            return WrappedHook(
                extension=extension, hook=partial(factory, extension), is_async=is_async
            )

    class Operation(Wrapped, OperationContextManager):
        pass

    class Validation(Wrapped, ValidationContextManager):
        pass

    class Parsing(Wrapped, ParsingContextManager):
        pass

    class Executing(Wrapped, ExecutingContextManager):
        pass

    class Runner(SchemaExtensionsRunner):
        def operation(self) -> OperationContextManager:
            return Operation(self.extensions)

        def validation(self) -> ValidationContextManager:
            return Validation(self.extensions)

        def parsing(self) -> ParsingContextManager:
            return Parsing(self.extensions)

        def executing(self) -> ExecutingContextManager:
            return Executing(self.extensions)

    return Runner


def held_by_loader(loader: DataLoader[K, V], key: K) -> Any | None:
    """The future `loader` holds for `key` (None when it holds none or does not cache): its
    `cache_map`, an undocumented attribute (the constructor's `cache_map` argument is
    documented, reading it back is not). Public replacement: none yet."""
    if not loader.cache:
        return None
    return loader.cache_map.get(key)


# --- graphql-core: the executor -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RootFields:
    """An operation's root fields once graphql-core has collected them."""

    root_type: GraphQLObjectType
    root_value: Any
    grouped_field_set: GroupedFieldSet
    serially: bool
    """Mutations: one field after the other."""


class RootFieldsExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor (as Strawberry subclasses it, from the undocumented
    `strawberry.schema.schema`), with one step of ours: `execute_root_fields` runs an
    operation's collected root fields, and may leave them to graphql-core (`run_as_usual`).
    graphql-core 3.3's `execute_collected_root_fields` is that step (`:meta private:` in its
    doc). Public replacement: none (graphql-core's executor has no such hook)."""

    def execute_root_fields(
        self,
        root: RootFields,
        run_as_usual: Callable[[], AwaitableOrValue[dict[str, Any]]],
    ) -> AwaitableOrValue[dict[str, Any]]:
        """The operation's data; graphql-core's own execution by default."""
        return run_as_usual()

    def execute_collected_root_fields(
        self,
        root_type: GraphQLObjectType,
        root_value: Any,
        grouped_field_set: GroupedFieldSet,
        serially: bool,
        new_defer_usages: Sequence[DeferUsage],
    ) -> AwaitableOrValue[dict[str, Any]]:
        def run_as_usual() -> AwaitableOrValue[dict[str, Any]]:
            return super(RootFieldsExecutionContext, self).execute_collected_root_fields(
                root_type, root_value, grouped_field_set, serially, new_defer_usages
            )

        root = RootFields(root_type, root_value, grouped_field_set, serially)
        return self.execute_root_fields(root, run_as_usual)

    def collect_subfields_of(
        self, object_type: GraphQLObjectType, details: FieldDetailsList
    ) -> GroupedFieldSet:
        """The selection of `details` on `object_type`, with fragments, `@skip` and
        `@include` applied (graphql-core 3.3's `collect_fields.collect_subfields`, from an
        undocumented module; unlike the executor's own, not memoised). Public replacement:
        none."""
        return _collect_subfields(
            self.schema,
            self.fragments,
            self.variable_values,
            self.operation,
            object_type,
            details,
            self.hide_suggestions,
        ).grouped_field_set


def replace_executor_gather(
    replacement: Callable[..., Awaitable[list[Any]]], original: Callable[..., Any]
) -> None:
    """Make graphql-core's executor await sibling fields with `replacement` instead of
    `original` (`graphql.pyutils.gather_with_cancel`), by replacing the name in the
    undocumented `graphql.execution.executor` module (idempotent). Public replacement: none
    (graphql-core has no option for it)."""
    current = graphql_executor.gather_with_cancel  # type: ignore[attr-defined]
    if current is replacement:
        return
    # The fix replaces exactly what it was written against: a graphql-core that changed
    # this function needs the fix looked at again, not silently kept or dropped.
    assert current is original, "graphql-core's gather_with_cancel moved"
    graphql_executor.gather_with_cancel = replacement  # type: ignore[attr-defined,assignment]


def executor_gather() -> Callable[..., Any]:
    """What graphql-core's executor awaits sibling fields with now (see
    `replace_executor_gather`)."""
    current: Callable[..., Any] = graphql_executor.gather_with_cancel  # type: ignore[attr-defined]
    return current


# --- asyncio ------------------------------------------------------------------------------


def take_over_future(future: Any) -> None:
    """What an `asyncio.Task` does with a future its coroutine yields, for code that steps
    coroutines itself: clear the future's `_asyncio_future_blocking` flag (asyncio's
    private half of the await protocol, set by `Future.__await__`). Public replacement:
    none (only `Task` drives coroutines publicly)."""
    future._asyncio_future_blocking = False


__all__ = [
    "STRAWBERRYS_OWN",
    "ArgumentConverter",
    "ChecksBatchRequests",
    "CustomisedSchema",
    "DeferUsage",
    "FieldDetails",
    "FieldDetailsList",
    "GroupedFieldSet",
    "HookFactory",
    "HookWrapping",
    "MaskErrorsThen",
    "RootFields",
    "RootFieldsExecutionContext",
    "StrawberrysOwn",
    "StreamResult",
    "describe_type",
    "executor_gather",
    "extensions_runner_class",
    "graphql_schema_of",
    "held_by_loader",
    "provided_operation_name",
    "replace_executor_gather",
    "resolver_info",
    "strawberry_field_of",
    "strawberry_schema_of",
    "take_over_future",
    "validate_document",
]
