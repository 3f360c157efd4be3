"""What the office keeps besides its consultations: the mailbox the portal reads a consultation's e-mailed opinions from
(portal/office/mailbox.py)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.time import UTCDateTime, now
from portal.extensions import db

SECURITIES = ("ssl", "starttls", "none")  # IMAPS (993), STARTTLS (143), none: a server on this machine only


class ConsultationMailbox(db.Model):
    """The IMAP mailbox the notice's e-mail address delivers to (收取邮箱): the portal reads its new messages on the
    clock and records each as an opinion received by e-mail, as an upload of the messages would. The password is
    sealed (portal/core/sealing.py); the messages are read, never marked, moved or deleted."""

    __tablename__ = "consultation_mailboxes"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), unique=True)
    host: Mapped[str] = mapped_column(String(200))
    port: Mapped[int] = mapped_column()
    security: Mapped[str] = mapped_column(String(10), default="ssl")
    username: Mapped[str] = mapped_column(String(200))
    sealed_password: Mapped[str] = mapped_column(Text)
    folder: Mapped[str] = mapped_column(String(200), default="INBOX")
    # the messages read so far: the folder's UIDVALIDITY and the highest UID read (a new UIDVALIDITY: read again,
    # each message still recorded once by its Message-ID)
    uid_validity: Mapped[int | None] = mapped_column(BigInteger)  # IMAP's are unsigned 32-bit numbers
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    last_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)  # why the last reading failed; None when it worked
    last_counts: Mapped[dict | None] = mapped_column(JSON)  # what the last reading recorded
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    consultation: Mapped["Consultation"] = relationship()  # noqa: F821


# superseded: published directly once its unit no longer asked for review
REQUEST_STATES = ("pending", "approved", "returned", "cancelled", "superseded")


class PublicationRequest(db.Model):
    """审核发布: where a second person must approve each publication (the unit's choice, else
    PORTAL_PUBLICATION_REVIEW), the period and visibility one staff member set, waiting for a colleague of the unit
    (or an administrator) to approve it — the consultation is then published as asked — or return it with a note.
    One pending a consultation."""

    __tablename__ = "publication_requests"
    __table_args__ = (
        Index("uq_publication_requests_pending", "consultation_id", unique=True,
              sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_by_label: Mapped[str] = mapped_column(String(200))
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: open once approved
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    comment_visibility: Mapped[str] = mapped_column(String(20))
    short_reason: Mapped[str | None] = mapped_column(Text)  # given for a period shorter than 30 days
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_by_label: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)  # why it was returned

    consultation: Mapped["Consultation"] = relationship()  # noqa: F821
