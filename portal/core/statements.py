"""Statements built once per process and run on the session's connection: the hot path of a submission.

Building a SQLAlchemy statement (columns, a recursive CTE, an INSERT … ON CONFLICT … RETURNING) and running
it through the ORM layer costs more than SQLite needs to run it; a submission runs about ten. Statements
built here take their values as bound parameters, so one object serves every request (SQLAlchemy then also
reuses the compiled form), and run as Core statements: no ORM objects are made.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from functools import cache

from sqlalchemy import Executable

from portal.extensions import db


def prepared(build: Callable[[str], Executable]) -> Callable[[], Executable]:
    """Decorate ``build(dialect_name) -> statement``: the statement for the current engine, built once."""
    cached = cache(build)

    def statement() -> Executable:
        return cached(db.engine.dialect.name)

    statement.__doc__ = build.__doc__
    return statement


def run(statement: Executable, params=None):
    """Run a prepared statement on the session's connection (in the session's transaction)."""
    return db.session.connection().execute(statement, params)


# --- PostgreSQL: a submission's writes in one statement -------------------------------------------------

def autocommit_if_postgresql() -> bool:
    """On PostgreSQL, run the rest of this session's transaction in autocommit mode, when nothing has run in it
    yet: no BEGIN and COMMIT round trips, each statement its own transaction. For a request whose writes are
    one statement (``insert_together``), which PostgreSQL makes atomic. True when it did."""
    if db.engine.dialect.name != "postgresql" or db.session().in_transaction():
        return False
    db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return True


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
