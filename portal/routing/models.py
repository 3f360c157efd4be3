"""Per-consultation routing settings, and the digest periods already queued (so none is queued twice)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.time import UTCDateTime, now
from portal.extensions import db

MODES = ("per_comment", "digest", "both")
DIGEST_EVERY_HOURS = (1, 2, 3, 4, 6, 8, 12, 24)
DEFAULT_DIGEST_HOUR = 8  # 08:00 Asia/Shanghai
DEFAULT_DIGEST_EVERY = 24


class RoutingSettings(db.Model):
    """How a consultation's comments reach their recipients. No row means: a message per comment."""

    __tablename__ = "routing_settings"

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True
    )
    mode: Mapped[str] = mapped_column(String(20), default="per_comment")
    digest_every_hours: Mapped[int] = mapped_column(default=DEFAULT_DIGEST_EVERY)
    digest_hour: Mapped[int] = mapped_column(default=DEFAULT_DIGEST_HOUR)  # hour of day, Asia/Shanghai
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    consultation: Mapped["Consultation"] = relationship()  # noqa: F821

    @property
    def per_comment(self) -> bool:
        return self.mode in ("per_comment", "both")

    @property
    def digest(self) -> bool:
        return self.mode in ("digest", "both")


class DigestMailing(db.Model):
    """One digest period mailed to one recipient of a consultation (the contact or a unit)."""

    __tablename__ = "digest_mailings"
    __table_args__ = (UniqueConstraint("consultation_id", "recipient_key", "period_end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    recipient_key: Mapped[str] = mapped_column(String(50))  # "contact" or "unit:<id>"
    period_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    period_end: Mapped[datetime] = mapped_column(UTCDateTime)
    comment_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class RoutingQueueItem(db.Model):
    """A stored comment whose mails are not yet planned: written by the submission, in its transaction; the mail
    worker (``flask mail deliver``) reads who receives it, writes its outbox rows and deletes this row, in one
    transaction (portal/routing/queue.py). A submission writes one small row instead of an outbox row for each
    recipient (issue 9: the mail plan and its ~4.7 rows were a quarter of a submission's work).

    No foreign key: a comment erased before it is routed is skipped (and its row deleted) by the worker.

    A comment whose routing fails (a fault in its data or the code) keeps its row with the attempts counted, the
    error and when to try again (back-off); after PORTAL_ROUTING_MAX_ATTEMPTS it is marked failed (``failed_at``)
    and waits for an administrator's retry (/admin/status, ``flask mail retry-routing``). The comment itself is
    stored and shown as any other: only its mails wait. Migration 0058."""

    __tablename__ = "routing_queue"

    comment_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    # the site address the commenter used (links in the mails, unless PORTAL_BASE_URL is set)
    base_url: Mapped[str | None] = mapped_column(String(200))
    # no Python-side defaults: the submission's statement writes the two columns above only
    attempts: Mapped[int] = mapped_column(server_default=text("0"))  # routings that failed
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: due now
    last_error: Mapped[str | None] = mapped_column(Text)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # given up: retried by an administrator only
