"""Strawberry's extension hooks, wrapped once per extension class rather than per request.

For every operation Strawberry makes each extension's hooks into context managers afresh:
`contextlib.contextmanager(types.MethodType(hook, extension))` per hook and stage, which
copies the function's metadata (`functools.update_wrapper`) every time, after checking
what kind of function each hook is. With seven extensions that is a good part of a small
query's cost. Here the kind and the `contextmanager` wrapper are worked out once per
extension class and stage, and a request only binds them to its extension objects: the
same context managers, entered and left in the same order with the same exceptions.
Hooks of any other kind (plain functions and coroutines) keep Strawberry's own wrapping.
What is decided here is how a hook is wrapped; the runner and context-manager classes that
apply it are Strawberry's undocumented ones, built by `extensions_runner_class`
(gql/engine/internals.py).
"""

from __future__ import annotations

import contextlib
import inspect
from typing import Any

from strawberry.extensions import SchemaExtension

from gql.engine.internals import (
    STRAWBERRYS_OWN,
    HookFactory,
    StrawberrysOwn,
    extensions_runner_class,
)

_WRAPPERS: dict[tuple[type[SchemaExtension], str], HookFactory | StrawberrysOwn | None] = {}
"""By extension class and hook name (bounded by the schema's extension classes)."""


def _wrapper(
    kind: type[SchemaExtension], hook_name: str, default: Any
) -> HookFactory | StrawberrysOwn | None:
    """How the `hook_name` hook of `kind` is wrapped; None when it has none."""
    hook = getattr(kind, hook_name)
    if hook is default:
        return None
    if inspect.isgeneratorfunction(hook):
        return contextlib.contextmanager(hook), False
    if inspect.isasyncgenfunction(hook):
        return contextlib.asynccontextmanager(hook), True
    return STRAWBERRYS_OWN


def _wrapped_once(
    kind: type[SchemaExtension], hook_name: str, default: Any
) -> HookFactory | StrawberrysOwn | None:
    """`_wrapper`, worked out once per extension class and hook."""
    key = (kind, hook_name)
    try:
        return _WRAPPERS[key]
    except KeyError:
        wrapper = _WRAPPERS[key] = _wrapper(kind, hook_name, default)
        return wrapper


ExtensionsRunner = extensions_runner_class(_wrapped_once)
"""Strawberry's runner, with hooks wrapped once per extension class."""
