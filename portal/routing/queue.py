"""The routing queue: a submission writes one row for its comment; the mail worker plans its mails.

A comment's mails (one to each address of the consultation's contact and of the section's responsible units,
and the commenter's receipt or request to confirm the address) are planned by ``route_queued``, which the mail
worker (``flask mail deliver``) runs before it sends: in ONE transaction it takes a batch of queue rows (deletes
them), writes the outbox rows of each comment and commits. Either both happen or neither, so no comment is
routed twice or lost; two workers never take the same rows (PostgreSQL: ``FOR UPDATE SKIP LOCKED``; SQLite
runs one writer at a time, and the DELETE is the transaction's first statement, so it holds the write lock
from the start). The outbox rows carry dedup keys, so routing the same comment again (``route_comment`` from
the CLI or a test, a receipt already queued by the commenter confirming their address) adds nothing twice.

A comment that cannot be routed (a fault in its data, a unit's broken address list, a bug; not the database being
unreachable, which fails the whole pass) is put back in the same transaction with its attempt counted, the error
and a time to try again (``ROUTING_RETRY_SECONDS``, doubling up to an hour), while the others of its batch are
routed; after ``ROUTING_MAX_ATTEMPTS`` it is marked failed and waits for an administrator (/admin/status,
``flask mail retry-routing``). As the row is taken and put back in one transaction, a failure is counted once
however many workers run. The comment itself is untouched: stored and shown as any other, only its mails wait.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import bindparam, delete, func, insert, or_, select, update
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import selectinload

from portal.comments.models import Comment
from portal.core.statements import prepared, run
from portal.core.time import now
from portal.extensions import db
from portal.mail.links import site_address
from portal.mail.retry import describe, retry_delay
from portal.routing.models import RoutingQueueItem

log = logging.getLogger(__name__)
RETRY_MAX_SECONDS = 3600  # the longest wait between two routings of a comment that fails


@dataclass
class RoutingFailure:
    """A comment of a pass whose routing failed: tried again later, or (``given_up``) marked failed."""

    comment_id: int
    attempts: int
    error: str
    given_up: bool


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
    """Delete up to ``batch`` due queue rows, oldest comment first, returning their comment ids, site addresses
    and failed attempts; rows another worker holds are skipped on PostgreSQL, rows waiting after a failure (till
    their ``next_attempt_at``) or given up are left."""
    queue = RoutingQueueItem.__table__
    pick = (
        select(queue.c.comment_id)
        .where(queue.c.failed_at.is_(None),
               or_(queue.c.next_attempt_at.is_(None), queue.c.next_attempt_at <= bindparam("at")))
        .order_by(queue.c.comment_id).limit(bindparam("batch"))
    )
    if dialect == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    return (delete(queue).where(queue.c.comment_id.in_(pick))
            .returning(queue.c.comment_id, queue.c.base_url, queue.c.attempts))


def route_queued(batch: int = 100, failures: list[RoutingFailure] | None = None) -> int:
    """Plan the mails of up to ``batch`` due queued comments and write their outbox rows; commits. Returns the
    number of queue rows taken and done (comments erased meanwhile are taken and skipped; a comment that cannot be
    routed is logged and put back with its attempt counted, or marked failed, the others routed: each such one is
    added to ``failures``)."""
    from portal.routing.services import remember_responsible_units, route_comment

    db.session.commit()  # the DELETE must begin the transaction (SQLite: the write lock before any read)
    try:
        at = now()
        taken = {row.comment_id: row for row in db.session.execute(_take_statement(), {"batch": batch, "at": at})}
        if not taken:
            db.session.rollback()
            return 0
        comments = db.session.scalars(  # with the comments replies answer (their authors may be mailed)
            select(Comment).where(Comment.id.in_(taken)).order_by(Comment.id).options(selectinload(Comment.parent))
        ).all()
        memo: dict = {}  # each consultation's settings, each section's units and each set of units, read once here
        remember_responsible_units({c.section_id for c in comments if c.section_id is not None}, memo)
        failed: dict[int, Exception] = {}
        rows: list[dict] = []
        try:  # the batch in one savepoint (one per comment cost the worker ~25 % more CPU a comment) …
            with db.session.begin_nested():
                for comment in comments:
                    route_comment(comment, base_url=taken[comment.id].base_url, queued=False, memo=memo)
        except (OperationalError, InterfaceError):
            raise  # the database itself: the whole batch is rolled back and tried again
        except Exception:  # noqa: BLE001 - … and only when one comment fails, one by one, to leave it out alone
            memo.clear()  # nothing read in the undone savepoint is trusted
            remember_responsible_units({c.section_id for c in comments if c.section_id is not None}, memo)
            for comment in comments:
                error = _route_one(route_comment, comment, taken[comment.id].base_url, memo)
                if error is not None:
                    failed[comment.id] = error
        if failed:  # back in the queue with the attempt counted, for a later pass, or given up
            rows = [_failed_row(taken[i], error, at) for i, error in failed.items()]
            db.session.execute(insert(RoutingQueueItem.__table__), rows)
        db.session.commit()
    except BaseException:
        db.session.rollback()  # the rows are back in the queue as they were: nothing was written, nothing counted
        raise
    _log_failures(rows, failed)  # once counted
    if failures is not None:
        failures.extend(RoutingFailure(r["comment_id"], r["attempts"], r["last_error"], r["failed_at"] is not None)
                        for r in rows)
    return len(taken) - len(failed)


def _route_one(route_comment, comment, base_url: str, memo: dict) -> Exception | None:
    """Route one comment of a batch in a savepoint; its error, if it cannot be routed (a fault in its data or in
    the code, not the database being unreachable): its writes are undone, instead of failing the whole batch on
    every pass before a single mail is sent."""
    try:
        with db.session.begin_nested():
            route_comment(comment, base_url=base_url, queued=False, memo=memo)
    except (OperationalError, InterfaceError):
        raise  # the database itself: the whole batch is rolled back and tried again
    except Exception as error:  # noqa: BLE001 - one comment must not hold up the others' mails
        memo.clear()  # nothing read in the undone savepoint is trusted
        return error
    return None


def _failed_row(taken, error: Exception, at: datetime) -> dict:
    """The queue row of a comment whose routing failed: its attempts counted, the error, and when to try again
    (the back-off), or marked failed after ROUTING_MAX_ATTEMPTS."""
    config = current_app.config
    attempts = (taken.attempts or 0) + 1
    given_up = attempts >= config["ROUTING_MAX_ATTEMPTS"]
    return {
        "comment_id": taken.comment_id, "base_url": taken.base_url, "attempts": attempts,
        "last_error": describe(error), "failed_at": at if given_up else None,
        "next_attempt_at": None if given_up else at + retry_delay(
            attempts, config["ROUTING_RETRY_SECONDS"], RETRY_MAX_SECONDS),
    }


def _log_failures(rows: list[dict], errors: dict[int, Exception]) -> None:
    for row in rows:
        error = errors[row["comment_id"]]
        if row["failed_at"] is not None:
            log.error("comment %s could not be routed (attempt %s): given up; it waits for an administrator "
                      "(/admin/status, flask mail retry-routing)", row["comment_id"], row["attempts"], exc_info=error)
        else:
            log.error("comment %s could not be routed (attempt %s of %s); tried again at %s", row["comment_id"],
                      row["attempts"], current_app.config["ROUTING_MAX_ATTEMPTS"],
                      row["next_attempt_at"].isoformat(timespec="seconds"), exc_info=error)


def waiting() -> int:
    """Comments waiting to be routed (not those given up after failing)."""
    return db.session.scalar(
        select(func.count()).select_from(RoutingQueueItem).where(RoutingQueueItem.failed_at.is_(None))) or 0


def given_up() -> int:
    """Comments whose routing failed ROUTING_MAX_ATTEMPTS times: they wait for an administrator's retry."""
    return db.session.scalar(
        select(func.count()).select_from(RoutingQueueItem).where(RoutingQueueItem.failed_at.is_not(None))) or 0


