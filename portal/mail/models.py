"""The outbox (one row per message to one recipient) and commenters' addresses (double opt-in, unsubscribe)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.time import UTCDateTime, now
from portal.extensions import db

STATUSES = ("pending", "sending", "sent", "failed")
# Mail to a commenter (carries an unsubscribe link) and mail to staff (contact, responsible units).
COMMENTER_KINDS = ("confirm", "receipt", "response", "reply", "new_consultation", "followed", "quote_changed",
                   "issued", "next_round")
# the same as SQL, word for word in ix_outbox_recipient (migration 0018) and the queries that use it
COMMENTER_MESSAGES = "kind IN ({})".format(", ".join(f"'{kind}'" for kind in COMMENTER_KINDS))
STAFF_KINDS = ("comment", "digest", "closed", "withdrawn", "advice_reminder", "feedback_due", "publication_review")


class OutboxMessage(db.Model):
    """One message to one recipient. Written by the request; sent later by ``flask mail deliver``."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
        # a commenter's messages by address (the day's confirmation request, unsubscribing): staff mails, most
        # of the outbox, are left out, so that a submission writes fewer index entries (issue 9); a query
        # must name COMMENTER_MESSAGES itself for SQLite to use it
        Index("ix_outbox_recipient", "recipient", sqlite_where=text(COMMENTER_MESSAGES),
              postgresql_where=text(COMMENTER_MESSAGES)),
        Index("uq_outbox_dedup_key", "dedup_key", unique=True, sqlite_where=text("dedup_key IS NOT NULL"),
              postgresql_where=text("dedup_key IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(200))
    # Written by the worker when it renders the message (portal/mail/rendering.py) from ``template`` and
    # ``context`` (ids and names, JSON); empty until then. Digests are written rendered.
    subject: Mapped[str | None] = mapped_column(String(500))
    body_text: Mapped[str | None] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    template: Mapped[str | None] = mapped_column(String(30))
    context: Mapped[dict | None] = mapped_column(JSON)
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    language: Mapped[str] = mapped_column(String(10), default="zh_CN")
    # Set where a message must never be queued twice (a receipt per comment, a digest per period); unique
    # among the rows that have one (uq_outbox_dedup_key: the others, most of the outbox, have no entry)
    dedup_key: Mapped[str | None] = mapped_column(String(200))
    # no index: nothing looks messages up by consultation (issue 9: one index write fewer per message)
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultations.id", ondelete="SET NULL"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="SET NULL"), index=True)

    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    comment: Mapped["Comment | None"] = relationship()  # noqa: F821

    @property
    def is_erased(self) -> bool:
        """Its recipient and content were erased after the retention period (portal/mail/retention.py)."""
        return self.recipient == ""

    @property
    def withdrawn_content(self) -> bool:
        """It carried a comment its author has withdrawn since: its content was erased then (the notice telling
        its recipient so is not such a mail)."""
        return self.kind != "withdrawn" and self.comment is not None and self.comment.status == "withdrawn"

    @property
    def may_resend(self) -> bool:
        return self.status in ("sent", "failed") and not self.is_erased and not self.withdrawn_content

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.recipient} {self.status}>"


class CommenterAddress(db.Model):
    """An e-mail address a commenter left: confirmed (double opt-in) before anything but the request is sent.

    Not unique on purpose: two comments with a new address at the same moment may each add a row; every
    change applies to all rows of the address, and any confirmed row counts.
    """

    __tablename__ = "commenter_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), index=True)  # lower case
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
