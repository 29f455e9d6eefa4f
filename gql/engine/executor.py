"""Level-by-level execution of queries: the same resolvers and the same answer as graphql-core,
with a fraction of its work per field.

graphql-core executes a query field by field: for each of the ~1,400 fields of a post page
it builds a resolve info, coerces arguments, converts them for Strawberry, calls the resolver
through two wrappers and completes the value through several generic steps (about 7 µs a
field, most of an uncached request). Yet every comment on one level of a thread asks for the
same fields with the same arguments. This executor takes the operation once graphql-core has
parsed, validated and coerced it, and walks it one level at a time: for each field of a
selection set it works out the resolver and its converted arguments once, calls it for every
object of the level, awaits all of the level's results together (so DataLoaders batch as
before), then completes the values of the whole level at once, leaves by the schema's own
output coercion and objects by recursing with every object of the next level.

A `Planner` may answer whole levels of one object type itself, for the selections it
covers: gql/comments/thread_plan.py answers comment threads from their rows, without a
`Comment` or a `Connection` object per comment.

It only ever answers when graphql-core would answer the same, and gives way otherwise:
- Anything it does not handle (abstract types such as `node`, introspection, a field with
  Strawberry field extensions or permission classes, a resolver that reads more of its info
  than `info.context`, middleware, mutations) is `Unsupported`: graphql-core runs the
  operation, and the document is remembered so later requests go there directly.
- Any error (a resolver raising, a null where the schema forbids one, a value that does not
  coerce) is `Abandoned`: graphql-core runs the operation again from the start and reports
  the error with its path, locations and nulls exactly as it always does. Reads have no side
  effects, but a run leaves its DataLoaders warm (and what it began loading) and its record
  of what the response read filled in. So the rerun starts from a clean state, with fresh
  loaders and a fresh record (the context's `restart_reads`; a context without one is left
  to graphql-core): it reads and answers exactly as graphql-core alone does. (With
  graphql-core's own cancellation of sibling fields, warm loaders changed which errors it
  reported; gql/engine/graphql_core_fixes.py makes its answer independent of such timing.)

`tests/test_batched_execution.py` proves the answers equal, document by document, through
both executors.
"""

from __future__ import annotations

import asyncio
import builtins
import logging
from collections.abc import Awaitable, Callable, Sequence
from enum import Enum
from operator import attrgetter
from types import GeneratorType, NoneType
from typing import Any, ClassVar, Protocol, TypeVar, cast, runtime_checkable

from cachetools import FIFOCache, LRUCache
from graphql import (
    GraphQLBoolean,
    GraphQLField,
    GraphQLID,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
    OperationType,
    is_leaf_type,
)
from graphql.execution import get_argument_values
from graphql.pyutils import AwaitableOrValue, Undefined
from strawberry.types import Info
from strawberry.types.field import StrawberryField

from gql.engine.internals import (
    ArgumentConverter,
    FieldDetails,
    FieldDetailsList,
    GroupedFieldSet,
    RootFields,
    RootFieldsExecutionContext,
    resolver_info,
    strawberry_field_of,
    take_over_future,
)
from gql.engine.variables import variables_in

Resolve = Callable[[list[Any]], list[Any]]
"""A field's resolver applied to every object of a level: one value (or awaitable) each."""
F = TypeVar("F", bound=Callable[..., Any])

WHOLE_LEVEL = "__threadpress_whole_level__"


def for_a_whole_level(level: Callable[..., Awaitable[list[Any]]]) -> Callable[[F], F]:
    """Mark a resolver method that `level(sources, **arguments)` answers for every object of
    a level at once (a list: for each source, what the method answers for it). The method
    must itself answer through `level` with its one source, so both executors share one
    implementation. A thread level then costs one call instead of one coroutine per comment."""

    def mark(method: F) -> F:
        setattr(method, WHOLE_LEVEL, level)
        return method

    return mark


class _WholeLevel:
    """A field whose level is resolved by one call (see `for_a_whole_level`)."""

    __slots__ = ("call",)

    def __init__(self, call: Callable[[list[Any]], Awaitable[list[Any]]]) -> None:
        self.call = call