def requeue_failed(comment_id: int | None = None) -> list:
    """Put comments whose routing was given up (all, or the one) back in the queue as new (attempts from 0, due
    now), in the caller's transaction: the mail worker routes them in its next pass. Returns each one's
    (comment_id, attempts, last_error) as it was. Two administrators at once put each back once: the rows are
    read locked (PostgreSQL) and the UPDATE takes only those still failed."""
    queue = RoutingQueueItem.__table__
    chosen = [queue.c.failed_at.is_not(None)]
    if comment_id is not None:
        chosen.append(queue.c.comment_id == comment_id)
    pick = select(queue.c.comment_id, queue.c.attempts, queue.c.last_error).where(*chosen).order_by(queue.c.comment_id)
    if db.engine.dialect.name == "postgresql":
        pick = pick.with_for_update()
    before = {row.comment_id: row for row in db.session.execute(pick)}
    if not before:
        return []
    done = set(db.session.scalars(
        update(queue).where(queue.c.comment_id.in_(before), queue.c.failed_at.is_not(None))
        .values(attempts=0, failed_at=None, next_attempt_at=None, last_error=None)
        .returning(queue.c.comment_id)
    ))
    return [row for comment_id, row in before.items() if comment_id in done]


def unqueue(comment_id: int) -> None:
    """Take a comment out of the queue (it is being routed by other means), in the caller's transaction."""
    db.session.execute(delete(RoutingQueueItem).where(RoutingQueueItem.comment_id == comment_id))
