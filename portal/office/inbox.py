"""Recording the opinions of the office's mailbox (电子邮件): each message read (portal/office/emailed.py) is recorded as
the office records an opinion it types in (services.record_comment), once, whatever how often it is imported.

What happens to each message is told back to the office, message by message: recorded (with its receipt number, the
section it was put under and why), recorded before, not an opinion (an auto-reply, a delivery report), or not
recorded and why (it came after the deadline, it is empty …), and which attached files could not be kept.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from portal.audit.services import record_action
from portal.comments.attachments import clean_filename, kind_of, max_bytes, max_files, megabytes
from portal.comments.models import Comment, EmailedMessage
from portal.consultations.models import Consultation
from portal.consultations.services import rewrite_closing_summary
from portal.core.statements import insert_for
from portal.core.time import now
from portal.extensions import db
from portal.office.emailed import (MESSAGES_MAX, EmailedOpinion, MailFileError, guess_section, messages_in,
                                   read_message)
from portal.office.services import ImportRefused, OfficeError, record_comment


@dataclass
class Outcome:
    """What became of one message (or of one file that held none)."""

    kind: str  # recorded | duplicate | automatic | refused | unreadable
    subject: str = ""
    sender: str | None = None  # its name, else its address
    received_at: datetime | None = None
    receipt_number: str | None = None
    comment_id: int | None = None
    section_title: str | None = None  # None: the whole draft
    named_by: str | None = None  # the words of the subject or text that named the section
    problem: str | None = None
    files_left: list[str] = field(default_factory=list)  # attached files not kept, each with the reason


@dataclass
class ImportResult:
    outcomes: list[Outcome]

    def count(self, kind: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.kind == kind)


def import_emailed_comments(consultation: Consultation, actor, uploads: list[tuple[str | None, bytes]],
                            messages_max: int | None = MESSAGES_MAX) -> ImportResult:
    """Record the opinions of the messages in ``uploads`` ((file name, content): .eml, .mbox or .zip files), each
    message once; at most ``messages_max`` messages (None: any number, the command line's). Flushes, never commits; every message is recorded or not on its own (a savepoint each)."""
    if consultation.opens_at is None or consultation.published_at is None:
        raise ImportRefused([_("这项征求意见还没有发布，不能录入意见。")])
    files: list[tuple[str | None, list[bytes] | MailFileError]] = []
    for filename, data in uploads:
        try:
            files.append((filename, messages_in(data, filename)))
        except MailFileError as error:
            files.append((filename, error))
    total = sum(len(messages) for _name, messages in files if isinstance(messages, list))
    if messages_max is not None and total > messages_max:
        raise ImportRefused([_("一次最多导入 %(max)s 封邮件，这次有 %(n)s 封。请分成几次上传。", max=messages_max,
                               n=total)])
    draft = consultation.current_draft
    sections = list(draft.sections) if draft else []
    outcomes: list[Outcome] = []
    for filename, messages in files:  # in the order uploaded
        if isinstance(messages, MailFileError):
            outcomes.append(Outcome("unreadable", subject=clean_filename(filename), problem=str(messages.message)))
            continue
        for raw in messages:
            outcomes.append(_record(consultation, actor, raw, sections))
    recorded = sum(1 for outcome in outcomes if outcome.kind == "recorded")
    if recorded:
        rewrite_closing_summary(consultation)  # finalised already: the count it states has changed
    record_action(actor, "import_emails", consultation, consultation_id=consultation.id,
                  after={kind: sum(1 for o in outcomes if o.kind == kind)
                         for kind in ("recorded", "duplicate", "automatic", "refused", "unreadable")})
    return ImportResult(outcomes)


def _record(consultation: Consultation, actor, raw: bytes, sections) -> Outcome:
    try:
        opinion = read_message(raw)
    except Exception:  # noqa: BLE001 - a message the mail library cannot take apart is named, not fatal
        current_app.logger.warning("an e-mail could not be read", exc_info=True)
        return Outcome("refused", problem=_("这封邮件读不了（格式损坏）。请在邮箱中打开它，逐条录入。"))
    outcome = Outcome("refused", subject=opinion.subject or _("（无主题）"),
                      sender=opinion.sender_name or opinion.sender_address, received_at=opinion.received_at)
    if opinion.automatic:
        outcome.kind = "automatic"
        return outcome
    earlier = db.session.execute(
        select(Comment.receipt_number, Comment.id).join(EmailedMessage, EmailedMessage.comment_id == Comment.id)
        .where(EmailedMessage.consultation_id == consultation.id, EmailedMessage.message_key == opinion.key)
    ).first()
    if earlier is not None:
        outcome.kind, (outcome.receipt_number, outcome.comment_id) = "duplicate", earlier
        return outcome
    if opinion.received_at is None:
        outcome.problem = _("邮件上没有日期，不知道是否在截止前收到。请逐条录入，填写收到日期。")
        return outcome
    files, outcome.files_left = _kept_files(opinion)
    body = _body(opinion, files, outcome.files_left)
    if not body:
        outcome.problem = _("邮件没有正文，也没有附件。")
        return outcome
    section, outcome.named_by = guess_section(opinion.subject, opinion.body, sections)
    try:
        with db.session.begin_nested():
            claimed = db.session.execute(
                insert_for(db.engine.dialect.name)(EmailedMessage.__table__)
                .values(consultation_id=consultation.id, message_key=opinion.key, recorded_at=now())
                .on_conflict_do_nothing(index_elements=["consultation_id", "message_key"])
                .returning(EmailedMessage.__table__.c.id)
            ).scalar()
            if claimed is None:  # another import recorded it a moment ago
                outcome.kind = "duplicate"
                return outcome
            stored = record_comment(
                consultation, actor, channel="email", received_on=None, received_at=opinion.received_at,
                section_id=section.id if section is not None else None, body=body, stance="suggest",
                author_name=opinion.sender_name, author_contact=opinion.sender_address, rewrite_summary=False,
                files=[FileStorage(io.BytesIO(data), filename=name) for name, data in files])
            db.session.execute(EmailedMessage.__table__.update().where(EmailedMessage.__table__.c.id == claimed)
                               .values(comment_id=stored.id))
    except OfficeError as error:
        outcome.problem = error.message
        return outcome
    outcome.kind, outcome.receipt_number, outcome.comment_id = "recorded", stored.receipt_number, stored.id
    outcome.section_title = section.title if section is not None else None
    return outcome


def _kept_files(opinion: EmailedOpinion) -> tuple[list[tuple[str, bytes]], list[str]]:
    """The attached files the portal keeps (the kinds and sizes a citizen may send, as many as a comment may carry),
    and the others, each named with the reason: they stay in the office's mailbox."""
    kept, left = [], []
    for name, data in opinion.files:
        name = clean_filename(name)
        if not data:
            left.append(_("“%(name)s”：空文件", name=name))
        elif len(data) > max_bytes():
            left.append(_("“%(name)s”：超过 %(mb)s MB", name=name, mb=megabytes(max_bytes())))
        elif kind_of(name, data) is None:
            left.append(_("“%(name)s”：不是可以保存的文件类型", name=name))
        elif len(kept) >= max_files() - (1 if len(opinion.body) > _max_length() else 0):
            left.append(_("“%(name)s”：一条意见最多保存 %(n)s 个附件", name=name, n=max_files()))
        else:
            kept.append((name, data))
    return kept, left


def _max_length() -> int:
    return current_app.config["COMMENT_MAX_LENGTH"]


def _body(opinion: EmailedOpinion, files: list[tuple[str, bytes]], files_left: list[str]) -> str:
    """The opinion's text: the message's; a longer one cut at a line, whole in a file beside it; a message that only
    carries files says so; files not kept are named, so that whoever reads the opinion looks in the mailbox."""
    text = opinion.body
    notes = []
    if len(text) > _max_length():  # kept whole in a file beside it
        body_file = _("邮件正文.txt")
        files.insert(0, (body_file, text.encode("utf-8")))
        notes.append(_("〔邮件正文较长，全文见附件“%(name)s”。〕", name=body_file))
    if files_left:
        notes.append(_("〔邮件另有附件没有保存，请查阅原邮件：%(files)s。〕", files="；".join(files_left)))
    if not text and not files:
        return ""
    if not text:
        text = _("（意见见附件：%(names)s）", names="、".join(f"“{name}”" for name, _data in files))
    room = _max_length() - sum(len(note) + 1 for note in notes) - 2
    if len(text) > room:
        cut = text.rfind("\n", 0, room)
        text = text[:cut if cut > room // 2 else room].rstrip() + "……"
    return "\n\n".join([text, *notes])
