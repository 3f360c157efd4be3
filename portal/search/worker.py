"""The index worker: claim queue rows (never two workers the same row), index them, delete them; commits.

Run as ``flask search work [--loop]``; the request path only ever writes queue rows.
"""
from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete, or_, select, update

from portal.core.time import now
from portal.extensions import db
from portal.search.models import SearchQueueItem
from portal.search.services import index_items

STALE_CLAIM = timedelta(minutes=10)


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
