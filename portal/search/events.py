"""Write a search queue row in the same transaction as every change that search must follow.

Listens to the session's ``after_flush`` (new rows have their ids by then; the pre-flush
new/dirty/deleted sets and attribute histories are still readable) and inserts the queue rows with
Core, on the flush's own connection. The request path does nothing else: the index itself is
written by ``flask search work`` after the commit.
"""
from __future__ import annotations

from sqlalchemy import event, inspect

from portal.comments.models import Comment
from portal.consultations.models import Consultation
from portal.core.statements import prepared, run
from portal.core.time import now
from portal.drafts.models import Draft, Section
from portal.search.models import COMMENT, CONSULTATION, SECTIONS, SearchQueueItem

COMMENT_FIELDS = ("status", "body", "section_id", "consultation_id", "author_name", "parent_id", "organisation")
CONSULTATION_FIELDS = ("published_at", "comment_visibility")  # who may see what: everything again
TITLE_FIELDS = ("title", "explanatory_note")  # indexed with the sections (section_documents)


def _changed(obj, fields) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in fields)


def _draft_consultation_id(session, draft_id: int | None) -> int | None:
    if draft_id is None:
        return None
    draft = session.identity_map.get((Draft, (draft_id,), None)) or session.get(Draft, draft_id)
    return draft.consultation_id if draft is not None else None


def rows_for_flush(session) -> set[tuple[str, int, int | None]]:
    rows: set[tuple[str, int, int | None]] = set()
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        is_new_or_deleted = obj in session.new or obj in session.deleted
        if isinstance(obj, Comment):
            if is_new_or_deleted or _changed(obj, COMMENT_FIELDS):
                rows.add((COMMENT, obj.id, obj.consultation_id))
        elif isinstance(obj, Consultation):
            if obj in session.deleted or (obj not in session.new and _changed(obj, CONSULTATION_FIELDS)):
                rows.add((CONSULTATION, obj.id, obj.id))
            elif obj not in session.new and _changed(obj, TITLE_FIELDS):
                rows.add((SECTIONS, obj.id, obj.id))
        elif isinstance(obj, Draft):
            if obj.consultation_id is not None:
                rows.add((SECTIONS, obj.consultation_id, obj.consultation_id))
        elif isinstance(obj, Section):
            draft_id = obj.draft_id if obj.draft_id is not None else getattr(obj.draft, "id", None)
            consultation_id = _draft_consultation_id(session, draft_id)
            if consultation_id is not None:
                rows.add((SECTIONS, consultation_id, consultation_id))
    # a new consultation is not published yet: nothing to index until it is
    return {row for row in rows if not _unpublished_new(session, row)}


def _unpublished_new(session, row) -> bool:
    kind, target_id, _consultation_id = row
    if kind != SECTIONS:
        return False
    consultation = session.identity_map.get((Consultation, (target_id,), None))
    return consultation is not None and consultation.published_at is None and consultation in session.new


def _after_flush(session, _flush_context) -> None:
    enqueue(rows_for_flush(session), session)


@prepared
def _insert_statement(_dialect):
    return SearchQueueItem.__table__.insert()


def queue_rows(rows) -> list[dict]:
    """The search_queue rows for ``(kind, target id, consultation id)`` triples, in a stable order."""
    enqueued_at = now()
    return [
        {"kind": kind, "target_id": target_id, "consultation_id": consultation_id, "enqueued_at": enqueued_at}
        for kind, target_id, consultation_id in sorted(rows, key=lambda r: (r[0], r[1]))
    ]


def enqueue(rows, session=None) -> None:
    """Insert queue rows ``(kind, target id, consultation id)`` in the session's transaction: for the
    changes made without the ORM (a submission inserts its comment with one Core statement)."""
    if not rows:
        return
    if session is None:  # a submission: on the request's session, through the fast runner
        run(_insert_statement(), queue_rows(rows))
        return
    session.connection().execute(_insert_statement(), queue_rows(rows))


def register(session) -> None:
    if not event.contains(session, "after_flush", _after_flush):
        event.listen(session, "after_flush", _after_flush)
