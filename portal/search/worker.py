"""The index worker: claim queue rows (never two workers the same row), index them, delete them; commits.

Run as ``flask search work [--loop]``; the request path only ever writes queue rows.

Workers take turns to index (``index_turn``): each reads what its rows name from the database and writes it to
the index within its turn. Claiming different rows is not enough: two rows may name the same comment (approved,
then hidden), and a worker that read the approved comment and wrote it after another worker had read the hidden
one and taken it out put it back in the index for good (on Whoosh, a rebuild's swap could also drop another
worker's update). Within turns, what is written last was read last. PostgreSQL: a transaction-level advisory
lock (every host); SQLite: an exclusive ``flock`` on a file in the index folder (one host).
"""
from __future__ import annotations

import fcntl
import secrets
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, or_, select, text, update

from portal.core.time import now
from portal.extensions import db
from portal.search.models import SearchQueueItem
from portal.search.services import index_items

STALE_CLAIM = timedelta(minutes=10)
LOCK_KIND, LOCK_KEY = 0x73726368, 1  # "srch": the index workers' advisory lock on PostgreSQL
TURN_FILE = ".index-turn"  # in the index folder: the index workers' flock on SQLite


@contextmanager
def index_turn():
    """This worker's turn to read what changed and write it to the index: one worker at a time. PostgreSQL: held
    until the transaction ends (the caller commits or rolls back within the block); SQLite: until the block ends."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:kind, :key)"), {"kind": LOCK_KIND, "key": LOCK_KEY})
        yield
        return
    folder = Path(current_app.config.get("SEARCH_INDEX_DIR") or Path(current_app.instance_path) / "search")
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / TURN_FILE, "a") as turn:
        fcntl.flock(turn.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(turn.fileno(), fcntl.LOCK_UN)


def claim(batch: int) -> tuple[str, list[SearchQueueItem]]:
    """Claim up to ``batch`` queue rows so that no other worker takes them.

    PostgreSQL: ``FOR UPDATE SKIP LOCKED``, held until the caller commits. SQLite: one conditional
    ``UPDATE`` marks the rows with this worker's token (SQLite runs one writer at a time); a claim
    older than ten minutes (a worker that died) may be taken again.
    """
    token = secrets.token_hex(8)
    if db.engine.dialect.name == "postgresql":
        items = list(db.session.scalars(
            select(SearchQueueItem).order_by(SearchQueueItem.id).limit(batch).with_for_update(skip_locked=True)
        ))
        return token, items
    stale = now() - STALE_CLAIM
    free = select(SearchQueueItem.id).where(
        or_(SearchQueueItem.claimed_by.is_(None), SearchQueueItem.claimed_at < stale)
    ).order_by(SearchQueueItem.id).limit(batch)
    db.session.execute(
        update(SearchQueueItem)
        .where(SearchQueueItem.id.in_(free.scalar_subquery()))
        .values(claimed_by=token, claimed_at=now())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    items = list(db.session.scalars(select(SearchQueueItem).where(SearchQueueItem.claimed_by == token)))
    return token, items


def work_queue(batch: int = 500) -> int:
    """Claim a batch of queue rows, index what they name, delete them; commits. Returns the rows done."""
    token, items = claim(batch)
    if not items:
        db.session.rollback()
        return 0
    try:
        with index_turn():  # what the rows name is read in this worker's turn, and written in it
            index_items(items)
            ids = [item.id for item in items]
            db.session.execute(delete(SearchQueueItem).where(SearchQueueItem.id.in_(ids)))
            db.session.commit()
    except BaseException:
        db.session.rollback()
        if db.engine.dialect.name != "postgresql":  # give the rows back at once
            db.session.execute(
                update(SearchQueueItem).where(SearchQueueItem.claimed_by == token).values(claimed_by=None, claimed_at=None)
            )
            db.session.commit()
        raise
    return len(items)
