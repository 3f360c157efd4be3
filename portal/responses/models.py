"""The office's response to one comment: 采纳, 部分采纳, 不采纳 or 情况说明, with a reason.

Drafted while the consultation is open, published after it closes (``published_at``). One response per
comment; a bulk action writes the same response to many comments (and a form-letter group can reuse it).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.time import UTCDateTime, now
from portal.extensions import db

OUTCOMES = ("adopted", "partly_adopted", "not_adopted", "explained")


class Response(db.Model):
    __tablename__ = "responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), unique=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    # The office's public wording of the opinion, shown instead of its text when comments are private.
    paraphrase: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    comment: Mapped["Comment"] = relationship()  # noqa: F821
    author: Mapped["User | None"] = relationship()  # noqa: F821

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def as_audit(self) -> dict:
        return {"outcome": self.outcome, "reason": self.reason, "paraphrase": self.paraphrase}


class UnitAdvice(db.Model):
    """A responsible unit's advice (处理建议) on how the office should answer one comment: sent from the link in
    the comment's mail to that unit (portal/responses/advice.py), shown to the office beside the comment. One
    per comment and address: sent again, it replaces the earlier one."""

    __tablename__ = "unit_advice"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    recipient: Mapped[str] = mapped_column(String(200))  # the address the comment's mail was sent to
    unit_names: Mapped[list] = mapped_column(JSON, default=list)  # the units that address stands for
    outcome: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    author_name: Mapped[str] = mapped_column(String(100), default="")  # who at the unit (经办人)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    __table_args__ = (
        UniqueConstraint("comment_id", "recipient", name="uq_unit_advice_comment_id"),
        # a consultation's advice, by comment: the office's units table (advice.advice_by_unit) and the digests'
        # column (digests/services.py, in comment order), which read it by consultation_id (migration 0064)
        Index("ix_unit_advice_consultation_comment", "consultation_id", "comment_id"),
    )


class AdviceLinkRenewal(db.Model):
    """A unit's address whose links (advice and list) for a consultation were renewed (更换链接,
    portal/responses/advice.py): one was forwarded to someone who should not have it. Each link carries the
    ``generation`` it was made in (none: 0); renewing counts it up, and the links of earlier generations are refused."""

    __tablename__ = "advice_link_renewals"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    recipient: Mapped[str] = mapped_column(String(200))  # lower case
    generation: Mapped[int] = mapped_column(default=1)
    renewed_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the last renewal

    __table_args__ = (UniqueConstraint("consultation_id", "recipient", name="uq_advice_link_renewals_recipient"),)
