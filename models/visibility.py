"""Who may see what, each rule written once as conditions on its model's columns.

A rule is read three ways, all derived from the same conditions, so they cannot drift apart:
- `filter()`: a query-builder `Q` (root resolvers, loaders, writers' side effects);
- `sql()`: the same conditions as SQL text over the model's table, for the fixed reads of
  `models.rows` (its one changing value, the request's clock, bound as `{n}`);
- `holds()`: the decision for one row already in memory (a write deciding whether the row
  it holds became or stopped being public).

The values in a rule are constants of this code (enum members, `""`, `True`), never anything a
client sent, so `sql()` writes them into the text as literals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, Literal

from tortoise import timezone
from tortoise.expressions import Q
from tortoise.models import Model

from models.internals import field_of

Test = Literal["=", "!=", "not null", "not after now"]
Constant = str | bool
"""What a condition compares a column with: written into SQL as a literal (see the module
doc). Enum members of the models are `StrEnum`s, so strings."""


@dataclass(frozen=True)
class Condition:
    """One column's condition: equal to (or different from) a constant, present, or dated
    no later than the clock."""

    column: str
    test: Test
    value: Constant | None = None

    def lookups(self, prefix: str, now: datetime | None) -> dict[str, Any]:
        """The condition as query-builder lookups (`prefix` reaches the model through a
        relation); a `!=` is the one that needs a negated `Q` instead (see `Rule.filter`)."""
        name = prefix + self.column
        if self.test == "=":
            return {name: self.value}
        if self.test == "not null":
            return {f"{name}__isnull": False}
        if self.test == "not after now":
            return {f"{name}__lte": now or timezone.now()}
        raise ValueError(f"{self.test!r} has no lookup")

    def sql(self, now_marker: str) -> str:
        """The condition in SQL over the model's own table."""
        column = f'"{self.column}"'
        if self.test == "not null":
            return f"{column} IS NOT NULL"
        if self.test == "not after now":
            return f"{column} <= {now_marker}"
        if isinstance(self.value, bool):  # a boolean column is its own condition
            truth = self.value if self.test == "=" else not self.value
            return column if truth else f"NOT {column}"
        operator = "=" if self.test == "=" else "<>"
        return f"{column} {operator} {_sql_literal(self.value)}"

    def holds(self, row: object, now: datetime | None) -> bool:
        """Whether `row` (a model instance or a row with the column) meets the condition."""
        value = getattr(row, self.column)
        if self.test == "=":
            return bool(value == self.value)
        if self.test == "!=":
            return bool(value != self.value)
        if self.test == "not null":
            return value is not None
        return value is not None and value <= (now or timezone.now())


def _sql_literal(value: Constant | None) -> str:
    """A constant of ours as an SQL string literal (quotes doubled, as SQL escapes them)."""
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not a string constant")
    text = value.value if isinstance(value, Enum) else value
    return "'" + text.replace("'", "''") + "'"


def equals(column: str, value: Constant) -> Condition:
    """`column` equals `value`."""
    return Condition(column, "=", value)


def differs(column: str, value: Constant) -> Condition:
    """`column` is not `value`."""
    return Condition(column, "!=", value)


def present(column: str) -> Condition:
    """`column` is not null."""
    return Condition(column, "not null")


def passed(column: str) -> Condition:
    """`column` (a date) is the clock's time or earlier."""
    return Condition(column, "not after now")


@dataclass(frozen=True)
class Rule:
    """The rows of `model` a rule admits: all of `conditions` on the row itself, and each
    rule of `through` on the row reached through that relation (a comment's post)."""

    model: type[Model]
    conditions: tuple[Condition, ...]
    through: tuple[tuple[str, Rule], ...] = ()

    def and_through(self, relation: str, rule: Rule) -> Rule:
        """This rule, and `rule` on the row reached through `relation`."""
        return Rule(self.model, self.conditions, (*self.through, (relation, rule)))

    def filter(self, now: datetime | None = None, *, via: str = "") -> Q:
        """The rule as a query-builder filter, at `now` (default: this instant). `via` names
        the relation to reach the model through (`"post"` when filtering comments)."""
        prefix = f"{via}__" if via else ""
        lookups: dict[str, Any] = {}
        negated: list[Q] = []
        for condition in self.conditions:
            if condition.test == "!=":
                excluded: dict[str, Any] = {prefix + condition.column: condition.value}
                negated.append(~Q(**excluded))
            else:
                lookups.update(condition.lookups(prefix, now))
        parts = [Q(**lookups)] if lookups else []
        parts += negated
        for relation, rule in self.through:
            parts.append(rule.filter(now, via=prefix + relation))
        return parts[0] if len(parts) == 1 else Q(*parts)

    def sql(self, now_marker: int = 0) -> str:
        """The rule as SQL over the model's table, the clock bound as `{now_marker}` (see
        `models.rows.bind`; its value is `clock_value(now)`). Fixed SQL reads one table: a
        rule with a `through` part is refused (read the related rows by their own rule)."""
        if self.through:
            raise ValueError("a rule through a relation has no single-table SQL")
        marker = f"{{{now_marker}}}"
        return " AND ".join(condition.sql(marker) for condition in self.conditions)

    def clock_value(self, now: datetime) -> Any:
        """`now` as the database driver takes it in the rule's date comparison."""
        (column,) = {c.column for c in self.conditions if c.test == "not after now"}
        field = field_of(self.model, column)
        assert field is not None, f"{column!r} is a column of {self.model.__name__}"
        return field.to_db_value(now, self.model)

    def holds(self, row: object, now: datetime | None = None) -> bool:
        """Whether the rule admits `row`, a model instance (or a row with the same column
        names) already in memory, at `now` (default: this instant). A `through` part reads
        the related row from the attribute the relation names, which must be loaded."""
        return all(c.holds(row, now) for c in self.conditions) and all(
            rule.holds(getattr(row, relation), now) for relation, rule in self.through
        )

    def later(self, now: datetime) -> Q:
        """The rows the rule will admit later with no write, as a filter: every condition
        but the clock's, and a date after `now` (a post scheduled for later)."""
        dated = {c.column for c in self.conditions if c.test == "not after now"}
        lookups: dict[str, Any] = {}
        for condition in self.conditions:
            if condition.test == "not after now":
                lookups[f"{condition.column}__gt"] = now
            elif condition.test == "not null" and condition.column in dated:
                continue  # implied by a date after `now`
            elif condition.test != "!=":
                lookups.update(condition.lookups("", now))
            else:
                raise ValueError("`later` takes no `!=` condition")
        return Q(**lookups)


__all__ = ["Condition", "Rule", "differs", "equals", "passed", "present"]
