"""`threadpress dump` and `threadpress load`: the whole site as one portable, versioned NDJSON
file, to move it between SQLite and PostgreSQL and to back it up.

The file's first line is a header: the format's name and version, the Threadpress version and
migrations that made it, when, every table with its columns and row count, and where each id
sequence stood. Then one line per row, `{"table": ..., "row": {column: value}}`, table by
table in foreign-key order (a table's rows after the rows they refer to), each table by its
key. Every column is there, private ones too (commenters' emails and addresses, token hashes,
webhook secrets, the audit and change logs). Values are what both databases agree on: numbers,
text, `true`/`false`, and datetimes as ISO 8601 in UTC with their offset.

Tables and columns come from the Tortoise models' metadata (and their many-to-many tables), so
a new model or column is carried without edits here; a field of a kind the format cannot carry
yet fails loudly when the layout is read, never by leaving data out.

Both directions stream in bounded memory: the dump reads by keyset in batches inside one
snapshot, the load inserts in batches inside one transaction, so a file that turns out to be
bad halfway (cut short, a broken line) leaves the database as it was.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any, Literal

import orjson
from tortoise import Tortoise, timezone
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.fields.relational import (
    ForeignKeyFieldInstance,
    ManyToManyFieldInstance,
    OneToOneFieldInstance,
)
from tortoise.models import Model
from tortoise.transactions import in_transaction

from models.config import PRIMARY
from models.internals import is_generated_side, meta_of, table_of

FORMAT = "threadpress-dump"
FORMAT_VERSION = 1
"""Raise it when a change to the format would make an older Threadpress misread a file."""
APP = "models"
MIGRATIONS_TABLE = "tortoise_migrations"
"""Tortoise's own record of applied migrations: the target of a load is migrated by the
command itself, so this table is described in the header, never copied."""
BATCH_ROWS = 500

Kind = Literal["int", "text", "bool", "datetime"]


class DumpError(ValueError):
    """A file `load` refuses, or a database it will not write into; the message is one line."""


@dataclass(frozen=True)
class Table:
    """One table as the dump carries it."""

    name: str
    columns: tuple[str, ...]
    kinds: dict[str, Kind]
    nullable: frozenset[str]
    key: tuple[str, ...]
    """Unique, non-null columns the rows are dumped in order of (the keyset)."""
    serial: str | None
    """The generated id column whose sequence must move past the loaded ids."""
    self_references: tuple[str, ...]
    """Columns referring to this table's own key (a reply's `parent_id`)."""
    depends_on: frozenset[str]
    """Tables this one's foreign keys refer to (other than itself)."""


