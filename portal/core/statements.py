"""Statements built once per process and run on the session's connection: the hot path of a submission.

Building a SQLAlchemy statement (columns, a recursive CTE, an INSERT … ON CONFLICT … RETURNING) and running
it through the ORM layer costs more than SQLite needs to run it; a submission runs about ten. Statements
built here take their values as bound parameters, so one object serves every request (SQLAlchemy then also
reuses the compiled form), and run as Core statements: no ORM objects are made.
"""
from __future__ import annotations

from collections.abc import Callable
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
