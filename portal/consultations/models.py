"""A consultation: one call for comments on one draft, with its period and contact."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, and_, or_, select, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.time import UTCDateTime, local, now
from portal.extensions import db

VISIBILITIES = ("public", "private")


class ConsultationState:
    """State that follows the clock, from ``published_at``, ``opens_at`` and ``deadline``: for the model
    and for ``ConsultationFacts`` (the few columns a comment submission reads). Uses ``published_at``,
    ``opens_at``, ``deadline`` and ``comment_visibility``."""

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def state(self, at: datetime | None = None) -> str:
        """unpublished, upcoming, open or closed: follows the clock, no cron needed."""
        at = at or now()
        if self.published_at is None:
            return "unpublished"
        if self.opens_at is not None and at < self.opens_at:
            return "upcoming"
        # to the second: a deadline is a second (23:59:59), open throughout (the clock has microseconds)
        if self.deadline is not None and at.replace(microsecond=0) > self.deadline:
            return "closed"
        return "open"

    def days_left(self, at: datetime | None = None) -> int | None:
        """While open: the calendar days (Asia/Shanghai) from today to the deadline's day, 0 on the last day;
        else None."""
        at = at or now()
        if self.deadline is None or self.state(at) != "open":
            return None
        return (local(self.deadline).date() - local(at).date()).days

    @property
    def is_open(self) -> bool:
        return self.state() == "open"

    @property
    def is_closed(self) -> bool:
        return self.state() == "closed"

    @property
    def comments_public(self) -> bool:
        return self.comment_visibility == "public"


@dataclass
class ConsultationFacts(ConsultationState):
    """What a comment submission needs of its consultation, read with one Core statement (issue 9)."""

    id: int
    published_at: datetime | None
    opens_at: datetime | None
    deadline: datetime | None
    comment_visibility: str
    moderation_mode: str
    content_token: str | None = None
    # read with the consultation in the same statement (portal/consultations/services.py: consultation_facts)
    words_token: str | None = None
    recent_from_sender: int | None = None  # the sender's comments in the burst window, counted up to a limit
    sent_in_windows: tuple = ()  # the sender's comments in each rate-limit window (portal/comments/views.py)
    current_draft_id: int | None = None
    next_comment_id: int | None = None  # PostgreSQL: drawn from the sequence for the comment about to be stored


class Consultation(ConsultationState, db.Model):
    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    is_draft_for_comment: Mapped[bool] = mapped_column(default=False)
    issuer: Mapped[str | None] = mapped_column(String(200))
    notice_date: Mapped[date | None]
    addressee: Mapped[str | None] = mapped_column(String(500))
    notice_text: Mapped[str] = mapped_column(Text, default="")
    # 起草说明: the office's explanation published beside the draft (portal/office: set_explanatory_note)
    explanatory_note: Mapped[str | None] = mapped_column(Text)
    explanatory_note_filename: Mapped[str | None] = mapped_column(String(200))  # the file it came from, if any
    # 术语解释: the terms the draft uses, each explained in plain words by the office, as [{"term", "explanation"}]
    # in the office's order (portal/consultations/terms.py); None or []: none
    terms: Mapped[list | None] = mapped_column(JSON)
    # 重点问题: what the office most wants to hear about, as a list of strings in its order (comments refer to them by
    # number: portal/consultations/questions.py); None or []: none
    questions: Mapped[list | None] = mapped_column(JSON)
    # the choices offered with each key question (选择题), aligned with ``questions``: a list of strings, or None for a
    # question answered in words only; None: no question offers choices (portal/consultations/choices.py)
    question_choices: Mapped[list | None] = mapped_column(JSON)
    # the numbers of the questions (1 for the first) whose choices a reader may tick several of (可多选); None: none.
    # Such a question's answer is stored as one row whose ``choice`` holds the choices ticked as bits (choices.py)
    multiple_choice_questions: Mapped[list | None] = mapped_column(JSON)

    contact_office: Mapped[str | None] = mapped_column(String(200))
    contact_person: Mapped[str | None] = mapped_column(String(100))
    contact_phones: Mapped[list] = mapped_column(JSON, default=list)
    contact_emails: Mapped[list] = mapped_column(JSON, default=list)
    contact_address: Mapped[str | None] = mapped_column(String(500))

    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closing_summary: Mapped[str | None] = mapped_column(Text)
    comment_visibility: Mapped[str] = mapped_column(String(20), default="public")
    # pre: comments wait for a moderator (default); post: published at once, reviewed after
    moderation_mode: Mapped[str] = mapped_column(String(10), default="pre", server_default="pre")
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # A new random value whenever what the public sees of this consultation's comments may have changed:
    # set by database triggers on the comments table (migration 0009), so that
    # no write path can forget it. Pages cache what they render from comments under this value.
    comments_token: Mapped[str] = mapped_column(String(32), default=lambda: uuid.uuid4().hex, server_default="")
    # Likewise for everything else its public pages show: the consultation's own columns, its drafts,
    # sections, tables, deadline extensions and routing settings (triggers of migration 0010).
    content_token: Mapped[str] = mapped_column(String(32), default=lambda: uuid.uuid4().hex, server_default="")
    # How many times the form-letter grouping (portal/moderation/grouping.py) has put a comment of this consultation in
    # a group: one atomic ``+ 1`` in the transaction of the grouping, so two groupers never lose one and no host's
    # clock matters. Part of the feedback report's key (portal/reports/services.py: grouping_state). Its change renews
    # no token (migration 0063): the public pages do not show the grouping.
    grouping_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # When the office last published, replaced or took away the policy as finally issued (正式文件, FinalDocument):
    # its pages say so, and the change of this column renews the content token they are kept under.
    final_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # 再次征求意见: the earlier consultation on the same policy this one follows (its next round); no foreign key
    # (migration 0050), consultations are never deleted
    previous_round_id: Mapped[int | None] = mapped_column(index=True)

    drafts: Mapped[list["Draft"]] = relationship(  # noqa: F821
        back_populates="consultation", order_by="Draft.version", cascade="all, delete-orphan"
    )
    extensions: Mapped[list["DeadlineExtension"]] = relationship(
        back_populates="consultation", order_by="DeadlineExtension.at", cascade="all, delete-orphan"
    )
    # the files published beside the draft, without their content (deferred)
    files: Mapped[list["ConsultationFile"]] = relationship(
        order_by="ConsultationFile.position", cascade="all, delete-orphan", passive_deletes=True
    )
    # the policy as finally issued (正式文件), read only where ``final_published_at`` says there is one
    final_document: Mapped["FinalDocument | None"] = relationship(
        uselist=False, cascade="all, delete-orphan", passive_deletes=True
    )

    # the meetings held to hear the public (座谈会、听证会: portal/meetings), in the order they are held
    meetings: Mapped[list["Meeting"]] = relationship(  # noqa: F821
        back_populates="consultation", order_by="Meeting.starts_at", cascade="all, delete-orphan",
        passive_deletes=True
    )

    previous_round: Mapped["Consultation | None"] = relationship(
        primaryjoin="foreign(Consultation.previous_round_id) == remote(Consultation.id)", viewonly=True)

    @property
    def issued_policy(self) -> "FinalDocument | None":
        """The policy as issued (正式文件) when the office has published it, else None; no query for a consultation
        without one (``final_published_at`` says whether there is one)."""
        return self.final_document if self.final_published_at else None

    @property
    def current_draft(self) -> "Draft | None":  # noqa: F821
        return self.drafts[-1] if self.drafts else None

    def multiple_choice(self, number: int) -> bool:
        """Whether key question ``number`` (1 for the first) lets a reader tick several of its choices (可多选)."""
        return number in (self.multiple_choice_questions or [])

    def current_section(self, anchor: str) -> "Section | None":  # noqa: F821
        """The current draft's section with this anchor (found among its sections, loaded at once), or None."""
        draft = self.current_draft
        return next((s for s in draft.sections if s.anchor == anchor), None) if draft is not None else None

    @property
    def latest_extension(self) -> "DeadlineExtension | None":
        return self.extensions[-1] if self.extensions else None

    def __repr__(self) -> str:
        return f"<Consultation {self.id} {self.title[:20]!r}>"