@dataclass
class Summary:
    """What a dump wrote or a load read: rows per table, in file order."""

    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Rows in all tables."""
        return sum(self.rows.values())

    def report(self, verb: str) -> str:
        """One line for the operator."""
        return f"{verb} {self.total} rows of {len(self.rows)} tables."


# --- The layout, from the models -----------------------------------------------------------


def _kind(model: type[Model], name: str, python_type: type | None) -> Kind:
    # bool before int (bool is an int), datetime before anything date-like.
    if python_type is not None:
        if issubclass(python_type, bool):
            return "bool"
        if issubclass(python_type, datetime):
            return "datetime"
        if issubclass(python_type, int):
            return "int"
        if issubclass(python_type, str):
            return "text"
    raise TypeError(
        f"{model.__name__}.{name}: the dump format cannot carry {python_type!r} yet; "
        "teach threadpress.dump this kind (and raise FORMAT_VERSION if old files differ)"
    )


def _model_table(model: type[Model]) -> Table:
    meta = meta_of(model)
    columns: list[str] = []
    kinds: dict[str, Kind] = {}
    nullable: set[str] = set()
    for name, column in meta.fields_db_projection.items():
        field_object = meta.fields_map[name]
        columns.append(column)
        kinds[column] = _kind(model, name, field_object.field_type)
        if field_object.null:
            nullable.add(column)
    self_references: list[str] = []
    depends_on: set[str] = set()
    for name in (*sorted(meta.fk_fields), *sorted(meta.o2o_fields)):
        relation = meta.fields_map[name]
        if not isinstance(relation, ForeignKeyFieldInstance | OneToOneFieldInstance):
            continue
        target: type[Model] = relation.related_model
        source = meta.fields_db_projection[relation.source_field or f"{name}_id"]
        if target is model:
            self_references.append(source)
        else:
            depends_on.add(table_of(target))
    pk = meta.pk
    return Table(
        name=meta.db_table,
        columns=tuple(columns),
        kinds=kinds,
        nullable=frozenset(nullable),
        key=(meta.db_pk_column,),
        serial=meta.db_pk_column if pk.generated else None,
        self_references=tuple(self_references),
        depends_on=frozenset(depends_on),
    )


def _through_table(model: type[Model], relation: ManyToManyFieldInstance[Any]) -> Table:
    # A many-to-many table holds two foreign keys, unique together: its own keyset.
    columns = (relation.backward_key, relation.forward_key)
    target: type[Model] = relation.related_model
    return Table(
        name=relation.through,
        columns=columns,
        kinds=dict.fromkeys(columns, "int"),
        nullable=frozenset(),
        key=columns,
        serial=None,
        self_references=(),
        depends_on=frozenset({table_of(model), table_of(target)}),
    )


def layout() -> list[Table]:
    """Every table of the app's models and their many-to-many tables, parents before the
    tables that refer to them (the order rows are dumped and loaded in)."""
    apps = Tortoise.apps
    if apps is None:
        raise RuntimeError("the database is not open (Tortoise is not initialised)")
    found: dict[str, Table] = {}
    for model in apps[APP].values():
        table = _model_table(model)
        found.setdefault(table.name, table)
        meta = meta_of(model)
        for name in sorted(meta.m2m_fields):
            relation = meta.fields_map[name]
            # Each many-to-many relation shows on both models; the generated side is the mirror.
            if isinstance(relation, ManyToManyFieldInstance) and not is_generated_side(relation):
                found.setdefault(relation.through, _through_table(model, relation))
    ordered: list[Table] = []
    placed: set[str] = set()

    def place(name: str, path: tuple[str, ...]) -> None:
        if name in placed:
            return
        if name in path:
            raise RuntimeError(f"foreign keys form a cycle: {' -> '.join((*path, name))}")
        for dependency in sorted(found[name].depends_on):
            place(dependency, (*path, name))
        placed.add(name)
        ordered.append(found[name])

    for name in sorted(found):
        place(name, ())
    return ordered


# --- SQL helpers ---------------------------------------------------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _is_postgres(connection: BaseDBAsyncClient) -> bool:
    return connection.capabilities.dialect == "postgres"


def _marks(connection: BaseDBAsyncClient, count: int, start: int = 1) -> str:
    if _is_postgres(connection):
        return ", ".join(f"${n}" for n in range(start, start + count))
    return ", ".join("?" * count)


async def database_tables(connection: BaseDBAsyncClient | None = None) -> set[str]:
    """Every table in the database (SQLite's own and Tortoise's migration record left out)."""
    connection = connection or Tortoise.get_connection(PRIMARY)
    if _is_postgres(connection):
        query = (
            "SELECT table_name AS name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    rows = await connection.execute_query_dict(query)
    return {str(row["name"]) for row in rows} - {MIGRATIONS_TABLE}


async def _applied_migrations(connection: BaseDBAsyncClient) -> list[str]:
    rows = await connection.execute_query_dict(
        f"SELECT name FROM {_quote(MIGRATIONS_TABLE)} WHERE app = {_marks(connection, 1)} "  # noqa: S608
        "ORDER BY id",
        [APP],
    )
    return [str(row["name"]) for row in rows]


async def _sequence_name(connection: BaseDBAsyncClient, table: Table, column: str) -> str:
    rows = await connection.execute_query_dict(
        "SELECT pg_get_serial_sequence($1, $2) AS name", [_quote(table.name), column]
    )
    return str(rows[0]["name"])


async def _sequence(connection: BaseDBAsyncClient, table: Table) -> int:
    """The last id the table's sequence handed out (0 when none)."""
    if table.serial is None:
        return 0
    if _is_postgres(connection):
        name = await _sequence_name(connection, table, table.serial)
        rows = await connection.execute_query_dict(
            f"SELECT last_value, is_called FROM {name}"  # noqa: S608
        )
        last = int(rows[0]["last_value"])
        return last if rows[0]["is_called"] else last - 1
    rows = await connection.execute_query_dict(
        "SELECT seq FROM sqlite_sequence WHERE name = ?", [table.name]
    )
    return int(rows[0]["seq"]) if rows else 0


