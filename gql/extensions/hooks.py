"""Strawberry's extension hooks, wrapped once per extension class rather than per request.

For every operation Strawberry makes each extension's hooks into context managers afresh:
`contextlib.contextmanager(types.MethodType(hook, extension))` per hook and stage, which
copies the function's metadata (`functools.update_wrapper`) every time, after checking
what kind of function each hook is. With seven extensions that is a good part of a small
query's cost. Here the kind and the `contextmanager` wrapper are worked out once per
extension class and stage, and a request only binds them to its extension objects: the
same context managers, entered and left in the same order with the same exceptions.
Hooks of any other kind (plain functions and coroutines) keep Strawberry's own wrapping.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable
from enum import Enum
from functools import partial
from typing import Any

from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import (
    ExecutingContextManager,
    ExtensionContextManagerBase,
    OperationContextManager,
    ParsingContextManager,
    ValidationContextManager,
    WrappedHook,
)
from strawberry.extensions.runner import SchemaExtensionsRunner

_Wrapper = tuple[Callable[[SchemaExtension], Any], bool]
"""A hook's context-manager factory, and whether it is async."""


class _Wrapping(Enum):
    """A hook's wrapping when it is not one of ours (a `_Wrapper`)."""

    STRAWBERRYS_OWN = "Strawberry's own"
    """A hook that Strawberry wraps itself (neither kind of generator function)."""


_WRAPPERS: dict[tuple[type[SchemaExtension], str], _Wrapper | _Wrapping | None] = {}
"""By extension class and hook name (bounded by the schema's extension classes)."""


def _wrapper(
    kind: type[SchemaExtension], hook_name: str, default: Any
) -> _Wrapper | _Wrapping | None:
    """How the `hook_name` hook of `kind` is wrapped; None when it has none."""
    hook = getattr(kind, hook_name)
    if hook is default:
        return None
    if inspect.isgeneratorfunction(hook):
        return contextlib.contextmanager(hook), False
    if inspect.isasyncgenfunction(hook):
        return contextlib.asynccontextmanager(hook), True
    return _Wrapping.STRAWBERRYS_OWN


class _WrappedOnce(ExtensionContextManagerBase):
    def get_hook(self, extension: SchemaExtension) -> WrappedHook | None:
        key = (type(extension), self.HOOK_NAME)
        try:
            wrapper = _WRAPPERS[key]
        except KeyError:
            wrapper = _WRAPPERS[key] = _wrapper(type(extension), self.HOOK_NAME, self.default_hook)
        if wrapper is None:
            return None
        if wrapper is _Wrapping.STRAWBERRYS_OWN:
            return super().get_hook(extension)
        factory, is_async = wrapper
        return WrappedHook(extension=extension, hook=partial(factory, extension), is_async=is_async)


class _Operation(_WrappedOnce, OperationContextManager):
    pass


class _Validation(_WrappedOnce, ValidationContextManager):
    pass


class _Parsing(_WrappedOnce, ParsingContextManager):
    pass


class _Executing(_WrappedOnce, ExecutingContextManager):
    pass


class ExtensionsRunner(SchemaExtensionsRunner):
    """Strawberry's runner, with hooks wrapped once per extension class."""

    def operation(self) -> OperationContextManager:
        return _Operation(self.extensions)

    def validation(self) -> ValidationContextManager:
        return _Validation(self.extensions)

    def parsing(self) -> ParsingContextManager:
        return _Parsing(self.extensions)

    def executing(self) -> ExecutingContextManager:
        return _Executing(self.extensions)
