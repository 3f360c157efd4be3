"""Statements built once per process and run on the session's connection: the hot path of a submission.

Building a SQLAlchemy statement (columns, a recursive CTE, an INSERT … ON CONFLICT … RETURNING) and running
it through the ORM layer costs more than SQLite needs to run it; a submission runs about ten. Statements
built here take their values as bound parameters, so one object serves every request (SQLAlchemy then also
reuses the compiled form), and run as Core statements: no ORM objects are made.

``run`` goes one step further: it runs a statement's SQL straight on the DBAPI cursor of the session's
connection, in the session's transaction (or, inside ``own_transaction``, on a pooled connection of its own),
with the SQL, parameter order and type conversions that SQLAlchemy compiled for it once (``_Plan``).
SQLAlchemy's execution layer around a statement cost ten times what SQLite needs to run it (issue 9: 0.2 ms
against 0.015 ms for the submission's read). Errors are turned into SQLAlchemy's exceptions and a lost
connection is invalidated, as SQLAlchemy itself does.
"""
from __future__ import annotations

import json
from collections import namedtuple
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from functools import cache

from sqlalchemy import Executable, TextClause
from sqlalchemy import exc as sa_exc

from portal.extensions import db


def insert_for(dialect: str):
    """The ``insert`` of the engine's dialect, which has ``on_conflict_do_nothing`` / ``on_conflict_do_update``
    (PostgreSQL's and SQLite's, the two engines the portal runs on)."""
    from sqlalchemy.dialects.postgresql import insert as postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return postgresql_insert if dialect == "postgresql" else sqlite_insert


def prepared(build: Callable[[str], Executable]) -> Callable[[], Executable]:
    """Decorate ``build(dialect_name) -> statement``: the statement for the current engine, built once."""
    cached = cache(build)

    def statement() -> Executable:
        return cached(db.engine.dialect.name)

    statement.__doc__ = build.__doc__
    return statement


def run(statement: Executable, params=None):
    """Run a prepared statement on the session's connection (in the session's transaction): a dict of
    parameters, or a list of dicts with the same keys (one executemany). Returns a ``Rows`` (first, all,
    scalar, scalars; rows with attributes and ``_mapping``), like SQLAlchemy's result for these uses."""
    own = _own.get()
    if own is not None:  # inside own_transaction: its connection, no ORM session
        fairy, dialect, invalidate, connection = own.fairy, own.dialect, own.fairy.invalidate, None
    else:
        connection = db.session.connection()
        fairy, dialect, invalidate = connection.connection, connection.dialect, connection.invalidate
    many = isinstance(params, list)
    keys = tuple(params[0]) if many else tuple(params or ())
    plan = _plan(statement, keys, dialect)
    if plan is None:  # a statement this runner does not handle: SQLAlchemy runs it
        if connection is None:
            raise RuntimeError(f"own_transaction cannot run this statement: {statement}")
        return Rows.of(connection.execute(statement, params))
    cursor = fairy.cursor()
    try:
        if many:  # no rows back (PostgreSQL's implicit RETURNING of the ids is not fetched)
            cursor.executemany(plan.sql, plan.arguments_many(params))
            return Rows([])
        if plan.expanding:
            cursor.execute(*plan.expanded(params or {}))
        else:
            cursor.execute(plan.sql, plan.arguments(params or {}))
        return Rows(plan.rows(cursor))
    except dialect.loaded_dbapi.Error as error:
        _raise_as_sqlalchemy(dialect, invalidate, fairy, cursor, plan.sql, params, error)
    finally:
        cursor.close()


class _Own:
    """The connection of an ``own_transaction``."""

    def __init__(self, fairy, dialect):
        self.fairy, self.dialect = fairy, dialect


_own: ContextVar[_Own | None] = ContextVar("portal_own_transaction", default=None)


@contextmanager
def own_transaction() -> Iterator[None]:
    """Run the ``run`` calls inside on a connection of the engine's pool, outside the ORM session, in one
    transaction committed at the end (rolled back on an exception). On PostgreSQL in autocommit mode instead:
    each statement commits itself, so a caller must write in one statement (``insert_together``), which
    PostgreSQL makes atomic; the connection goes back to the pool in its usual mode.

    For a comment submission (issue 9): the session's transaction, its connection lookups and its commit
    cost more than SQLite's work. ORM queries made inside (an error page) use the session's own connection.
    """
    engine = db.engine
    fairy = engine.raw_connection()
    postgresql = engine.dialect.name == "postgresql"
    token = None
    try:
        if postgresql:
            fairy.driver_connection.autocommit = True
        token = _own.set(_Own(fairy, engine.dialect))
        yield
        if not postgresql:
            fairy.commit()
        if db.session.registry.has():  # objects a session of this context holds may predate these writes
            db.session.expire_all()
    except BaseException:
        if fairy.is_valid:
            try:
                fairy.rollback()
            except engine.dialect.loaded_dbapi.Error:
                fairy.invalidate()
        raise
    finally:
        if token is not None:
            _own.reset(token)
        if postgresql and fairy.is_valid:
            try:
                fairy.driver_connection.autocommit = False
            except engine.dialect.loaded_dbapi.Error:
                fairy.invalidate()
        fairy.close()  # back to the pool