async def _set_sequence(connection: BaseDBAsyncClient, table: Table, at_least: int) -> None:
    """Move the table's id sequence to the highest loaded id (or the source's sequence, when
    that was higher: ids of deleted rows are not handed out again)."""
    if table.serial is None:
        return
    column = _quote(table.serial)
    rows = await connection.execute_query_dict(
        f"SELECT MAX({column}) AS top FROM {_quote(table.name)}"  # noqa: S608
    )
    last = max(int(rows[0]["top"] or 0), at_least)
    if _is_postgres(connection):
        name = await _sequence_name(connection, table, table.serial)
        # setval(.., 1, false): the next id is 1, as in a table never written.
        await connection.execute_query(
            "SELECT setval($1::regclass, $2, $3)", [name, max(last, 1), last > 0]
        )
        return
    await connection.execute_query("DELETE FROM sqlite_sequence WHERE name = ?", [table.name])
    if last > 0:
        await connection.execute_query(
            "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", [table.name, last]
        )


# --- Values --------------------------------------------------------------------------------


def _portable(kind: Kind, value: Any) -> Any:
    """A value read from either database as the file holds it."""
    if value is None:
        return None
    if kind == "datetime":
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            # The app runs with use_tz and UTC: a naive value read back is UTC.
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat()
    if kind == "bool":
        return bool(value)
    if kind == "int":
        return int(value)
    return str(value)


def _stored(kind: Kind, value: Any, postgres: bool) -> Any:
    """A value from the file as the database takes it; TypeError/ValueError when it is not
    what the column holds."""
    if value is None:
        return None
    if kind == "datetime":
        if not isinstance(value, str):
            raise TypeError("expected an ISO 8601 datetime")
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError("expected a datetime with its UTC offset")
        moment = moment.astimezone(UTC)
        # SQLite holds what Tortoise writes there: isoformat with a space.
        return moment if postgres else moment.isoformat(" ")
    if kind == "bool":
        if not isinstance(value, bool):
            raise TypeError("expected true or false")
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("expected an integer")
        return value
    if not isinstance(value, str):
        raise TypeError("expected a string")
    return value


# --- Dump ----------------------------------------------------------------------------------


def _app_version() -> str:
    try:
        return importlib.metadata.version("threadpress")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - running from a checkout
        return "unknown"


async def dump(out: IO[bytes], *, batch_rows: int = BATCH_ROWS) -> Summary:
    """Write every row of every table to `out` (a binary file), from one consistent snapshot
    of the open database, `batch_rows` rows in memory at a time."""
    if batch_rows < 1:
        raise ValueError("batch_rows must be at least 1")
    tables = layout()
    summary = Summary()
    async with in_transaction(PRIMARY) as connection:
        postgres = _is_postgres(connection)
        if postgres:
            # One snapshot for the whole dump: what commits after it starts is left out of
            # every table alike. (SQLite's read transaction in WAL mode is a snapshot already.)
            await connection.execute_query(
                "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
            )
        described: list[dict[str, Any]] = []
        sequences: dict[str, int] = {}
        for table in tables:
            rows = await connection.execute_query_dict(
                f"SELECT COUNT(*) AS n FROM {_quote(table.name)}"  # noqa: S608
            )
            described.append(
                {"name": table.name, "columns": list(table.columns), "rows": int(rows[0]["n"])}
            )
            if table.serial is not None:
                sequences[table.name] = await _sequence(connection, table)
        header = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "threadpress": _app_version(),
            "migrations": await _applied_migrations(connection),
            "created_at": timezone.now().astimezone(UTC).isoformat(),
            "tables": described,
            "sequences": sequences,
        }
        out.write(orjson.dumps(header) + b"\n")
        for table in tables:
            summary.rows[table.name] = await _dump_table(connection, table, out, batch_rows)
    return summary


async def _dump_table(
    connection: BaseDBAsyncClient, table: Table, out: IO[bytes], batch_rows: int
) -> int:
    columns = ", ".join(_quote(c) for c in table.columns)
    key = ", ".join(_quote(c) for c in table.key)
    first = f"SELECT {columns} FROM {_quote(table.name)} ORDER BY {key} LIMIT {int(batch_rows)}"  # noqa: S608
    after = (
        f"SELECT {columns} FROM {_quote(table.name)} "  # noqa: S608
        f"WHERE ({key}) > ({_marks(connection, len(table.key))}) "
        f"ORDER BY {key} LIMIT {int(batch_rows)}"
    )
    written = 0
    last: list[Any] | None = None
    while True:
        rows = await connection.execute_query_dict(first if last is None else after, last)
        for row in rows:
            values = {c: _portable(table.kinds[c], row[c]) for c in table.columns}
            out.write(orjson.dumps({"table": table.name, "row": values}) + b"\n")
        written += len(rows)
        if len(rows) < batch_rows:
            return written
        last = [rows[-1][c] for c in table.key]


