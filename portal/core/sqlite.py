"""SQLite settings: WAL and synchronous=NORMAL for concurrent writers, foreign keys on, and one write lock
for all the portal's processes that waits without sleeping in steps.

SQLite lets one connection write at a time. A connection that finds the database locked retries from its
busy handler, which sleeps 1, 2, 5, 10, 15 … ms between tries: under a burst of submissions (gunicorn
workers, the mail, search and grouping workers: each its own process) most of a writer's time went into
those sleeps, not into writing (issue 9). So before its first write a transaction takes an exclusive
``flock`` on a file beside the database, and lets it go when it commits or rolls back: the next writer is
woken as soon as the lock is free. Readers take no lock (WAL lets them read while one connection writes).
A writer that cannot get the lock within ``busy_timeout`` fails as SQLite would ("database is locked").
"""
from __future__ import annotations

import fcntl
import os
import sqlite3
import time

from sqlalchemy import event
from sqlalchemy.engine import Engine

BUSY_TIMEOUT_MS = 5000
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "WITH")  # WITH … INSERT; a plain WITH … SELECT locks too


def _on_connect(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def _is_write(statement: str) -> bool:
    return statement.lstrip()[:7].upper().startswith(WRITES)


class _WriteLock:
    """An exclusive flock on ``<database>-writelock``, taken by polling with short, growing waits."""

    def __init__(self, path: str):
        self.path = path
        self.fd: int | None = None
        self.held = False

    def acquire(self) -> None:
        if self.held:
            return
        if self.fd is None:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        pause = 0.00005
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self.held = True
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise sqlite3.OperationalError("database is locked") from None
                time.sleep(pause)
                pause = min(pause * 2, 0.001)

    def release(self) -> None:
        if self.held:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            self.held = False

    def close(self) -> None:
        self.release()
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class _Cursor(sqlite3.Cursor):
    def execute(self, sql, parameters=(), /):
        self.connection._before(sql)
        try:
            return super().execute(sql, parameters)
        finally:
            self.connection._after()

    def executemany(self, sql, parameters, /):
        self.connection._before(sql)
        try:
            return super().executemany(sql, parameters)
        finally:
            self.connection._after()


class WriteLockedConnection(sqlite3.Connection):
    """sqlite3's connection, taking the portal's write lock before a transaction's first write."""

    def __init__(self, database, *args, **kwargs):
        super().__init__(database, *args, **kwargs)
        path = os.fspath(database)
        self._lock = None if path in ("", ":memory:") or path.startswith("file:") else _WriteLock(path + "-writelock")

    def cursor(self, factory=_Cursor):
        return super().cursor(factory)

    def _before(self, sql: str) -> None:
        if self._lock is not None and not self._lock.held and _is_write(sql):
            self._lock.acquire()

    def _after(self) -> None:
        if self._lock is not None and self._lock.held and not self.in_transaction:
            self._lock.release()  # the statement ran outside a transaction (or failed before one began)

    def commit(self):
        try:
            super().commit()
        finally:
            if self._lock is not None:
                self._lock.release()

    def rollback(self):
        try:
            super().rollback()
        finally:
            if self._lock is not None:
                self._lock.release()

    def close(self):
        try:
            super().close()
        finally:
            if self._lock is not None:
                self._lock.close()


def configure(app) -> None:
    """Before the engine is made: SQLite connections of the portal's own class."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options["connect_args"] = {"factory": WriteLockedConnection, **options.get("connect_args", {})}
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def register(app) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from portal.extensions import db

    with app.app_context():
        engine: Engine = db.engine
        if not event.contains(engine, "connect", _on_connect):
            event.listen(engine, "connect", _on_connect)