class Rows:
    """The rows a statement returned, fetched: what the portal uses of SQLAlchemy's Result."""

    __slots__ = ("_rows",)

    def __init__(self, rows: list):
        self._rows = rows

    @classmethod
    def of(cls, result) -> Rows:
        return cls(list(result) if result.returns_rows else [])

    def __iter__(self):
        return iter(self._rows)

    def all(self) -> list:
        return list(self._rows)

    def first(self):
        return self._rows[0] if self._rows else None

    def scalar(self):
        return self._rows[0][0] if self._rows else None

    def scalars(self) -> Rows:
        return Rows([row[0] for row in self._rows])


class _Plan:
    """A statement compiled once for a dialect and a set of parameter names: its SQL, the order (or names)
    its driver takes the parameters in with their type conversions, Python-side column defaults for the
    columns an INSERT was not given, and the conversions of the columns it returns."""

    def __init__(self, compiled, dialect, keys: tuple = ()):
        self.compiled = compiled
        self.sql = compiled.string
        self.dialect = dialect
        processors = compiled._bind_processors  # by the names the SQL uses
        self.positional = compiled.positional
        if self.positional:
            self.order = [(name, processors.get(name)) for name in compiled.positiontup]
        else:  # construct_params gives the names as the SQL writes them (escaped where they had to be)
            escaped = compiled.escaped_bind_names or {}
            self.processors = {escaped.get(name, name): processor for name, processor in processors.items()}
        self.defaults = {}
        for column in compiled.insert_prefetch:
            default = column.default
            if default is None or not (default.is_scalar or default.is_callable):
                raise _Unplannable
            self.defaults[column.key] = default
        labels = [entry[0] for entry in compiled._result_columns]
        self.result_types = [entry[3] for entry in compiled._result_columns]
        self.row_type = _row_type(tuple(labels)) if labels else None
        # whether it returns rows: known from the compiled columns, except for text() (asked of the cursor;
        # psycopg builds its description anew at each look: ~5 % of a PostgreSQL submission)
        self.returns_rows = None if isinstance(compiled.statement, TextClause) else bool(labels)
        self.result_processors = None  # made at the first result (they may depend on the driver's types)
        # The values of the parameters the caller does not give (literals such as kind = 'confirm'), found once:
        # construct_params per call is then only needed when a parameter's value is computed (callable) or a
        # given name is not one the SQL uses as it is.
        self.expanding = bool(compiled.post_compile_params)
        self.fixed = compiled.construct_params({}, _check=False)
        self.merge = all(key in self.fixed for key in keys) and not any(
            bind.callable for bind in compiled.bind_names)

    def expanded(self, params: dict) -> tuple:
        """The SQL and parameters of a statement with an expanding IN list, for ``params``."""
        state = self.compiled.construct_expanded_state(params)
        processors = state.processors
        if self.positional:
            values = state.parameters
            return state.statement, [processors[name](values[name]) if name in processors else values[name]
                                     for name in state.positiontup]
        return state.statement, {name: processors[name](value) if name in processors else value
                                 for name, value in state.parameters.items()}

    def _values(self, params: dict) -> dict:
        """Every parameter's value by the name the SQL uses: the given ones, column defaults, literals."""
        if self.defaults:
            params = {**{key: (default.arg if default.is_scalar else default.arg(None))
                         for key, default in self.defaults.items()}, **params}
        return {**self.fixed, **params} if self.merge else self.compiled.construct_params(params, _check=False)

    def arguments(self, params: dict):
        values = self._values(params)
        if self.positional:
            return [processor(values[name]) if processor else values[name] for name, processor in self.order]
        processors = self.processors
        return {name: processors[name](value) if name in processors else value for name, value in values.items()}

    def arguments_many(self, rows: list[dict]) -> list:
        """``arguments`` for each of ``rows``, a value the rows share (the same object: one moment, the same
        headers) converted once: a comment's outbox rows share most of theirs (issue 9)."""
        if len(rows) < 2 or not self.positional:
            return [self.arguments(row) for row in rows]
        converted: dict = {}

        def convert(name, processor, value):
            if processor is None or value is None:
                return value
            key = (name, id(value))
            found = converted.get(key)
            if found is None:
                found = converted[key] = (value, processor(value))  # the value kept: its id stays its own
            return found[1]

        result = []
        for row in rows:
            values = self._values(row)
            result.append([convert(name, processor, values[name]) for name, processor in self.order])
        return result

    def rows(self, cursor) -> list:
        if not self.returns_rows and (self.returns_rows is False or cursor.description is None):
            return []
        fetched = cursor.fetchall()
        if self.row_type is None:  # text(): no column types known, values as the driver gives them
            return [tuple(row) for row in fetched]
        if self.result_processors is None:
            self.result_processors = [
                type_._cached_result_processor(self.dialect, description[1])
                for type_, description in zip(self.result_types, cursor.description)
            ]
        processors = self.result_processors
        make = self.row_type._make
        if not any(processors):
            return [make(row) for row in fetched]
        return [make([p(v) if p else v for p, v in zip(processors, row)]) for row in fetched]


