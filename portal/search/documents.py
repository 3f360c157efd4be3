"""What is searchable, read from the database: the text of a section, of an explanatory note (起草说明) or of a
public comment.

Public means: a published consultation; for sections, those of its current draft; its explanatory note; for comments,
approved ones, and only where the consultation shows comments publicly. Hidden, pending and spam
comments are never indexed, and are checked again when results are shown.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.comments.models import Comment
from portal.consultations.models import Consultation
from portal.drafts.models import Draft, DraftTable, Section
from portal.extensions import db


@dataclass(frozen=True, slots=True)
class Document:
    kind: str  # section, note (the consultation's explanatory note: target_id is the consultation's id) or comment
    target_id: int
    consultation_id: int
    text: str


def table_text(table: DraftTable) -> str:
    rows = [table.header or []] + list(table.rows or [])
    return "\n".join(filter(None, [table.title or ""] + [" | ".join(str(c) for c in row) for row in rows]))


def section_text(section: Section) -> str:
    """What is searched in a section: label, heading, text and its tables (appendix tables included)."""
    parts = [f"{section.label}{section.heading}", section.text] + [table_text(t) for t in section.tables]
    return "\n".join(p for p in parts if p)


def section_documents(consultation: Consultation) -> list[Document]:
    """The published draft's documents: its current sections, and its explanatory note when it has one."""
    draft = consultation.current_draft
    if not consultation.is_published or draft is None:
        return []
    sections = db.session.scalars(
        select(Section).where(Section.draft_id == draft.id).options(selectinload(Section.tables))
    )
    docs = [Document("section", section.id, consultation.id, section_text(section)) for section in sections]
    if consultation.explanatory_note:  # indexed with the draft: it is part of what the office published
        docs.append(Document("note", consultation.id, consultation.id, consultation.explanatory_note))
    return docs


def all_note_documents() -> list[Document]:
    """The explanatory note of every published consultation that has one."""
    rows = db.session.execute(select(Consultation.id, Consultation.explanatory_note).where(
        Consultation.published_at.is_not(None), Consultation.explanatory_note.is_not(None)).order_by(Consultation.id))
    return [Document("note", cid, cid, note) for cid, note in rows if note]


def public_comment_query(consultation_ids=None):
    query = (
        select(Comment.id, Comment.consultation_id, Comment.body, Comment.proposal, Comment.organisation)
        .join(Consultation, Consultation.id == Comment.consultation_id)
        .where(
            Comment.status == "approved",
            Consultation.published_at.is_not(None),
            Consultation.comment_visibility == "public",
        )
    )
    if consultation_ids is not None:
        query = query.where(Comment.consultation_id.in_(list(consultation_ids)))
    return query


def comment_document(comment_id: int) -> Document | None:
    """The comment as a document when the public may find it, else None."""
    row = db.session.execute(public_comment_query().where(Comment.id == comment_id)).first()
    return Document("comment", row.id, row.consultation_id, searchable_text(row)) if row else None


def comment_documents(consultation: Consultation, batch: int = 2000):
    """Every public comment of the consultation, streamed in id order."""
    last_id = 0
    while True:
        rows = db.session.execute(
            public_comment_query([consultation.id]).where(Comment.id > last_id).order_by(Comment.id).limit(batch)
        ).all()
        if not rows:
            return
        for row in rows:
            yield Document("comment", row.id, row.consultation_id, searchable_text(row))
        last_id = rows[-1].id


def count_comment_documents(consultation: Consultation) -> int:
    from sqlalchemy import func

    return db.session.scalar(select(func.count()).select_from(public_comment_query([consultation.id]).subquery()))


def published_consultation_ids() -> list[int]:
    return list(db.session.scalars(select(Consultation.id).where(Consultation.published_at.is_not(None))))


def current_draft_ids() -> dict[int, int]:
    """consultation id → id of its current (highest version) draft."""
    rows = db.session.execute(select(Draft.consultation_id, Draft.id).order_by(Draft.version))
    return {consultation_id: draft_id for consultation_id, draft_id in rows}


def searchable_text(comment) -> str:
    """What search finds a public comment by: its text, the wording it proposes (建议修改为) and the organisation on
    whose behalf it was made (以单位名义)."""
    if not (comment.proposal or comment.organisation):
        return comment.body
    return "\n".join(part for part in (comment.body, comment.proposal, comment.organisation) if part)