class PlannedLevel(Protocol):
    """A level of objects that a planner answers itself (see `Planner`), in two steps per
    wave: `begin` fills what it can at once and returns what it waits on (or None); once
    that is done, `finish` gets its result and returns the levels of the next wave."""

    def begin(self) -> Awaitable[Any] | None:
        """Fill the answers known now; what to await before `finish`, if anything."""

    def finish(self, waited: Any) -> list[PlannedLevel]:
        """Fill the rest with what `begin`'s awaitable gave; the next wave's levels."""


class LevelContext(Protocol):
    """What a planner may use of the run it plans for."""

    executor: BatchedExecutionContext
    raw_info: Any

    def subfields(
        self, object_type: GraphQLObjectType, details: FieldDetailsList
    ) -> GroupedFieldSet:
        """The selection of `details` on `object_type`."""

    def arguments(
        self,
        field_def: GraphQLField,
        field: StrawberryField,
        first: FieldDetails,
        info: Info[Any, Any],
    ) -> dict[str, Any]:
        """The converted arguments of the field `first` selects."""

    def complete(
        self,
        return_type: GraphQLOutputType,
        details: FieldDetailsList,
        values: list[Any],
        next_wave: list[Any],
    ) -> list[Any]:
        """`values` completed as `return_type`, exactly as for any level."""


Planner = Callable[
    [LevelContext, GraphQLObjectType, FieldDetailsList, list[Any], list[dict[str, Any]]],
    PlannedLevel | None,
]
"""Answers a level of objects of one type (their answers given, empty) without resolving
them field by field, or declines (None) and the level is executed as any other. A planner
must answer exactly what the generic path would, errors aside: an error raised in a planned
level abandons the run, and graphql-core reports it (see the module's doc)."""


logger = logging.getLogger("threadpress.execution")

_NO_INFO: Any = None
"""What `is_type_of` gets for its info (Strawberry's reads none of it)."""

UNSUPPORTED_MEMORY = 512
"""Operations remembered as left to graphql-core (as many as the parser cache keeps)."""
ABANDONED_BEFORE_GIVING_WAY = 3
"""Failed level-by-level runs of one operation after which graphql-core runs it for good."""


CONVERSIONS_KEPT = 1024
"""Argument conversions kept across requests (a few per field of the documents in use)."""
_IMMUTABLE = frozenset({int, float, str, bool, NoneType})
_CONVERTED: LRUCache[tuple[Any, ...], tuple[Any, dict[str, Any]]]
_CONVERTED = LRUCache(maxsize=CONVERSIONS_KEPT)
"""Strawberry's conversions of plain arguments: (id of the field, its coerced arguments) ->
(the field, the conversion), and ("node", id of a field's node in a document, id of the
field) -> (the node, the conversion) for arguments written without variables. Least
recently used out; a hit (`get`) is the most recently used from then on."""


def _all_plain(kwargs: dict[str, Any]) -> bool:
    return all(type(value) in _IMMUTABLE or isinstance(value, Enum) for value in kwargs.values())


def _conversion_key(field: StrawberryField, arguments: dict[str, Any]) -> tuple[Any, ...] | None:
    """Where `_CONVERTED` keeps this conversion; None for arguments that are not all plain."""
    if not all(type(value) in _IMMUTABLE for value in arguments.values()):
        return None
    return (id(field), *arguments.items())


@runtime_checkable
class Rerunnable(Protocol):
    """A context whose reads can start afresh, for the rerun after a failed level-by-level
    run (see the module's doc)."""

    def restart_reads(self) -> None:
        """Forget everything read so far (loaders, what the response read)."""


class Unsupported(Exception):
    """The operation asks for something only graphql-core executes (always, for it)."""


class Abandoned(Exception):
    """This run met an error: graphql-core runs the operation and reports it."""


class _ResolverInfo:
    """The part of graphql-core's resolve info that Threadpress's resolvers read: the
    context. Reading anything else hands the operation to graphql-core, which builds the
    whole info."""

    __slots__ = ("context",)

    def __init__(self, context: Any) -> None:
        self.context = context

    def __getattr__(self, name: str) -> Any:
        raise Unsupported(f"a resolver reads info.{name}")