# --- Load ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    """What the first line of a dump says."""

    tables: list[tuple[str, list[str], int]]
    """(name, columns, rows), in file order."""
    migrations: list[str]
    sequences: dict[str, int]


def _header(line: bytes | None) -> Header:
    if line is None or not line.strip():
        raise DumpError("the file is empty: not a Threadpress dump")
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError:
        raise DumpError("line 1 is not JSON: not a Threadpress dump") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise DumpError(f"line 1 does not name the format {FORMAT!r}: not a Threadpress dump")
    version = data.get("version")
    if version != FORMAT_VERSION:
        raise DumpError(
            f"the file is format version {version!r}; this Threadpress reads version "
            f"{FORMAT_VERSION} (load it with the Threadpress that made it, or a newer one)"
        )
    try:
        tables = [
            (str(t["name"]), [str(c) for c in t["columns"]], int(t["rows"])) for t in data["tables"]
        ]
        migrations = [str(name) for name in data["migrations"]]
        sequences = {str(k): int(v) for k, v in data.get("sequences", {}).items()}
    except (KeyError, TypeError, ValueError, AttributeError):
        raise DumpError("line 1, the header, is malformed") from None
    return Header(tables=tables, migrations=migrations, sequences=sequences)


def _check_fits(header: Header, tables: dict[str, Table], applied: list[str]) -> None:
    """Refuse a file this database cannot hold as it is, before anything is written."""
    unknown = [name for name in header.migrations if name not in applied]
    if unknown:
        raise DumpError(
            f"the file was made at migration {unknown[-1]}, which this Threadpress does not "
            "have: load it with a newer Threadpress"
        )
    for name, columns, _rows in header.tables:
        if name not in tables:
            raise DumpError(f"the file has a table {name!r} this database does not have")
        table = tables[name]
        extra = [c for c in columns if c not in table.columns]
        if extra:
            raise DumpError(f"the file's table {name!r} has columns this database lacks: {extra}")
        missing_key = [c for c in table.key if c not in columns]
        if missing_key:
            raise DumpError(f"the file's table {name!r} lacks its key columns {missing_key}")


