"""SQLite settings: WAL and synchronous=NORMAL for concurrent writers, checkpoints every ~8 MB, foreign keys on;
and the writers of every process queued on a file lock (``WriterQueueConnection``)."""
from __future__ import annotations

import fcntl
import os
import re
import sqlite3
import threading
import time
import weakref
from functools import lru_cache

from sqlalchemy import event
from sqlalchemy.engine import Engine

BUSY_TIMEOUT_SECONDS = 5
AUTOCHECKPOINT_PAGES = 2000


def _on_connect(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
    # Copy the WAL back into the database every 2,000 pages (~8 MB), not SQLite's default 1,000: a burst of
    # submissions rewrites the same index and table pages, which a checkpoint then writes once instead of twice.
    # Not more: while a checkpoint copies and syncs, the other writers' commits are held up, and the longer it is
    # the longer they wait (issue 9, 2 workers storing ~1,230 comments/s: p99 21 ms at 1,000 pages, 23 at 2,000,
    # 28 at 4,000, 40 at 10,000, the setting until 2026-12-05; the rate alike within 2.5 %). Run in a thread of
    # its own, out of the writers' queue below, a checkpoint held them up as much: its disk writes, not the
    # queue, are what they wait for. The WAL file is kept at most 64 MB.
    cursor.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
    cursor.execute("PRAGMA journal_size_limit=67108864")
    # What is erased (a withdrawn comment's text, erased contacts, an erased mail) is overwritten in the file, not
    # left in its free pages for a copy or a backup to carry: the default of Debian's SQLite, not of every build
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


# --- the writers' queue ---------------------------------------------------------------------------------
#
# SQLite lets one connection write at a time. A writer that finds the database locked is put to sleep by SQLite's
# busy handler for 1, 2, 5, 10 … ms and then tries again, although a comment's write transaction holds the lock
# for a fraction of a millisecond: with two gunicorn workers storing comments, each slept so often that the
# machine stood ~30 % idle under a burst (issue 9: 1,060 comments/s; 1,460 with the queue below, CPU then busy).
# So every connection the portal opens takes an exclusive lock on a file beside the database (``flock``,
# ``portal.db-writer-lock``) before a statement that starts a write transaction, and gives it back when the
# transaction ends: writers of every process wait their turn, trying again every 0.05 to 1 ms (``_lock_within``)
# instead of SQLite's 1 to 100, so the lock changes hands within a fraction of a millisecond of being free.
# Readers never take it (WAL: they do not wait for writers). A process that dies loses its lock with it.
#
# The wait for the file lock is bounded (BUSY_TIMEOUT_SECONDS); after it the statement goes on without the
# queue and SQLite's own busy timeout decides, as it did before the queue. A thread that already holds the queue
# through one connection and writes through another goes on without waiting (SQLite then refuses the second
# writer after its busy timeout, as before): no thread waits for itself.

_READ_ONLY = re.compile(r"\s*(?:(?:SELECT|EXPLAIN|VALUES)\b|PRAGMA\s+[\w.]+\s*(?:\(\s*[\w.]*\s*\))?\s*;?\s*$)",
                        re.IGNORECASE)
_WRITES = re.compile(r"\b(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
_held_here = threading.local()  # .holders: {lock file: weak reference to the connection} of this thread


@lru_cache(maxsize=2048)
def starts_write(sql: str) -> bool:
    """Whether ``sql``, run outside a transaction, may write (and so needs the writers' lock): everything but
    SELECT, a PRAGMA that only reads, EXPLAIN and VALUES; a WITH … only if it holds a data-changing statement.
    Erring towards "writes" only makes a statement wait its turn."""
    if _READ_ONLY.match(sql):
        return False
    if sql.lstrip()[:4].upper() == "WITH":
        return _WRITES.search(sql) is not None
    return True


def _thread_holders() -> dict:
    holders = getattr(_held_here, "holders", None)
    if holders is None:
        holders = _held_here.holders = {}
    return holders


class WriterQueueCursor(sqlite3.Cursor):
    """A cursor of a ``WriterQueueConnection``: takes the writers' lock before a statement that may start a
    write transaction, gives it back if the statement left no transaction open (it failed, or wrote on its own)."""

    # Each statement (and commit) tests the connection's state inline rather than through a shared helper: two
    # more calls a statement cost ~0.3 % of a submission's instructions (issue 9; callgrind: 3.47 against 3.46
    # million)
    def execute(self, sql, parameters=()):
        connection = self.connection
        if not connection.writer_queue_held and not connection.in_transaction and starts_write(sql):
            connection.join_writer_queue()
        try:
            return super().execute(sql, parameters)
        finally:
            if connection.writer_queue_held and not connection.in_transaction:
                connection.leave_writer_queue()

    def executemany(self, sql, seq_of_parameters):
        connection = self.connection
        if not connection.writer_queue_held and not connection.in_transaction and starts_write(sql):
            connection.join_writer_queue()
        try:
            return super().executemany(sql, seq_of_parameters)
        finally:
            if connection.writer_queue_held and not connection.in_transaction:
                connection.leave_writer_queue()

    def executescript(self, sql_script):
        connection = self.connection
        if not connection.writer_queue_held:  # a script commits what is open, then may write anything
            connection.join_writer_queue()
        try:
            return super().executescript(sql_script)
        finally:
            if connection.writer_queue_held and not connection.in_transaction:
                connection.leave_writer_queue()


class WriterQueueConnection(sqlite3.Connection):
    """A SQLite connection whose write transactions wait their turn on a file lock beside the database (above);
    a database in memory, or named by a ``file:`` URI, has no queue."""

    def __init__(self, database, *args, **kwargs):
        super().__init__(database, *args, **kwargs)
        path = os.fspath(database)
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        self.writer_queue_path = None if not path or path == ":memory:" or path.startswith("file:") \
            else f"{path}-writer-lock"
        self.writer_queue_held = False
        self._queue_file = None  # opened on first use; closed with the connection (or when it is collected)
        self._queue_pid = None

    def cursor(self, factory=WriterQueueCursor):
        return super().cursor(factory)

    # sqlite3's shortcuts make a plain cursor of their own: these make a queue's cursor
    def execute(self, sql, parameters=()):
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql, seq_of_parameters):
        return self.cursor().executemany(sql, seq_of_parameters)

    def executescript(self, sql_script):
        return self.cursor().executescript(sql_script)

    def join_writer_queue(self) -> None:
        """Wait (at most BUSY_TIMEOUT_SECONDS) for the writers' lock and hold it."""
        if self.writer_queue_path is None:
            return
        holders = _thread_holders()
        reference = holders.get(self.writer_queue_path)
        holder = reference() if reference is not None else None
        if holder is not None and holder.writer_queue_held:  # this thread holds it through another connection:
            return  # do not wait (for itself)
        try:
            if self._queue_file is None or self._queue_pid != os.getpid():  # not a file inherited through fork
                self._queue_file = open(self.writer_queue_path, "ab")  # noqa: SIM115 (kept open with the connection)
                self._queue_pid = os.getpid()
            descriptor = self._queue_file.fileno()
            if not _lock_within(descriptor, BUSY_TIMEOUT_SECONDS):
                return  # go on without the queue: SQLite's busy timeout decides
        except OSError:  # the lock file cannot be made (a read-only folder): SQLite's own waiting, as before
            self.writer_queue_path = None
            return
        self.writer_queue_held = True
        # weak: a connection collected holds nothing; an entry whose connection has left the queue is stale, harmless
        holders[self.writer_queue_path] = weakref.ref(self)

    def leave_writer_queue(self) -> None:
        if not self.writer_queue_held:
            return
        self.writer_queue_held = False
        fcntl.flock(self._queue_file.fileno(), fcntl.LOCK_UN)

    def commit(self):
        try:
            super().commit()
        finally:
            if self.writer_queue_held and not self.in_transaction:
                self.leave_writer_queue()

    def rollback(self):
        try:
            super().rollback()
        finally:
            if self.writer_queue_held and not self.in_transaction:
                self.leave_writer_queue()

    def close(self):
        try:
            super().close()
        finally:
            self.leave_writer_queue()
            if self._queue_file is not None:
                self._queue_file.close()
                self._queue_file = None


def _lock_within(descriptor: int, seconds: float) -> bool:
    """Take the exclusive ``flock`` on ``descriptor``, trying again after 0.05, 0.1, 0.2 … (at most 1) ms, for up to
    ``seconds``: whether it was taken. (A blocking ``flock`` cannot be given a time limit; waits this short cost
    the waiter a few system calls and hand the lock on within a fraction of a millisecond.)"""
    deadline, delay = None, 0.00005
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            pass
        now = time.monotonic()  # not read at all when the lock is free
        if deadline is None:
            deadline = now + seconds
        elif now >= deadline:
            return False
        time.sleep(delay)
        delay = min(delay * 2, 0.001)


def engine_options(uri: str, options: dict) -> dict:
    """SQLALCHEMY_ENGINE_OPTIONS for ``uri``: a SQLite database's connections join the writers' queue."""
    if not uri.startswith("sqlite"):
        return options
    connect_args = dict(options.get("connect_args") or {})
    connect_args.setdefault("factory", WriterQueueConnection)
    return {**options, "connect_args": connect_args}


def register(app) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from portal.extensions import db

    with app.app_context():
        engine: Engine = db.engine
        if not event.contains(engine, "connect", _on_connect):
            event.listen(engine, "connect", _on_connect)
