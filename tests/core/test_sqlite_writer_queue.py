"""SQLite's writers queued on a file lock beside the database (portal/core/sqlite.py): held exactly while a write
transaction is open, given back however it ends, never taken by readers, never waited for by the thread that holds
it, and a wait bounded as SQLite's own."""
import fcntl
import gc
import multiprocessing
import sqlite3
import threading

import pytest
from sqlalchemy import select

from portal.comments.models import Comment
from portal.core import sqlite as portal_sqlite
from portal.core.sqlite import WriterQueueConnection, starts_write
from portal.extensions import db
from tests.helpers import post_comment, receipt_from


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "queue.db"
    with sqlite3.connect(path) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    setup.close()
    return path


def connect(path, **kwargs) -> WriterQueueConnection:
    return sqlite3.connect(path, factory=WriterQueueConnection, **kwargs)


def queue_is_free(path) -> bool:
    """Whether another process could take the writers' lock now (a descriptor of the test's own)."""
    with open(f"{path}-writer-lock", "ab") as probe:
        try:
            fcntl.flock(probe.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(probe.fileno(), fcntl.LOCK_UN)
        return True


@pytest.fixture
def waits(monkeypatch):
    """The waits for the writers' lock made during the test."""
    made = []
    real = portal_sqlite._lock_within

    def counting(descriptor, seconds):
        made.append(seconds)
        return real(descriptor, seconds)

    monkeypatch.setattr(portal_sqlite, "_lock_within", counting)
    return made


def test_a_write_transaction_holds_the_queue_until_it_commits(database):
    connection = connect(database)
    connection.execute("INSERT INTO notes (body) VALUES ('一')")
    assert connection.in_transaction and not queue_is_free(database)
    connection.execute("INSERT INTO notes (body) VALUES ('二')")  # the same transaction: still held, once
    assert not queue_is_free(database)
    connection.commit()
    assert queue_is_free(database)
    assert [body for (body,) in connection.execute("SELECT body FROM notes ORDER BY id")] == ["一", "二"]
    assert queue_is_free(database)  # reading took nothing
    connection.close()


@pytest.mark.parametrize("ending", ["rollback", "close", "collected", "failed statement"])
def test_the_queue_is_given_back_however_the_transaction_ends(database, ending):
    connection = connect(database)
    if ending == "failed statement":  # outside a transaction: the statement fails, nothing is left open
        with pytest.raises(sqlite3.OperationalError):
            connection.execute("INSERT INTO no_such_table (body) VALUES ('x')")
        assert not connection.in_transaction
    else:
        connection.execute("INSERT INTO notes (body) VALUES ('x')")
        assert not queue_is_free(database)
        if ending == "rollback":
            connection.rollback()
        elif ending == "close":
            connection.close()
        else:
            del connection
            gc.collect()
    assert queue_is_free(database)
    with sqlite3.connect(database) as check:
        assert check.execute("SELECT count(*) FROM notes").fetchone()[0] == 0


def test_a_connection_collected_in_its_transaction_leaves_the_thread_free_to_queue(database, waits):
    first = connect(database)
    first.execute("INSERT INTO notes (body) VALUES ('x')")
    del first
    gc.collect()
    second = connect(database)
    second.execute("INSERT INTO notes (body) VALUES ('y')")
    assert second.writer_queue_held and not queue_is_free(database)  # it queued, as any writer
    assert len(waits) == 2
    second.commit()
    assert queue_is_free(database)
    second.close()


def test_readers_never_join_the_queue_and_writers_do(database, waits):
    connection = connect(database)
    connection.execute("SELECT count(*) FROM notes").fetchone()
    connection.execute("WITH n AS (SELECT id FROM notes) SELECT count(*) FROM n").fetchone()
    connection.execute("PRAGMA table_info(notes)").fetchall()
    assert waits == []
    connection.execute("WITH n AS (SELECT 'x' AS body) INSERT INTO notes (body) SELECT body FROM n")
    connection.commit()
    connection.executemany("INSERT INTO notes (body) VALUES (?)", [("a",), ("b",)])
    connection.commit()
    assert len(waits) == 2
    connection.close()


@pytest.mark.parametrize(("sql", "writes"), [
    ("SELECT 1", False), ("  select body from notes", False), ("PRAGMA busy_timeout", False),
    ("PRAGMA table_info(notes)", False), ("EXPLAIN QUERY PLAN SELECT 1", False),
    ("WITH n AS (SELECT 1) SELECT * FROM n", False), ("WITH n AS (SELECT 'updated_at') SELECT * FROM n", False),
    ("PRAGMA journal_mode=WAL", True), ("INSERT INTO notes VALUES (1, 'x')", True), ("update notes SET body=''", True),
    ("DELETE FROM notes", True), ("WITH n AS (SELECT 1) DELETE FROM notes", True), ("SAVEPOINT sa_1", True),
    ("CREATE TABLE t (x)", True), ("BEGIN IMMEDIATE", True),
])
def test_which_statements_may_start_a_write(sql, writes):
    assert starts_write(sql) is writes


def test_a_writer_in_another_thread_waits_its_turn_and_then_writes(database):
    first = connect(database)
    first.execute("INSERT INTO notes (body) VALUES ('先')")
    done = threading.Event()
    errors = []

    def second_writer():
        try:
            second = connect(database, check_same_thread=False)
            second.execute("INSERT INTO notes (body) VALUES ('后')")
            second.commit()
            second.close()
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        done.set()

    thread = threading.Thread(target=second_writer)
    thread.start()
    assert not done.wait(0.3)  # waiting for the first, which still holds the queue
    first.commit()
    thread.join(10)
    assert done.is_set() and errors == []
    assert [body for (body,) in first.execute("SELECT body FROM notes ORDER BY id")] == ["先", "后"]
    assert queue_is_free(database)
    first.close()


def test_a_thread_never_waits_for_itself(database, waits):
    """A thread holding the queue through one connection that writes through another does not wait for the queue
    (it would wait for itself): SQLite refuses the second writer after its busy timeout, as without the queue."""
    first = connect(database)
    first.execute("INSERT INTO notes (body) VALUES ('x')")
    second = connect(database, timeout=0.1)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        second.execute("INSERT INTO notes (body) VALUES ('y')")
    assert len(waits) == 1  # the first connection's only
    first.commit()
    assert queue_is_free(database)
    second.execute("INSERT INTO notes (body) VALUES ('y')")  # its turn now
    second.commit()
    assert queue_is_free(database)
    first.close()
    second.close()


def test_the_wait_is_bounded_and_then_sqlite_decides(database, monkeypatch):
    """Someone holds the lock file but not the database (a stuck process's lock, say): after the wait the writer
    goes on without the queue, and SQLite lets it write."""
    monkeypatch.setattr(portal_sqlite, "BUSY_TIMEOUT_SECONDS", 0.2)
    with open(f"{database}-writer-lock", "ab") as stuck:
        fcntl.flock(stuck.fileno(), fcntl.LOCK_EX)
        connection = connect(database)
        connection.execute("INSERT INTO notes (body) VALUES ('x')")
        assert not connection.writer_queue_held
        connection.commit()
        connection.close()
    with sqlite3.connect(database) as check:
        assert check.execute("SELECT body FROM notes").fetchall() == [("x",)]


def test_a_lock_file_that_cannot_be_made_leaves_sqlite_to_wait_as_before(database):
    (database.parent / f"{database.name}-writer-lock").mkdir()  # a folder where the file would be
    connection = connect(database)
    connection.execute("INSERT INTO notes (body) VALUES ('x')")
    connection.commit()
    assert connection.execute("SELECT count(*) FROM notes").fetchone()[0] == 1
    connection.close()


def test_a_database_in_memory_has_no_queue(tmp_path):
    connection = connect(":memory:")
    connection.execute("CREATE TABLE t (x)")
    connection.execute("INSERT INTO t VALUES (1)")
    connection.commit()
    assert connection.writer_queue_path is None
    assert list(tmp_path.iterdir()) == []
    connection.close()


def _write_many(path: str, worker: int, count: int) -> None:
    connection = sqlite3.connect(path, factory=WriterQueueConnection, timeout=30)
    for n in range(count):
        connection.execute("INSERT INTO notes (body) VALUES (?)", (f"{worker}-{n}",))
        connection.execute("UPDATE notes SET body = body WHERE id = 1")  # a second statement in the transaction
        connection.commit()
    connection.close()


def test_writers_of_several_processes_all_write(database):
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_write_many, args=(str(database), w, 150)) for w in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [worker.exitcode for worker in workers] == [0, 0, 0]
    with sqlite3.connect(database) as check:
        assert check.execute("SELECT count(*), count(DISTINCT body) FROM notes").fetchone() == (450, 450)
    assert queue_is_free(database)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_portals_connections_queue_their_writers_and_a_comment_gives_the_queue_back(app, client, open_003):
    """The app's engine makes its SQLite connections with the queue; storing a comment over HTTP takes it and
    gives it back (the submission's own transaction, core.statements.own_transaction)."""
    path = db.engine.url.database
    assert isinstance(db.engine.raw_connection().driver_connection, WriterQueueConnection)
    assert queue_is_free(path)
    section = open_003.current_draft.sections[3]
    url = f"/consultations/{open_003.id}/sections/{section.anchor}"
    receipt_from(post_comment(client, open_003, url, section_id=section.id, body="建议延长社区食堂的开放时间。"))
    assert queue_is_free(path)
    assert db.session.scalars(select(Comment.body)).all() == ["建议延长社区食堂的开放时间。"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_portals_connections_are_set_for_concurrent_writers(app):
    """WAL (readers never wait for the writer), synchronous=NORMAL (no sync at each commit), a busy timeout,
    foreign keys, and the WAL copied back every 2,000 pages: short checkpoints, which hold up the other writers
    less (issue 9: the p99 of a burst of comments)."""
    connection = db.engine.raw_connection()
    try:
        def pragma(name):
            return connection.driver_connection.execute(f"PRAGMA {name}").fetchone()[0]

        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 1  # NORMAL
        assert pragma("busy_timeout") == portal_sqlite.BUSY_TIMEOUT_SECONDS * 1000
        assert pragma("foreign_keys") == 1
        assert pragma("wal_autocheckpoint") == portal_sqlite.AUTOCHECKPOINT_PAGES == 2000
    finally:
        connection.close()
