"""A comment: what a citizen submits on a section or on the whole draft; replies form threads."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, and_, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.time import UTCDateTime, now
from portal.extensions import db

STANCES = ("support", "oppose", "suggest")
STATUSES = ("pending", "approved", "hidden", "spam")
# How an opinion reached the office: through the portal, or by one of the ways a notice also offers ("通过电子邮件、
# 信函、传真……"), recorded by the office (portal/office: record_comment) so that the count, the digest and the
# responses cover every opinion received
CHANNELS = ("web", "email", "letter", "fax", "phone", "in_person", "meeting")  # meeting: 座谈会、听证会 (portal/meetings)
OFFLINE_CHANNELS = CHANNELS[1:]


# Statuses of comments that do not count as received: spam, and what its author withdrew. Every count, digest,
# summary and response list of the comments received uses ``comment_received()``.
NOT_RECEIVED = ("spam", "withdrawn")
# Not shown, but keeping their place in a thread under a notice when they have public replies.
WITHHELD = ("hidden", "spam", "withdrawn")


def comment_received(consultation_id: int | None = None):
    """The condition of a comment counted as received (on the Comment entity); of that consultation's, if named."""
    received = Comment.status.not_in(NOT_RECEIVED)
    return received if consultation_id is None else and_(Comment.consultation_id == consultation_id, received)


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (
        # (consultation_id, status) queries use ix_comments_section_counts, whose first columns they are
        # a page of a section's threads, in order, and their count; the public counts per section
        # (issue 9: a consultation with 10,000 comments)
        Index("ix_comments_threads", "consultation_id", "section_id", "parent_id", "created_at", "status"),
        Index("ix_comments_section_counts", "consultation_id", "status", "section_id"),
        # the burst sign and the comment rate limit: recent comments from one sender (and any query on
        # client_hash alone)
        Index("ix_comments_client_hash_created_at", "client_hash", "created_at"),
        # comments not yet compared with earlier ones for form letters (the grouping worker's queue)
        Index("ix_comments_ungrouped", "id", sqlite_where=text("grouped_at IS NULL"),
              postgresql_where=text("grouped_at IS NULL")),
        # replies and form-letter members only: a new top-level comment, not yet grouped, adds no entry to
        # them (issue 9). A query naming parent_id = … or IN (…) implies IS NOT NULL, on both engines.
        Index("ix_comments_parent_id", "parent_id", sqlite_where=text("parent_id IS NOT NULL"),
              postgresql_where=text("parent_id IS NOT NULL")),
        Index("ix_comments_form_letter_id", "form_letter_id", sqlite_where=text("form_letter_id IS NOT NULL"),
              postgresql_where=text("form_letter_id IS NOT NULL")),
        # a signed-in citizen's comments ("my comments"); most comments have no account: no entry for them
        Index("ix_comments_citizen_id", "citizen_id", sqlite_where=text("citizen_id IS NOT NULL"),
              postgresql_where=text("citizen_id IS NOT NULL")),
        # the comments that quote the draft (portal/comments/quotes.py): few, whatever the consultation's size
        Index("ix_comments_quoted", "consultation_id", "status", sqlite_where=text("quote IS NOT NULL"),
              postgresql_where=text("quote IS NOT NULL")),
        # the comments naming a key question (重点问题): each question's count without reading every comment's row
        # (the answering page, the statistics page: migration 0059)
        Index("ix_comments_questions", "consultation_id", "status", "question",
              sqlite_where=text("question IS NOT NULL"), postgresql_where=text("question IS NOT NULL")),
        # a form sent twice (a retry after a lost answer, a press after the page's guard): its one-use key finds the
        # comment the first sending stored (portal/comments/services.py: SubmissionRepeated)
        Index("ix_comments_submission_key", "submission_key", unique=True,
              sqlite_where=text("submission_key IS NOT NULL"), postgresql_where=text("submission_key IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id", ondelete="SET NULL"))
    section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id", ondelete="SET NULL"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    # The section the comment was written on, kept when a revision moves section_id to the matched section.
    original_section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id", ondelete="SET NULL"))
    receipt_number: Mapped[str] = mapped_column(String(32), unique=True)
    body: Mapped[str] = mapped_column(Text)
    stance: Mapped[str] = mapped_column(String(10), default="suggest")
    author_name: Mapped[str | None] = mapped_column(String(100))
    author_contact: Mapped[str | None] = mapped_column(String(200))  # never shown publicly
    language: Mapped[str] = mapped_column(String(10), default="zh_CN")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Moderation (portal/moderation): a version for optimistic concurrency, the reason a comment is
    # hidden, automatic flags (",link,sensitive,"), a keyed hash of the sender's address (never the
    # address itself), the form letter it belongs to (id of the group's first comment), and when it was
    # (re)queued for review (post-moderation, citizen reports).
    moderation_version: Mapped[int] = mapped_column(default=0, server_default="0")
    hidden_reason: Mapped[str | None] = mapped_column(String(30))
    hidden_note: Mapped[str | None] = mapped_column(Text)
    flags: Mapped[str] = mapped_column(String(200), default="", server_default="")
    client_hash: Mapped[str | None] = mapped_column(String(64))
    # Who made it, as a number within its consultation, written when its contact is erased (comments/retention.py):
    # the closing summary's "N人提出" counts the same people afterwards (migration 0053); nothing personal
    commenter_no: Mapped[int | None] = mapped_column()
    form_letter_id: Mapped[int | None] = mapped_column()
    review_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the form-letter grouping (portal/moderation/grouping.py, after the commit) looked at it.
    grouped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The citizen's account (portal/citizens) when they were signed in, or signed in later with the e-mail
    # address left in author_contact; never shown publicly. No foreign key (migration 0015): deleting an
    # account clears it on the account's comments, which stay.
    citizen_id: Mapped[int | None] = mapped_column()
    channel: Mapped[str] = mapped_column(String(10), default="web", server_default="web")
    # The one-use key of the comment form it was sent with (a random value the form carries, migration 0055): the same
    # form sent again stores nothing more and gets this comment's receipt. None: sent without one (API, office, CLI).
    submission_key: Mapped[str | None] = mapped_column(String(64))
    # Withdrawn (撤回) by its author before the deadline (portal/comments/withdrawal.py): status "withdrawn", its
    # text, name, contact and files erased; the row stays for its receipt number and its replies.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The words of the draft the comment is about (引用原文), as the commenter selected or pasted them: checked to be
    # in the section commented on (or the draft, for a comment on the whole draft) when it was written, kept as
    # they were then (portal/comments/quotes.py). None: the comment quotes nothing.
    quote: Mapped[str | None] = mapped_column(Text)
    # The wording the commenter proposes (建议修改为) instead of the quoted words, or to add when nothing is quoted
    # (portal/comments/proposals.py). None: no wording proposed.
    proposal: Mapped[str | None] = mapped_column(Text)
    # The organisation on whose behalf the comment is made (以单位名义: an enterprise, an association, a public body),
    # shown publicly with its kind (portal/comments/organisations.py); None: made by a person for themselves.
    organisation: Mapped[str | None] = mapped_column(String(100))
    organisation_kind: Mapped[str | None] = mapped_column(String(20))
    # the office's key question (重点问题) it answers: its number in the consultation's ``questions`` (1 for the first);
    # None: none chosen
    question: Mapped[int | None] = mapped_column()
    # the meeting (座谈会、听证会: portal/meetings) an opinion typed in by the office was voiced at (channel "meeting");
    # a plain column, as citizen_id (no foreign key: adding one to this table on SQLite would rebuild it, dropping its
    # triggers; a meeting is never deleted but with its consultation, and its comments with it)
    meeting_id: Mapped[int | None] = mapped_column()
    # how many readers agree with it (赞同: portal/comments/agreements.py), one a browser or account; kept here so that a
    # page of threads reads no other table, changed by one UPDATE … + 1 so that two workers never lose one
    agreement_count: Mapped[int] = mapped_column(server_default="0")

    consultation: Mapped["Consultation"] = relationship()  # noqa: F821
    section: Mapped["Section | None"] = relationship(foreign_keys=[section_id])  # noqa: F821
    original_section: Mapped["Section | None"] = relationship(foreign_keys=[original_section_id])  # noqa: F821
    parent: Mapped["Comment | None"] = relationship(remote_side=[id], back_populates="replies")
    replies: Mapped[list["Comment"]] = relationship(back_populates="parent", order_by="Comment.created_at")

    @property
    def is_public(self) -> bool:
        return self.status == "approved"

    @property
    def shown_in_thread(self) -> bool:
        """Public, or withheld but with public replies: then a notice keeps its place in the thread."""
        return self.is_public or (self.status in WITHHELD and any(r.shown_in_thread for r in self.replies))

    @property
    def flag_list(self) -> list[str]:
        return [flag for flag in (self.flags or "").split(",") if flag]


class CommentAgreement(db.Model):
    """A reader's agreement with a public comment (赞同: "I think so too"), instead of writing the same opinion again:
    one a comment and reader — a browser (a random key its session holds) or a signed-in citizen's account —, kept as
    a keyed hash (``voter_hash``); the keyed hash of the network address as a comment's (the rate limit, spam signs),
    erased with the commenters' contacts (portal/comments/agreements.py)."""

    __tablename__ = "comment_agreements"
    __table_args__ = (UniqueConstraint("comment_id", "voter_hash", name="uq_comment_agreements_voter"),
                      Index("ix_comment_agreements_consultation_id", "consultation_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    voter_hash: Mapped[str] = mapped_column(String(64))
    client_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class CommentAttachment(db.Model):
    """A file sent with a comment (a letter as PDF, a photo of a handwritten page, a table): kept in the database,
    so that every host of a deployment serves it and a backup holds it. Never public: the drafting office,
    moderators and the responsible units (by mail) see it (portal/comments/attachments.py)."""

    __tablename__ = "comment_attachments"
    __table_args__ = (
        # the files whose text the job has not read yet
        Index("ix_comment_attachments_unread", "id", sqlite_where=text("text_read_at IS NULL"),
              postgresql_where=text("text_read_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)  # order in which the commenter chose them
    filename: Mapped[str] = mapped_column(String(200))  # as the commenter named it, cleaned
    content_type: Mapped[str] = mapped_column(String(100))  # found from the content, not from the name
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    # loaded only when the file itself is wanted (a download, a mail, the ZIP)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # the words read from the file by the scheduled job (portal/comments/attachment_text.py): None until it is
    # read (text_read_at None) or when nothing could be read (a photo, an old .doc, a damaged file)
    text: Mapped[str | None] = mapped_column(Text)
    text_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EmailedMessage(db.Model):
    """An e-mail the office imported as an opinion (portal/office/emailed.py), so that the same message uploaded again,
    or read again from the mailbox, is not recorded twice (two imports at once included: the key is unique)."""

    __tablename__ = "emailed_messages"
    __table_args__ = (UniqueConstraint("consultation_id", "message_key", name="uq_emailed_messages_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    # sha256 of the Message-ID, else of the whole message: nothing of the sender's is kept here
    message_key: Mapped[str] = mapped_column(String(64))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
