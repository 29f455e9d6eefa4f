"""Every operation runs the schema's extensions: their hooks, wrapped once per extension class
(gql/extensions/hooks.py), run exactly as Strawberry's own runner runs them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner

from gql.extensions.hooks import ExtensionsRunner
from gql.schema import schema


class _Log(list[str]):
    pass


class _GeneratorHooks(SchemaExtension):
    def __init__(self, log: _Log) -> None:
        self.log = log

    def on_operation(self) -> Iterator[None]:
        self.log.append("generator: operation starts")
        try:
            yield
        except KeyError as error:
            self.log.append(f"generator: saw {error!r}")
            raise
        finally:
            self.log.append("generator: operation ends")

    def on_parse(self) -> Iterator[None]:
        self.log.append("generator: parse")
        yield


class _AsyncGeneratorHooks(SchemaExtension):
    def __init__(self, log: _Log) -> None:
        self.log = log

    async def on_operation(self) -> AsyncIterator[None]:
        self.log.append("async generator: operation starts")
        yield
        self.log.append("async generator: operation ends")

    async def on_execute(self) -> AsyncIterator[None]:
        self.log.append("async generator: execute")
        yield


class _PlainHooks(SchemaExtension):
    def __init__(self, log: _Log) -> None:
        self.log = log

    def on_validate(self) -> None:  # type: ignore[override]
        self.log.append("plain: validate")

    async def on_execute(self) -> None:  # type: ignore[override]
        self.log.append("coroutine: execute")


async def _run(runner_class: type[SchemaExtensionsRunner], error: bool) -> list[str]:
    log = _Log()
    extensions = [_GeneratorHooks(log), _AsyncGeneratorHooks(log), _PlainHooks(log)]
    runner = runner_class(execution_context=None, extensions=extensions)  # type: ignore[arg-type]
    try:
        async with runner.operation():
            async with runner.parsing():
                log.append("parsing")
            async with runner.validation():
                log.append("validating")
            async with runner.executing():
                log.append("executing")
                if error:
                    raise KeyError("failed")
    except KeyError as raised:
        log.append(f"raised {raised!r}")
    return log


@pytest.mark.parametrize("error", [False, True], ids=["completes", "raises"])
async def test_hooks_run_as_strawberry_runs_them(error: bool) -> None:
    ours = await _run(ExtensionsRunner, error)
    strawberrys = await _run(SchemaExtensionsRunner, error)

    assert ours == strawberrys
    assert ours[0] == "generator: operation starts"
    assert ("generator: saw KeyError('failed')" in ours) == error


def test_the_schema_runs_its_extensions_through_this_runner() -> None:
    runner: Any = schema.create_extensions_runner(None, [])  # type: ignore[arg-type]

    assert isinstance(runner, ExtensionsRunner)


def test_hooks_are_wrapped_once_per_extension_class() -> None:
    # Each operation binds the wrappers made for the first one: no contextmanager (and its
    # functools.update_wrapper) per hook and operation, as Strawberry's runner makes.
    def stage_wrappers(runner_class: type[SchemaExtensionsRunner]) -> list[Any]:
        log = _Log()
        extensions = [_GeneratorHooks(log), _AsyncGeneratorHooks(log)]
        runner = runner_class(execution_context=None, extensions=extensions)  # type: ignore[arg-type]
        hooks = [*runner.operation().hooks, *runner.parsing().hooks, *runner.executing().hooks]
        return [getattr(hook.hook, "func", hook.hook) for hook in hooks]

    first, second = stage_wrappers(ExtensionsRunner), stage_wrappers(ExtensionsRunner)
    assert len(first) == 4
    assert all(a is b for a, b in zip(first, second, strict=True))
    theirs, again = stage_wrappers(SchemaExtensionsRunner), stage_wrappers(SchemaExtensionsRunner)
    assert not any(a is b for a, b in zip(theirs, again, strict=True))