_UNCHANGED_BY_COERCION: dict[Any, type] = {
    GraphQLString: str,
    GraphQLID: str,
    GraphQLBoolean: bool,
}
"""Scalars whose output coercion returns a value of exactly this type as it is."""


def _abandon_on_exceptions(values: list[Any]) -> None:
    """A resolver that returns an exception asks graphql-core to report it."""
    for value in values:
        if isinstance(value, Exception):
            raise Abandoned from value


def _close_coroutines(values: Sequence[Any]) -> None:
    """Close resolver coroutines that will never be awaited (so none warns that it was not)."""
    for value in values:
        if asyncio.iscoroutine(value):
            value.close()


async def await_together(awaitables: list[Any]) -> list[Any]:
    """The results of `awaitables` (an exception in place of each that raised), awaited
    together as `asyncio.gather` would, without a task apiece.

    A level of a thread has hundreds of resolver coroutines that each do a little work, wait
    once on a DataLoader future and finish; a task for each costs more event-loop turns than
    the resolvers' own work. Here each coroutine runs until it first waits, so all of the
    level's loads are queued before any batch is dispatched (exactly as with tasks); then
    each resumes as soon as what it waits on is done, in the order they finish. Never "when
    all are done": one may wait on a lock (a connection's) that another holds until it
    resumes. Each future gets one done-callback, as under a task.
    """
    results: list[Any] = [None] * len(awaitables)
    loop = asyncio.get_running_loop()
    suspended: dict[int, Any] = {}  # position -> coroutine waiting on something
    ready: list[tuple[int, Any]] = []  # (position, the coroutine, or the finished future)
    wakeup: list[asyncio.Future[None]] = []

    def finished(position: int, what: Any) -> None:
        ready.append((position, what))
        if wakeup and not wakeup[0].done():
            wakeup[0].set_result(None)

    def step(position: int, coroutine: Any) -> None:
        try:
            yielded = coroutine.send(None)
        except StopIteration as done:
            results[position] = done.value
            return
        except Exception as error:
            results[position] = error
            return
        suspended[position] = coroutine
        if yielded is None:  # a bare yield (`asyncio.sleep(0)`): resume next turn
            ready.append((position, coroutine))
        elif asyncio.isfuture(yielded):
            # What a task does with the future a coroutine yields (asyncio's own protocol).
            take_over_future(yielded)
            yielded.add_done_callback(lambda _done: finished(position, coroutine))
        else:
            del suspended[position]
            coroutine.close()
            results[position] = Unsupported(f"a resolver that waits on {yielded!r}")

    def settle(position: int, future: asyncio.Future[Any]) -> None:
        if future.cancelled():
            results[position] = asyncio.CancelledError()
        else:
            results[position] = future.exception() or future.result()

    pending = 0
    for position, awaitable in enumerate(awaitables):
        if asyncio.iscoroutine(awaitable):
            step(position, awaitable)
        else:
            future = asyncio.ensure_future(awaitable)
            pending += 1
            future.add_done_callback(lambda done, at=position: finished(at, done))
    try:
        while suspended or pending:
            if not ready:
                wakeup[:] = [loop.create_future()]
                await wakeup[0]
            else:
                await asyncio.sleep(0)  # a turn for what yielded bare
            batch, ready[:] = list(ready), []
            for position, what in batch:
                if asyncio.iscoroutine(what):
                    del suspended[position]
                    step(position, what)
                else:
                    pending -= 1
                    settle(position, what)
    finally:
        # Cancelled mid-way (a timeout): nothing is left suspended.
        _close_coroutines(list(suspended.values()))
    return results