def closed_consultation(at: datetime | None = None):
    """SQL: the consultation is closed at ``at`` (now), as ``Consultation.state`` says (to the second)."""
    at = (at or now()).replace(microsecond=0)
    return and_(Consultation.published_at.is_not(None),
                or_(Consultation.opens_at.is_(None), Consultation.opens_at <= at),
                Consultation.deadline.is_not(None), Consultation.deadline < at)


def published_consultations():
    return select(Consultation).where(Consultation.published_at.is_not(None))


def public_consultation(consultation_id: int) -> Consultation | None:
    """The consultation, if it is published (what the public pages, the search and the API may show); else None."""
    consultation = db.session.get(Consultation, consultation_id)
    return consultation if consultation is not None and consultation.is_published else None


class DeadlineExtension(db.Model):
    """A recorded move of the deadline (延长): who, when, from what to what, and why."""

    __tablename__ = "deadline_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    old_deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    new_deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)

    consultation: Mapped[Consultation] = relationship(back_populates="extensions")


class ConsultationFile(db.Model):
    """A file the drafting office publishes beside the draft (相关文件: a table of changes, a map, a form to fill in),
    kept in the database so that every host serves it. Public once the consultation is; a change renews the
    consultation's content token (trigger, migration 0023)."""

    __tablename__ = "consultation_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))  # what the page calls it: 附件2：修订对照表
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))  # found from the content (portal/comments/attachments.py)
    size: Mapped[int] = mapped_column()
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class ChoiceAnswer(db.Model):
    """A reader's choice among those a key question offers (表态: 选择题), made on the consultation's page without
    writing a comment: the question's and the choice's numbers (1 for the first), counted by the office and, once
    the consultation has closed, on its statistics page and feedback report. Anonymous; the keyed hash of the
    sender's network address is kept, as a comment's, for the rate limit, and erased with the commenters' contacts."""

    __tablename__ = "choice_answers"
    __table_args__ = (
        Index("ix_choice_answers_consultation_id_question", "consultation_id", "question"),
        # a browser answers a question once, also when it sends its choices twice at one moment (migration 0056)
        Index("uq_choice_answers_voter", "consultation_id", "question", "voter_key", unique=True,
              sqlite_where=text("voter_key IS NOT NULL"), postgresql_where=text("voter_key IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    question: Mapped[int] = mapped_column()
    choice: Mapped[int] = mapped_column()
    client_hash: Mapped[str | None] = mapped_column(String(64))
    # a keyed hash standing for the browser (its session), as an agreement's voter: nothing personal
    voter_key: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class FinalDocument(db.Model):
    """The policy as finally issued after the consultation (正式印发的文件), published by the drafting office once the
    consultation has closed: its title, document number (文号) and date of issue, the office's note on what the
    consultation changed, and its text read as the draft's is, its sections kept to compare with the draft consulted
    on (portal/consultations/final_document.py). One a consultation."""

    __tablename__ = "final_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    document_number: Mapped[str | None] = mapped_column(String(100))  # 文号: 宿民发〔2023〕12号
    issued_on: Mapped[date] = mapped_column()
    note: Mapped[str | None] = mapped_column(Text)  # what the consultation changed, in the office's words
    filename: Mapped[str | None] = mapped_column(String(200))
    source_text: Mapped[str] = mapped_column(Text, deferred=True)
    # the sections in document order: {"path": [labels from the top], "label", "heading", "text", "level"}
    sections: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    @property
    def parts(self) -> list[dict]:
        """The sections to show, each with ``continues_heading``: its text reads on from its heading mid-sentence
        ("……补贴力度" + "，特别是……"), to be shown after it, never from a bare comma."""
        from portal.drafts.models import reads_on

        return [{**part, "continues_heading": reads_on(part.get("heading") or "", part.get("text") or "")}
                for part in self.sections or []]