def _lines(source: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    for number, line in enumerate(source, start=1):
        if not line.endswith(b"\n"):
            raise DumpError(f"line {number} is cut short: the file is incomplete")
        yield number, line


class _Loader:
    """Inserts one table's rows in batches, deferring references to rows not loaded yet."""

    def __init__(
        self, connection: BaseDBAsyncClient, table: Table, columns: list[str], batch_rows: int
    ) -> None:
        self.connection = connection
        self.table = table
        self.columns = columns
        self.batch_rows = batch_rows
        self.postgres = _is_postgres(connection)
        self.batch: list[list[Any]] = []
        self.first_line = 0
        self.count = 0
        self.last_key: tuple[Any, ...] | None = None
        # (column, key, target): a row that refers to a later row of its own table (a reply
        # whose parent has a higher id) is inserted without the reference, which is set once
        # the whole table is in. Rows are in key order, so this is rare and stays small.
        self.deferred: list[tuple[str, Any, Any]] = []
        names = ", ".join(_quote(c) for c in columns)
        self.insert = (
            f"INSERT INTO {_quote(table.name)} ({names}) "  # noqa: S608
            f"VALUES ({_marks(connection, len(columns))})"
        )

    async def add(self, number: int, row: Any) -> None:
        table = self.table
        if not isinstance(row, dict) or set(row) != set(self.columns):
            raise DumpError(
                f"line {number}: a row of {table.name!r} must have the columns the header lists"
            )
        values: list[Any] = []
        for column in self.columns:
            try:
                value = _stored(table.kinds[column], row[column], self.postgres)
            except (TypeError, ValueError) as error:
                raise DumpError(f"line {number}: {table.name}.{column}: {error}") from None
            if value is None and column not in table.nullable:
                raise DumpError(f"line {number}: {table.name}.{column} may not be null")
            values.append(value)
        key = tuple(row[c] for c in table.key)
        if self.last_key is not None and not key > self.last_key:
            raise DumpError(f"line {number}: rows of {table.name!r} are out of key order")
        self.last_key = key
        if len(table.key) == 1:
            for column in table.self_references:
                target = row[column]
                if target is not None and target > key[0]:
                    values[self.columns.index(column)] = None
                    self.deferred.append((column, key[0], target))
        if not self.batch:
            self.first_line = number
        self.batch.append(values)
        self.count += 1
        if len(self.batch) >= self.batch_rows:
            await self.flush()

    async def flush(self) -> None:
        if not self.batch:
            return
        await self._write(self.insert, self.batch, self.first_line)
        self.batch = []

    async def finish(self) -> None:
        await self.flush()
        key = _quote(self.table.key[0]) if self.table.key else ""
        for column in sorted({column for column, _key, _target in self.deferred}):
            update = (
                f"UPDATE {_quote(self.table.name)} SET {_quote(column)} = "  # noqa: S608
                f"{_marks(self.connection, 1)} WHERE {key} = {_marks(self.connection, 1, 2)}"
            )
            pairs = [[target, k] for c, k, target in self.deferred if c == column]
            for start in range(0, len(pairs), self.batch_rows):
                await self._write(update, pairs[start : start + self.batch_rows], None)
        self.deferred = []

    async def _write(self, statement: str, rows: list[list[Any]], first_line: int | None) -> None:
        try:
            await self.connection.execute_many(statement, rows)
        except (IntegrityError, OperationalError) as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
            place = f" (in the batch from line {first_line})" if first_line else ""
            raise DumpError(
                f"the database refused a row of {self.table.name!r}{place}: {reason}"
            ) from None


async def _is_empty(connection: BaseDBAsyncClient, tables: Iterable[Table]) -> bool:
    for table in tables:
        rows = await connection.execute_query_dict(
            f"SELECT 1 AS found FROM {_quote(table.name)} LIMIT 1"  # noqa: S608
        )
        if rows:
            return False
    return True


async def load(
    source: IO[bytes], *, replace: bool = False, batch_rows: int = BATCH_ROWS
) -> Summary:
    """Load a dump into the open, migrated database, in one transaction: either every row
    goes in, or (a bad or incomplete file, a row the database refuses) none does.

    An empty database is required unless `replace`, which deletes every row first (in the
    same transaction). Id sequences end past the loaded ids. The change log is loaded as it
    is, ids included, so builds' sync tokens stay valid."""
    if batch_rows < 1:
        raise ValueError("batch_rows must be at least 1")
    lines = _lines(source)
    first = next(lines, None)
    header = _header(first[1] if first else None)
    tables = layout()
    by_name = {table.name: table for table in tables}
    summary = Summary()
    async with in_transaction(PRIMARY) as connection:
        _check_fits(header, by_name, await _applied_migrations(connection))
        if not await _is_empty(connection, tables):
            if not replace:
                raise DumpError(
                    "the database is not empty: load into a new database, or pass --replace "
                    "to delete everything in it first"
                )
            # execute_query, not execute_script: sqlite3's executescript commits first.
            for table in reversed(tables):
                await connection.execute_query(f"DELETE FROM {_quote(table.name)}")  # noqa: S608
        order = [name for name, _columns, _rows in header.tables]
        expected = {name: rows for name, _columns, rows in header.tables}
        columns = {name: cols for name, cols, _rows in header.tables}
        summary.rows = dict.fromkeys(order, 0)
        position = -1
        loader: _Loader | None = None
        for number, line in lines:
            try:
                data = orjson.loads(line)
            except orjson.JSONDecodeError:
                raise DumpError(f"line {number} is not valid JSON") from None
            name = data.get("table") if isinstance(data, dict) else None
            if not isinstance(name, str) or name not in expected:
                raise DumpError(f"line {number} is not a row of a table the header lists")
            if loader is None or loader.table.name != name:
                if order.index(name) < position:
                    raise DumpError(f"line {number}: rows of {name!r} come after later tables")
                if loader is not None:
                    await loader.finish()
                    summary.rows[loader.table.name] = loader.count
                position = order.index(name)
                loader = _Loader(connection, by_name[name], columns[name], batch_rows)
            await loader.add(number, data.get("row"))
            if loader.count > expected[name]:
                raise DumpError(f"line {number}: more rows of {name!r} than the header says")
        if loader is not None:
            await loader.finish()
            summary.rows[loader.table.name] = loader.count
        for name in order:
            loaded = summary.rows[name]
            if loaded != expected[name]:
                raise DumpError(
                    f"the file ends after {loaded} of {expected[name]} rows of {name!r}: "
                    "it is incomplete"
                )
        for table in tables:
            await _set_sequence(connection, table, header.sequences.get(table.name, 0))
    return summary