class _Level:
    """One run of one operation, level by level."""

    def __init__(self, executor: BatchedExecutionContext) -> None:
        self.executor = executor
        self.converter = ArgumentConverter(executor.schema)
        self.raw_info = _ResolverInfo(executor.context_value)
        self._is_awaitable = executor.is_awaitable
        self._plain_types: set[type] = set()
        self._subfields: dict[tuple[GraphQLObjectType, int], GroupedFieldSet] = {}
        self.planners = executor.planners

    def is_awaitable(self, value: Any) -> bool:
        """graphql-core's test, asked once per type of value for types whose instances can
        never be awaitable (a level holds hundreds of values of a handful of types)."""
        kind = type(value)
        if kind in self._plain_types:
            return False
        if self._is_awaitable(value):
            return True
        if kind is not GeneratorType and not hasattr(kind, "__await__"):
            self._plain_types.add(kind)
        return False

    def awaitable_positions(self, values: list[Any]) -> list[int]:
        """Where `values` holds awaitables: none, without a look at each value, when every
        type among them is known never to be awaitable."""
        if set(map(type, values)) <= self._plain_types:
            return []
        is_awaitable = self.is_awaitable
        return [i for i, value in enumerate(values) if is_awaitable(value)]

    # --- resolvers ------------------------------------------------------------------------

    def resolver(self, field_def: GraphQLField, details: FieldDetailsList) -> Resolve | _WholeLevel:
        """How to resolve `field_def` for any object of this level: arguments are the same
        for every object (they come from the document and the variables alone), so they are
        coerced and converted once."""
        field = strawberry_field_of(field_def)
        if field is None or field.extensions:
            raise Unsupported("a field without a plain Strawberry resolver")
        if field.base_resolver is None:
            read = field.default_resolver
            name = field.python_name
            if read is builtins.getattr:
                get = attrgetter(name)
                return lambda sources: list(map(get, sources))
            return lambda sources: [read(source, name) for source in sources]
        resolver = field.base_resolver
        info = resolver_info(self.raw_info, field)
        kwargs = self.arguments(field_def, field, details[0], info)
        if resolver.info_parameter is not None:
            kwargs[resolver.info_parameter.name] = info
        if resolver.parent_parameter is not None or resolver.root_parameter is not None:
            raise Unsupported("a resolver that takes its parent as an argument")
        function = cast(Callable[..., Any], resolver.wrapped_func)
        level = getattr(function, WHOLE_LEVEL, None)
        if level is not None and resolver.self_parameter is not None:
            return _WholeLevel(lambda sources: level(sources, **kwargs))
        if resolver.self_parameter is None:
            return lambda sources: [function(**kwargs) for _ in sources]
        if not kwargs:
            return lambda sources: list(map(function, sources))
        return lambda sources: [function(source, **kwargs) for source in sources]

    def arguments(
        self,
        field_def: GraphQLField,
        field: StrawberryField,
        first: FieldDetails,
        info: Info[Any, Any],
    ) -> dict[str, Any]:
        """The converted arguments of the field `first` selects (a fresh dict). Arguments
        written in the document, without variables, are the same in every request: their
        conversion is kept by the field's node (the parser cache hands out the same
        document for the same text), and neither coerced nor converted again."""
        node = first.node
        if not field_def.args and not node.arguments:
            return {}
        literal = first.fragment_variable_values is None and not variables_in(
            argument.value for argument in node.arguments or ()
        )
        key = ("node", id(node), id(field))
        if literal and (found := _CONVERTED.get(key)) is not None:
            return dict(found[1])
        arguments = get_argument_values(
            field_def,
            node,
            self.executor.variable_values,
            first.fragment_variable_values,
            self.executor.hide_suggestions,
        )
        kwargs = self.converted(field, arguments, info)
        if literal and _all_plain(kwargs):
            _CONVERTED[key] = (node, dict(kwargs))  # the node kept alive: its id stays its own
        return kwargs

    def converted(
        self, field: StrawberryField, arguments: dict[str, Any], info: Info[Any, Any]
    ) -> dict[str, Any]:
        """Strawberry's conversion of `field`'s coerced `arguments` (a fresh dict). Plain
        values convert to plain values whatever the request, so those conversions are kept
        (every level of a thread converts the same `first: 10`)."""
        key = _conversion_key(field, arguments)
        if key is not None and (found := _CONVERTED.get(key)) is not None:
            return dict(found[1])
        kwargs = self.converter.convert(field, arguments, info)
        if key is not None and _all_plain(kwargs):
            _CONVERTED[key] = (field, dict(kwargs))  # the field kept alive: its id stays its own
        return kwargs

    def subfields(
        self, object_type: GraphQLObjectType, details: FieldDetailsList
    ) -> GroupedFieldSet:
        """The selection of `details` on `object_type`, with fragments, `@skip` and
        `@include` applied (once per level, however many objects it has)."""
        key = (object_type, id(details))
        found = self._subfields.get(key)
        if found is None:
            found = self._subfields[key] = self.executor.collect_subfields_of(object_type, details)
        return found

    # --- running waves ----------------------------------------------------------------------

    async def run(
        self, root_type: GraphQLObjectType, root_value: Any, fields: GroupedFieldSet
    ) -> dict[str, Any]:
        """The operation's data: one wave per depth of the document, each awaiting what all
        of its levels wait on together (one event-loop turn, not one per nesting level)."""
        data: dict[str, Any] = {}
        wave: list[_Work | PlannedLevel] = [_Work(root_type, [root_value], fields, [data])]
        while wave:
            wave = await self.wave(wave)
        return data

    async def wave(self, wave: list[_Work | PlannedLevel]) -> list[_Work | PlannedLevel]:
        """Resolve every field of every level of `wave`, then complete the values: leaves go
        into the answers at once, objects become the levels of the next wave (their answers,
        already in place, are filled then). Planned levels answer themselves, awaiting what
        they wait on together with the others."""
        levels: list[tuple[_Work, list[_Column]]] = []
        pending: list[tuple[list[Any], int, Any]] = []
        whole: list[tuple[list[Any], Any]] = []  # (the field's values, one call for them all)
        planned: list[tuple[PlannedLevel, Any]] = []  # (the level, what it waits on)
        try:
            for work in wave:
                if not isinstance(work, _Work):
                    planned.append((work, work.begin()))
                    continue
                sources = work.sources
                object_type = work.object_type
                columns: list[_Column] = []
                levels.append((work, columns))
                for key, details in work.fields.items():
                    name = details[0].node.name.value
                    if name == "__typename":
                        columns.append((key, None, details, [object_type.name] * len(sources)))
                        continue
                    field_def = object_type.fields.get(name)
                    if field_def is None:
                        raise Unsupported(f"meta field {name}")
                    resolve = self.resolver(field_def, details)
                    if isinstance(resolve, _WholeLevel):
                        values = [None] * len(sources)
                        columns.append((key, field_def.type, details, values))
                        whole.append((values, resolve.call(sources)))
                        continue
                    values = resolve(sources)
                    columns.append((key, field_def.type, details, values))
                    pending.extend((values, i, values[i]) for i in self.awaitable_positions(values))
        except BaseException:
            # DataLoader futures need nothing; coroutines must be closed.
            for _, columns in levels:
                for *_, values in columns:
                    _close_coroutines(values)
            _close_coroutines([call for _, call in whole])
            _close_coroutines([waited for _, waited in planned])
            raise
        waits = [waited for _, waited in planned if waited is not None]
        results: list[Any] = []
        if pending or whole or waits:
            results = await await_together(
                [v for _, _, v in pending] + [c for _, c in whole] + waits
            )
            for result in results:
                if isinstance(result, Unsupported):
                    raise result
                if isinstance(result, BaseException):
                    raise Abandoned from result
            for (values, i, _), result in zip(pending, results, strict=False):
                values[i] = result
            done = len(pending) + len(whole)
            for (values, _), result in zip(whole, results[len(pending) : done], strict=True):
                if not isinstance(result, list) or len(result) != len(values):
                    raise Abandoned("a whole-level resolver answered for another level")
                values[:] = result
            results = results[done:]

        next_wave: list[_Work | PlannedLevel] = []
        waited_for = iter(results)
        for level, waited in planned:
            next_wave.extend(level.finish(None if waited is None else next(waited_for)))
        for work, columns in levels:
            keys = [key for key, *_ in columns]
            completed = [
                values
                if return_type is None
                else self.complete(return_type, details, values, next_wave)
                for _, return_type, details, values in columns
            ]
            # Fields go in in the document's order: the answer's keys keep it. (Field by
            # field is the fastest way: a tight loop of stores, measured against one
            # dict.update per object, 4x slower.)
            for key, column in zip(keys, completed, strict=True):
                for answer, value in zip(work.answers, column, strict=True):
                    answer[key] = value
        return next_wave

    def complete(
        self,
        return_type: GraphQLOutputType,
        details: FieldDetailsList,
        values: list[Any],
        next_wave: list[Any],
    ) -> list[Any]:
        """`values` (one per object of a level) completed as `return_type`; an object's
        answer is an empty dict here, filled by the level it joins in `next_wave`."""
        if isinstance(return_type, GraphQLNonNull):
            completed = self.complete(return_type.of_type, details, values, next_wave)
            if None in completed:
                raise Abandoned("null in a non-null position")
            return completed
        if isinstance(return_type, GraphQLList):
            # A resolver's returned exception is neither None nor a list: `lists` abandons.
            return self.lists(return_type.of_type, details, values, next_wave)
        if is_leaf_type(return_type):
            kinds = set(map(type, values))
            plain = _UNCHANGED_BY_COERCION.get(return_type)
            if plain is not None and kinds <= {plain, NoneType}:
                return values  # what coercion returns for these, value for value
            if any(issubclass(kind, Exception) for kind in kinds):
                raise Abandoned("a resolver returned an exception")
            coerce = return_type.coerce_output_value
            if NoneType in kinds:
                leaves = [None if value is None else coerce(value) for value in values]
                for leaf, value in zip(leaves, values, strict=True):
                    if value is not None and (leaf is None or leaf is Undefined):
                        raise Abandoned("a value that does not coerce")
                return leaves
            leaves = list(map(coerce, values))
            if not {NoneType, type(Undefined)}.isdisjoint(map(type, leaves)):
                raise Abandoned("a value that does not coerce")
            return leaves
        if isinstance(return_type, GraphQLObjectType):
            has_none = NoneType in set(map(type, values))
            present = [value for value in values if value is not None] if has_none else values
            is_type_of = return_type.is_type_of
            if is_type_of is None:
                _abandon_on_exceptions(present)
            elif not all(is_type_of(value, _NO_INFO) for value in present):
                raise Abandoned(f"a value that is not a {return_type.name}")
            if not present:
                return values  # all None
            answers: list[dict[str, Any]] = [{} for _ in present]
            planner = self.planners.get(return_type.name)
            planned = planner(self, return_type, details, present, answers) if planner else None
            next_wave.append(
                planned
                or _Work(return_type, present, self.subfields(return_type, details), answers)
            )
            if not has_none:
                return answers
            found = iter(answers)
            return [None if value is None else next(found) for value in values]
        raise Unsupported(f"the abstract type {return_type}")

    def lists(
        self,
        item_type: GraphQLOutputType,
        details: FieldDetailsList,
        values: list[Any],
        next_wave: list[Any],
    ) -> list[Any]:
        """Lists of a level completed together: their items are one level below."""
        items: list[Any] = []
        sizes: list[int | None] = []
        for value in values:
            if value is None:
                sizes.append(None)
                continue
            if not isinstance(value, list | tuple):
                raise Abandoned("a list that is not a list")
            sizes.append(len(value))
            items.extend(value)
        if self.awaitable_positions(items):
            _close_coroutines(items)
            raise Unsupported("a list of awaitables")
        completed = self.complete(item_type, details, items, next_wave) if items else []
        lists: list[Any] = []
        start = 0
        for size in sizes:
            if size is None:
                lists.append(None)
            else:
                lists.append(completed[start : start + size])
                start += size
        return lists


