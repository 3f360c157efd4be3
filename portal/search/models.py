"""The search queue (written in the same transaction as a change) and PostgreSQL's search documents."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.time import UTCDateTime, now
from portal.extensions import db

# kinds of queue rows: what the worker re-reads from the database and writes to the index
COMMENT = "comment"  # target: a comment id (indexed if public, else removed)
SECTIONS = "sections"  # target: a consultation id (its current draft's sections and its explanatory note)
CONSULTATION = "consultation"  # target: a consultation id (its sections and all its comments)
KINDS = (COMMENT, SECTIONS, CONSULTATION)


class SearchQueueItem(db.Model):
    """Something to index, written with the change; claimed by one worker, deleted when indexed."""

    __tablename__ = "search_queue"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column(Integer)
    consultation_id: Mapped[int | None] = mapped_column(Integer)  # kept: the comment may be gone by then
    enqueued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    claimed_by: Mapped[str | None] = mapped_column(String(40), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SearchDocument(db.Model):
    """A searchable section or public comment on PostgreSQL: its bigram tokens as a ``tsvector``.

    The table exists on SQLite too (it stays empty there: the embedded backend is Whoosh).
    """

    __tablename__ = "search_documents"
    __table_args__ = (
        UniqueConstraint("kind", "target_id"),
        Index("ix_search_documents_tokens", "tokens", postgresql_using="gin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # section, note (an explanatory note) or comment
    target_id: Mapped[int] = mapped_column(Integer)
    consultation_id: Mapped[int] = mapped_column(Integer, index=True)
    tokens: Mapped[str] = mapped_column(TSVECTOR().with_variant(Text(), "sqlite"))