class _Unplannable(Exception):
    """A statement ``_Plan`` cannot run (expanding IN parameters, server-side defaults to fetch …)."""


@cache
def _row_type(labels: tuple[str, ...]):
    base = namedtuple("Row", labels, rename=True)
    return type("Row", (base,), {"__slots__": (), "_mapping": property(lambda row: dict(zip(row._fields, row)))})


_plans: dict = {}  # (id of statement, parameter names, dialect name) -> (statement, plan or None)


def _plan(statement, keys: tuple, dialect) -> _Plan | None:
    key = (id(statement), keys, dialect.name)
    entry = _plans.get(key)
    if entry is not None and entry[0] is statement:  # the statement is kept in the entry: its id stays its own
        return entry[1]
    try:
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        # literal parameters rendered into the SQL: SQLAlchemy runs those (expanding IN lists are expanded per
        # call by the plan). Columns SQLAlchemy would fetch after an INSERT, "postfetch", are not wanted here:
        # no ORM object is kept.
        if compiled.literal_execute_params or compiled.update_prefetch or getattr(compiled, "_numeric_binds", False):
            raise _Unplannable
        plan = _Plan(compiled, dialect, keys)
    except _Unplannable:
        plan = None
    _plans[key] = (statement, plan)
    return plan


def _raise_as_sqlalchemy(dialect, invalidate, fairy, cursor, sql, params, error):
    """Raise ``error`` as SQLAlchemy would (IntegrityError, OperationalError …); a connection the driver lost
    is invalidated, so that the pool does not hand it out again."""
    lost = dialect.is_disconnect(error, fairy, cursor)
    if lost:
        invalidate(error)
    raise sa_exc.DBAPIError.instance(sql, params, error, dialect.loaded_dbapi.Error,
                                     connection_invalidated=lost, dialect=dialect) from error


# --- PostgreSQL: a submission's writes in one statement -------------------------------------------------

def insert_together(table, row: dict, conflict: str, dependents: list[tuple]) -> int | None:
    """PostgreSQL: insert ``row`` into ``table`` (ON CONFLICT (``conflict``) DO NOTHING) and, only when it was
    inserted, the rows of each ``(table, rows)`` of ``dependents``, in ONE statement (data-modifying CTEs): one
    round trip, atomic even in autocommit mode. The rows travel as one JSON parameter per table
    (``jsonb_populate_recordset``), so the statement's text is short and the same whatever the number of rows:
    psycopg keeps it parsed and PostgreSQL prepared. Returns the new row's id, or None when ``conflict`` was
    taken (nothing was written)."""
    groups = [(t, rows) for t, rows in dependents if rows]
    shape = (table.name, tuple(row), conflict, tuple((t.name, tuple(rows[0])) for t, rows in groups))
    params = {"p0": _json(row)}
    params.update({f"p{n}": _json(rows) for n, (_t, rows) in enumerate(groups, start=1)})
    return run(_together_statement(shape), params).scalar()


def _json(value) -> str:
    return json.dumps(value, default=_json_default, ensure_ascii=False)


def _json_default(item):
    if isinstance(item, datetime):
        return item.isoformat()
    raise TypeError(f"{type(item).__name__} is not JSON")


@cache
def _together_statement(shape):
    from sqlalchemy import text

    quote = db.engine.dialect.identifier_preparer.quote
    name, columns, conflict, dependents = shape

    def column_list(names):
        return ", ".join(quote(c) for c in names)

    parts = [f"inserted AS (INSERT INTO {quote(name)} ({column_list(columns)}) "
             f"SELECT {column_list(columns)} FROM jsonb_populate_record(NULL::{quote(name)}, CAST(:p0 AS jsonb)) "
             f"ON CONFLICT ({quote(conflict)}) DO NOTHING RETURNING id)"]
    for n, (dependent, names) in enumerate(dependents, start=1):
        parts.append(f"dependent_{n} AS (INSERT INTO {quote(dependent)} ({column_list(names)}) "
                     f"SELECT {', '.join('r.' + quote(c) for c in names)} FROM inserted, "
                     f"jsonb_populate_recordset(NULL::{quote(dependent)}, CAST(:p{n} AS jsonb)) AS r)")
    return text("WITH " + ",\n".join(parts) + "\nSELECT id FROM inserted")
