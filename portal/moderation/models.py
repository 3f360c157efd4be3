"""Moderation tables: the sensitive-word list, citizen reports, and form-letter fingerprints."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.time import UTCDateTime, now
from portal.extensions import db

HIDE_REASONS = ("abuse", "privacy", "illegal", "off_topic", "duplicate", "impersonation", "other")
REPORT_REASONS = ("abuse", "privacy", "illegal", "spam", "off_topic", "impersonation", "other")
FLAGS = ("sensitive", "link", "repeated", "burst", "reported")
MODES = ("pre", "post")


class SensitiveWord(db.Model):
    """One entry of the sensitive-word list (敏感词): a match flags a comment, it never deletes one."""

    __tablename__ = "sensitive_words"

    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class CommentReport(db.Model):
    """A citizen's report (举报) of a published comment; it puts the comment back in the queue."""

    __tablename__ = "comment_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    client_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    comment: Mapped["Comment"] = relationship()  # noqa: F821


class CommentFingerprint(db.Model):
    """A comment's MinHash signature (see portal/moderation/form_letters.py)."""

    __tablename__ = "comment_fingerprints"

    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    signature: Mapped[list] = mapped_column(JSON)


class FormLetterBand(db.Model):
    """One LSH band key of a comment: comments sharing a key are compared as possible copies."""

    __tablename__ = "form_letter_bands"
    __table_args__ = (Index("ix_form_letter_bands_lookup", "consultation_id", "band_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    band_key: Mapped[str] = mapped_column(String(24))
