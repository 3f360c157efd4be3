"""Meetings of a consultation (座谈会、听证会、论证会) and the public's sign-ups for them.

Besides written comments, a drafting office hears the public at meetings (《重大行政决策程序暂行条例》: 座谈会、听证会
…). The office announces each one with its consultation (time, place, how many places are open to the public and
until when one may sign up); citizens sign up on its page (报名); the office chooses who attends and tells them, and
after the meeting publishes what was said (会议情况). Opinions voiced there are recorded as comments received
"at a meeting" (channel ``meeting``).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.time import UTCDateTime, now
from portal.extensions import db

MEETING_KINDS = ("symposium", "hearing", "panel")  # 座谈会, 听证会, 论证会 (portal/meetings/labels.py)
MEETING_STATUSES = ("scheduled", "cancelled")
# waiting: on the waiting list (候补) of a first-come meeting whose places are taken, given one when one is freed
REGISTRATION_STATUSES = ("applied", "accepted", "declined", "withdrawn", "waiting")
# a registration still standing: one a telephone number and meeting (uq_meeting_registrations_phone)
STANDING = "status != 'withdrawn'"


class Meeting(db.Model):
    """One meeting the drafting office holds to hear the public on a consultation. Public once the consultation is;
    a change renews the consultation's content token (triggers, migration 0041), as its pages show it."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="symposium")
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(300))
    # who is invited, what will be discussed, how participants are chosen: the office's words
    description: Mapped[str | None] = mapped_column(Text)
    # places for members of the public who sign up; None: by invitation only (no sign-up)
    seats: Mapped[int | None] = mapped_column()
    signup_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: until the meeting starts
    # 先报先得: each sign-up is given a place at once until the places are taken, then the next ones (as many again as
    # there are places) go on the waiting list (候补), given a place in turn as places are freed, then sign-up stops
    # ("full"); else (default) more may sign up than there are places, and the office chooses
    first_come: Mapped[bool] = mapped_column(default=False, server_default=false())
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # what was said at the meeting, as the office publishes it afterwards (会议情况)
    minutes: Mapped[str | None] = mapped_column(Text)
    minutes_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    consultation: Mapped["Consultation"] = relationship(back_populates="meetings")  # noqa: F821
    registrations: Mapped[list["MeetingRegistration"]] = relationship(
        back_populates="meeting", order_by="MeetingRegistration.id", cascade="all, delete-orphan",
        passive_deletes=True)

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"

    def signup_state(self, at: datetime | None = None) -> str:
        """Whether the public may sign up now: ``cancelled``, ``started`` (the meeting has begun or is over),
        ``invitation`` (no public places), ``closed`` (past the sign-up deadline, or the consultation is no longer
        open), ``waiting`` (first come, first served, every place given: a sign-up goes on the waiting list), ``full``
        (and the waiting list too) or ``open``."""
        at = at or now()
        if self.is_cancelled:
            return "cancelled"
        if self.consultation.state(at) not in ("open", "upcoming"):  # closed, or taken back before it opened
            return "closed" if at < self.starts_at else "started"
        if at >= self.starts_at:
            return "started"
        if self.seats is None:
            return "invitation"
        if self.signup_until is not None and at > self.signup_until:
            return "closed"
        if self.first_come and self.places_left() == 0:
            return "waiting" if len(self.waiting_list()) < self.seats else "full"
        return "open"

    def places_left(self) -> int | None:
        """The places not yet given (first come, first served), or None without public places."""
        if self.seats is None:
            return None
        return max(self.seats - sum(1 for r in self.registrations if r.status == "accepted"), 0)

    def waiting_list(self) -> list["MeetingRegistration"]:
        """Those on the waiting list (候补), in the order they signed up: the first is given the next place freed."""
        return [r for r in self.registrations if r.status == "waiting"]

    def waiting_positions(self) -> dict[int, int]:
        """Each waiting sign-up's id → where it stands on the waiting list (1: next to be given a place)."""
        return {r.id: n for n, r in enumerate(self.waiting_list(), start=1)}

    def __repr__(self) -> str:
        return f"<Meeting {self.id} {self.kind} {self.title[:20]!r}>"


class MeetingRegistration(db.Model):
    """A member of the public's sign-up for a meeting (报名), with how to reach them. The registrant follows it on a
    page of its own, reached by a secret link (its hash is kept), and may withdraw it there."""

    __tablename__ = "meeting_registrations"
    __table_args__ = (
        Index("uq_meeting_registrations_phone", "meeting_id", "phone_key", unique=True,
              sqlite_where=text(STANDING), postgresql_where=text(STANDING)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(50))
    phone_key: Mapped[str] = mapped_column(String(50))  # the telephone number's digits: one sign-up each
    email: Mapped[str | None] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(200))
    statement: Mapped[str | None] = mapped_column(Text)  # what they wish to say, or why they wish to attend
    language: Mapped[str] = mapped_column(String(10), default="zh_CN")  # of their mails
    status: Mapped[str] = mapped_column(String(20), default="applied")
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the secret in their link
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the contact details were erased after the retention period (portal/comments/retention.py)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting: Mapped[Meeting] = relationship(back_populates="registrations")

    @property
    def number(self) -> str:
        """The number the registrant and the office quote: the meeting's and the sign-up's."""
        return f"{self.meeting_id}-{self.id:04d}"

    @property
    def waiting_position(self) -> int | None:
        """Where this sign-up stands on the waiting list (1: next to be given a place), or None when not on it."""
        return self.meeting.waiting_positions().get(self.id) if self.status == "waiting" else None

    def __repr__(self) -> str:
        return f"<MeetingRegistration {self.number} {self.status}>"
