"""The routing queue: a submission writes one row for its comment; the mail worker plans its mails.

A comment's mails (one to each address of the consultation's contact and of the section's responsible units,
and the commenter's receipt or request to confirm the address) are planned by ``route_queued``, which the mail
worker (``flask mail deliver``) runs before it sends: in ONE transaction it takes a batch of queue rows (deletes
them), writes the outbox rows of each comment and commits. Either both happen or neither, so no comment is
routed twice or lost; two workers never take the same rows (PostgreSQL: ``FOR UPDATE SKIP LOCKED``; SQLite
runs one writer at a time, and the DELETE is the transaction's first statement, so it holds the write lock
from the start). The outbox rows carry dedup keys, so routing the same comment again (``route_comment`` from
the CLI or a test, a receipt already queued by the commenter confirming their address) adds nothing twice.
"""
from __future__ import annotations

import logging

from sqlalchemy import bindparam, delete, func, insert, select
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import selectinload

from portal.comments.models import Comment
from portal.core.statements import prepared, run
from portal.extensions import db
from portal.mail.links import site_address
from portal.routing.models import RoutingQueueItem

log = logging.getLogger(__name__)
_unroutable: set[int] = set()  # comments this process failed to route (their traceback logged once)


@prepared
def _queue_statement(_dialect):
    return insert(RoutingQueueItem.__table__)


def queue_routing(comment_id: int) -> None:
    """Queue a stored comment for routing, in the caller's transaction."""
    run(_queue_statement(), queue_row(comment_id))


def queue_row(comment_id: int) -> dict:
    """The queue row of a comment (for ``queue_routing``, or a statement that writes it with the comment), with
    the site address the request came in by, for the links in its mails."""
    return {"comment_id": comment_id, "base_url": site_address()[:200]}


@prepared
def _take_statement(dialect):
    """Delete up to ``batch`` queue rows, oldest comment first, returning their comment ids and site addresses;
    rows another worker holds are skipped on PostgreSQL."""
    queue = RoutingQueueItem.__table__
    pick = select(queue.c.comment_id).order_by(queue.c.comment_id).limit(bindparam("batch"))
    if dialect == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    return delete(queue).where(queue.c.comment_id.in_(pick)).returning(queue.c.comment_id, queue.c.base_url)


def route_queued(batch: int = 100) -> int:
    """Plan the mails of up to ``batch`` queued comments and write their outbox rows; commits. Returns the
    number of queue rows taken and done (comments erased meanwhile are taken and skipped; a comment that cannot be
    routed is logged and put back in the queue, the others routed)."""
    from portal.routing.services import remember_responsible_units, route_comment

    db.session.commit()  # the DELETE must begin the transaction (SQLite: the write lock before any read)
    try:
        taken = dict(db.session.execute(_take_statement(), {"batch": batch}).all())
        if not taken:
            db.session.rollback()
            return 0
        comments = db.session.scalars(  # with the comments replies answer (their authors may be mailed)
            select(Comment).where(Comment.id.in_(taken)).order_by(Comment.id).options(selectinload(Comment.parent))
        ).all()
        memo: dict = {}  # each consultation's settings, each section's units and each set of units, read once here
        remember_responsible_units({c.section_id for c in comments if c.section_id is not None}, memo)
        left = []
        try:  # the batch in one savepoint (one per comment cost the worker ~25 % more CPU a comment) …
            with db.session.begin_nested():
                for comment in comments:
                    route_comment(comment, base_url=taken[comment.id], queued=False, memo=memo)
        except (OperationalError, InterfaceError):
            raise  # the database itself: the whole batch is rolled back and tried again
        except Exception:  # noqa: BLE001 - … and only when one comment fails, one by one, to leave it out alone
            memo.clear()  # nothing read in the undone savepoint is trusted
            remember_responsible_units({c.section_id for c in comments if c.section_id is not None}, memo)
            for comment in comments:
                if not _route_one(route_comment, comment, taken[comment.id], memo):
                    left.append(comment.id)
        if left:  # back in the queue, for a later pass (and the status page's backlog) once the fault is mended
            db.session.execute(_queue_statement(), [{"comment_id": i, "base_url": taken[i]} for i in left])
        db.session.commit()
    except BaseException:
        db.session.rollback()  # the rows are back in the queue: nothing was written
        raise
    return len(taken) - len(left)


def _route_one(route_comment, comment, base_url: str, memo: dict) -> bool:
    """Route one comment of a batch in a savepoint. A comment that cannot be routed (a fault in its data or in
    the code, not the database being unreachable) is logged and left out, its writes undone, instead of failing
    the whole batch on every pass before a single mail is sent."""
    try:
        with db.session.begin_nested():
            route_comment(comment, base_url=base_url, queued=False, memo=memo)
    except (OperationalError, InterfaceError):
        raise  # the database itself: the whole batch is rolled back and tried again
    except Exception:  # noqa: BLE001 - one comment must not hold up the others' mails
        if comment.id in _unroutable:  # said once a process with its traceback; each pass takes it again
            log.error("comment %s still cannot be routed; it stays in the routing queue", comment.id)
        else:
            _unroutable.add(comment.id)
            log.exception("comment %s could not be routed; it stays in the routing queue", comment.id)
        memo.clear()  # nothing read in the undone savepoint is trusted
        return False
    return True


def waiting() -> int:
    """Comments waiting to be routed."""
    return db.session.scalar(select(func.count()).select_from(RoutingQueueItem)) or 0


def unqueue(comment_id: int) -> None:
    """Take a comment out of the queue (it is being routed by other means), in the caller's transaction."""
    db.session.execute(delete(RoutingQueueItem).where(RoutingQueueItem.comment_id == comment_id))