_Column = tuple[str, GraphQLOutputType | None, FieldDetailsList, list[Any]]
"""One field of a level: its response key, type (None for `__typename`), its selection
details, and its value for each object of the level."""


class _Work:
    """One level of a wave: the objects of one type reached through one field, the
    selection to resolve on them, and their answers (in the parent's answers already)."""

    __slots__ = ("answers", "fields", "object_type", "sources")

    def __init__(
        self,
        object_type: GraphQLObjectType,
        sources: list[Any],
        fields: GroupedFieldSet,
        answers: list[dict[str, Any]],
    ) -> None:
        self.object_type = object_type
        self.sources = sources
        self.fields = fields
        self.answers = answers


def _has_middleware(executor: RootFieldsExecutionContext) -> bool:
    """Whether a schema extension wraps resolvers (Strawberry always passes a manager,
    empty when no extension has a `resolve` hook)."""
    manager = executor.middleware_manager
    return manager is not None and bool(manager.middlewares)


class BatchedExecutionContext(RootFieldsExecutionContext):
    """graphql-core's executor, with queries run level by level (see the module's doc)."""

    planners: ClassVar[dict[str, Planner]] = {}
    """Planners for levels of these object types, by name (see `Planner`): none here; a
    subclass names them (gql/schema.py)."""

    unsupported: ClassVar[FIFOCache[int, Any]] = FIFOCache(maxsize=UNSUPPORTED_MEMORY)
    """Operations (by identity, kept alive here so an id is never reused) that graphql-core
    runs: the parser cache hands out the same document object for the same text. First
    remembered, first forgotten (asking `in` does not renew one)."""

    abandoned: ClassVar[FIFOCache[int, tuple[Any, int]]] = FIFOCache(maxsize=UNSUPPORTED_MEMORY)
    """Operations whose level-by-level runs failed, with how often (kept alive likewise);
    the one that failed longest ago is forgotten first."""

    def execute_root_fields(
        self,
        root: RootFields,
        run_as_usual: Callable[[], AwaitableOrValue[dict[str, Any]]],
    ) -> AwaitableOrValue[dict[str, Any]]:
        remembered = id(self.operation) in self.unsupported
        if remembered:
            logger.debug("graphql-core runs %s, as before", self._name())
        if (
            root.serially
            or remembered
            or self.operation.operation != OperationType.QUERY
            or _has_middleware(self)
            or not isinstance(self.context_value, Rerunnable)
        ):
            return run_as_usual()
        return self._level_by_level(root, run_as_usual)

    async def _level_by_level(
        self,
        root: RootFields,
        run_as_usual: Callable[[], AwaitableOrValue[dict[str, Any]]],
    ) -> dict[str, Any]:
        try:
            return await _Level(self).run(root.root_type, root.root_value, root.grouped_field_set)
        except Unsupported as reason:
            logger.debug("graphql-core runs %s from now on: %s", self._name(), reason)
            self._remember_unsupported()
        except Exception as error:
            # graphql-core runs it again, and reports the error with its path and nulls. A
            # document that keeps failing is left to graphql-core from then on, so it does
            # not cost two executions every time it is sent.
            logger.debug("graphql-core runs %s this time: %r", self._name(), error)
            if self._count_abandoned() >= ABANDONED_BEFORE_GIVING_WAY:
                logger.debug("graphql-core runs %s from now on: it keeps failing", self._name())
                self._remember_unsupported()
        # From a clean state: nothing the failed run read may change what graphql-core does.
        self.context_value.restart_reads()
        result = run_as_usual()  # not serially: only queries come here
        if self.is_awaitable(result):
            return await result  # type: ignore[no-any-return]
        return result  # type: ignore[return-value]

    def _name(self) -> str:
        name = self.operation.name
        return f"operation {name.value!r}" if name else "an anonymous operation"

    def _count_abandoned(self) -> int:
        """How many runs of this operation have been abandoned (bounded memory)."""
        abandoned = self.abandoned
        # Taken out and put back: the last one to fail.
        operation, count = abandoned.pop(id(self.operation), (self.operation, 0))
        abandoned[id(self.operation)] = (operation, count + 1)
        return count + 1

    def _remember_unsupported(self) -> None:
        self.unsupported[id(self.operation)] = self.operation


__all__ = [
    "BatchedExecutionContext",
    "LevelContext",
    "PlannedLevel",
    "Planner",
    "for_a_whole_level",
]
