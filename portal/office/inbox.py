"""Recording the opinions of the office's mailbox (电子邮件): each message read (portal/office/emailed.py) is recorded as
the office records an opinion it types in (services.record_comment), once, whatever how often it is imported.

What happens to each message is told back to the office, message by message: recorded (with its receipt number, the
section it was put under and why), recorded before, not an opinion (an auto-reply, a delivery report), or not
recorded and why (it came after the deadline, it is empty …), and which attached files could not be kept.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field, replace
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, text
from werkzeug.datastructures import FileStorage

from portal.audit.services import record_action
from portal.comments.feedback_form import FeedbackFileError, FeedbackRow, read_feedback
from portal.comments.attachments import (EMPTY, NOT_ACCEPTED, TOO_LARGE, checked_kind, clean_filename, max_bytes,
                                         max_files, megabytes)
from portal.comments.models import Comment, EmailedMessage
from portal.consultations.models import Consultation
from portal.drafts.models import Section
from portal.consultations.services import rewrite_closing_summary
from portal.core.statements import insert_for
from portal.core.time import now
from portal.extensions import db
from portal.office.emailed import (MESSAGES_MAX, EmailedOpinion, MailFileError, arrival, forwarded_attachments,
                                   guess_section, messages_in, read_message)
from portal.office.services import ImportRefused, OfficeError, record_comment


LOCK_KIND = 0x6D61696C  # "mail": the advisory locks of e-mail imports on PostgreSQL, one a consultation


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
    notes: list[str] = field(default_factory=list)  # what else the office should know of it
    form_rows: int = 0  # the opinions of the feedback form it carried, recorded one each
    more_receipts: list[str] = field(default_factory=list)  # their receipt numbers after the first


@dataclass
class ImportResult:
    outcomes: list[Outcome]

    def count(self, kind: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.kind == kind)


def import_emailed_comments(consultation: Consultation, actor, uploads: list[tuple[str | None, bytes]],
                            messages_max: int | None = MESSAGES_MAX) -> ImportResult:
    """Record the opinions of the messages in ``uploads`` ((file name, content): .eml, .mbox or .zip files), each
    message once; at most ``messages_max`` messages (None: any number, the command line's). Flushes, never commits;
    every message is recorded or not on its own (a savepoint each)."""
    if consultation.opens_at is None or consultation.published_at is None:
        raise ImportRefused([_l("这项征求意见还没有发布，不能录入意见。")])
    if db.engine.dialect.name == "postgresql":
        # one import of a consultation's mail at a time (a cron job and the office's upload, two hosts): each
        # claims its messages' keys in the order it reads them, and two such orders would deadlock. Held until the
        # commit; SQLite's write lock does the same there.
        db.session.execute(text("SELECT pg_advisory_xact_lock(:kind, :consultation)"),
                           {"kind": LOCK_KIND, "consultation": consultation.id})
    files: list[tuple[str | None, list[bytes] | MailFileError]] = []
    for filename, data in uploads:
        try:
            files.append((filename, messages_in(data, filename)))
        except MailFileError as error:
            files.append((filename, error))
    total = sum(len(messages) for _name, messages in files if isinstance(messages, list))
    if messages_max is not None and total > messages_max:
        raise ImportRefused([_l("一次最多导入 %(max)s 封邮件，这次有 %(n)s 封。请分成几次上传。", max=messages_max,
                                n=total)])
    draft = consultation.current_draft
    sections = list(draft.sections) if draft else []
    outcomes: list[Outcome] = []
    memo: dict = {}  # what every message needs and is read once (the draft's words)
    for filename, messages in files:  # in the order uploaded
        if isinstance(messages, MailFileError):
            outcomes.append(Outcome("unreadable", subject=clean_filename(filename), problem=str(messages.message)))
            continue
        for raw in messages:
            try:  # citizens' messages a colleague forwarded as attachments, each read as it was
                forwarder, inner = forwarded_attachments(raw)
                forward = arrival(raw) if inner else None
            except Exception:  # noqa: BLE001 - read as it is, where a broken message is named
                forwarder, inner, forward = None, [], None
            for one in inner or [raw]:
                outcomes.append(_record(consultation, actor, one, sections, memo, forwarder, forward))
    recorded = sum(1 for outcome in outcomes if outcome.kind == "recorded")
    if recorded:
        rewrite_closing_summary(consultation)  # finalised already: the count it states has changed
    record_action(actor, "import_emails", consultation, consultation_id=consultation.id,
                  after={kind: sum(1 for o in outcomes if o.kind == kind)
                         for kind in ("recorded", "duplicate", "automatic", "refused", "unreadable")})
    return ImportResult(outcomes)


def _forward_time_unproven(consultation: Consultation, opinion: EmailedOpinion,
                           forward: tuple[str | None, datetime | None] | None) -> bool:
    """A forward's word for when the citizen's message was sent (its header lines, or the attached message's Date)
    is believed when a public body forwarded it: the notice's contact addresses, a staff account's, or a government
    address (.gov.cn: a colleague, the 12345 hotline). Not an address of their domains: a small office's contact may
    be a @163.com or @qq.com address. Anyone else can write an earlier time above a late opinion: theirs counts from
    when the forward itself arrived (True: the time was moved so)."""
    if forward is not None:
        address, arrived = forward
    elif opinion.forwarded_by is not None:
        address, arrived = opinion.forwarder_address, opinion.arrived_at
    else:
        return False
    if arrived is None or (opinion.received_at is not None and opinion.received_at >= arrived):
        return False
    if address and _office_address(consultation, address):
        return False
    opinion.received_at = arrived
    return True


def _office_address(consultation: Consultation, address: str) -> bool:
    from portal.accounts.models import User

    address = address.strip().lower()
    domain = address.rpartition("@")[2]
    if domain == "gov.cn" or domain.endswith(".gov.cn"):
        return True
    if address in {email.strip().lower() for email in consultation.contact_emails or []}:
        return True
    return db.session.scalar(select(User.id).where(User.active.is_(True), func.lower(User.email) == address)) is not None


def _record(consultation: Consultation, actor, raw: bytes, sections, memo: dict,
            forwarder: str | None = None, forward: tuple[str | None, datetime | None] | None = None) -> Outcome:
    """``forwarder``: who forwarded ``raw`` as an attachment; ``forward``: their address and when the forward
    reached the office."""
    try:
        opinion = read_message(raw)
    except Exception:  # noqa: BLE001 - a message the mail library cannot take apart is named, not fatal
        current_app.logger.warning("an e-mail could not be read", exc_info=True)
        return Outcome("refused", problem=_("这封邮件读不了（格式损坏）。请在邮箱中打开它，逐条录入。"))
    later = _forward_time_unproven(consultation, opinion, forward)
    outcome = Outcome("refused", subject=opinion.subject or _("（无主题）"),
                      sender=opinion.sender_name or opinion.sender_address, received_at=opinion.received_at)
    if forwarder or opinion.forwarded_by:
        outcome.notes.append(_("由“%(name)s”转发，按原发件人录入", name=opinion.forwarded_by or forwarder))
        if opinion.forward_note:
            outcome.notes.append(_("转发时的附言：“%(text)s”", text=_shortened(opinion.forward_note)))
        if later:
            outcome.notes.append(_("转发人的邮箱不是机关的邮箱，原邮件的发送时间无从核实：按转发邮件到达的时间计算是否在截止前收到。"))
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
    rows, form_problems = _form_rows(files, sections, consultation.questions or [])
    if rows:
        if opinion.body:  # "请查收附件": the opinions are the form's; the office reads the rest here
            outcome.notes.append(_("邮件正文没有单独录入：“%(text)s”", text=_shortened(opinion.body)))
        # each row its own author and contact, else the sender's
        opinions = [replace(row, author_name=row.author_name or opinion.sender_name,
                            author_contact=row.author_contact or opinion.sender_address) for row in rows]
    else:
        if form_problems:
            outcome.notes.append(_("附件中的意见反馈表有问题，整封邮件作为一条意见录入：%(problems)s",
                                   problems=" ".join(form_problems)))
        body = _body(opinion, files, outcome.files_left)
        if not body:
            outcome.problem = _("邮件没有正文，也没有附件。")
            return outcome
        section, outcome.named_by = guess_section(opinion.subject, opinion.body, sections)
        quote, quoted_section, proposal = _quoted(consultation, opinion.body, section, memo)
        if quoted_section is not None and section is None:
            section, outcome.named_by = quoted_section, _shortened(quote, 20)
        opinions = [FeedbackRow(0, section, "suggest", body, opinion.sender_name, opinion.sender_address, None, None,
                                quote, proposal)]  # the message's own text as one opinion
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
            stored = []
            for number, one in enumerate(opinions):
                try:
                    stored.append(record_comment(
                        consultation, actor, channel="email", received_on=None, received_at=opinion.received_at,
                        section_id=one.section.id if one.section is not None else None, body=one.body,
                        stance=one.stance, author_name=one.author_name, author_contact=one.author_contact,
                        rewrite_summary=False, quote=one.quote, proposal=one.proposal,
                        organisation=one.organisation, organisation_kind=one.organisation_kind, question=one.question,
                        # the files go with the message's first opinion (a form: the form itself among them)
                        files=[FileStorage(io.BytesIO(data), filename=name) for name, data in files] if number == 0
                        else []))
                except OfficeError as error:
                    if len(opinions) > 1:
                        raise OfficeError(error.field, _l("意见反馈表第%(line)d行：%(problem)s", line=one.line,
                                                          problem=error.message)) from error
                    raise
            db.session.execute(EmailedMessage.__table__.update().where(EmailedMessage.__table__.c.id == claimed)
                               .values(comment_id=stored[0].id))
    except OfficeError as error:
        outcome.problem = str(error.message)  # shown on this page, or by the command line, as it reads now
        return outcome
    outcome.kind, outcome.receipt_number, outcome.comment_id = "recorded", stored[0].receipt_number, stored[0].id
    outcome.more_receipts = [one.receipt_number for one in stored[1:]]
    first = opinions[0]
    if rows:
        outcome.form_rows = len(rows)
    else:
        outcome.section_title = first.section.title if first.section is not None else None
    return outcome


def _form_rows(files: list[tuple[str, bytes]], sections, questions) -> tuple[list[FeedbackRow], list[str]]:
    """The opinions of the filled feedback form (意见反馈表, portal/comments/feedback_form.py) a message carries, when
    one of its Excel or Word files is such a form and every row of it can be read; else no rows, and what is wrong
    with a form that has problems."""
    for name, data in files:
        if not name.lower().endswith((".xlsx", ".docx")):
            continue
        try:
            rows, problems = read_feedback(data, sections, _max_length(), questions)
        except FeedbackFileError as error:
            if error.too_long:  # a form of more rows than read: the message is one opinion, the office told why
                return [], error.messages
            continue  # a spreadsheet, but not a form of opinions: a file like any other
        if problems:
            return [], [message for _line, message in problems]
        return rows, []
    return [], []


def _shortened(text: str, length: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[:length] + "……"


_QUOTED = re.compile(r"[“「『\"]([^”」』\"\n]{8,500})[”」』\"]")  # words a letter quotes: “……”, 「……」


def _quoted(consultation: Consultation, text: str, section, memo: dict) -> tuple[str | None, object | None, str | None]:
    """The first words the message quotes (between quotation marks) that the draft holds, within ``section`` when
    one was named, the innermost section holding them, and the wording proposed instead when the message goes on
    "修改为“……”": the opinion then quotes the draft as a citizen's comment selecting those words does
    (portal/comments/quotes.py) and proposes that wording (portal/comments/proposals.py). (None, None, None) when it
    quotes none. ``memo``: the draft's words, read once an import."""
    from portal.comments.proposals import clean_proposal
    from portal.comments.quotes import clean_quote, draft_words, holding_section
    from portal.office.emailed import proposed_after

    draft = consultation.current_draft
    if draft is None:
        return None, None, None
    for match in _QUOTED.finditer(text[:5000]):
        quote = clean_quote(match.group(1))
        if quote is None:
            continue
        if "words" not in memo:
            memo["words"] = draft_words(draft.id)
        words = memo["words"]
        if words.find(quote, section.id if section is not None else None) is not None:
            holding = holding_section(draft.id, quote, words)
            return (quote, db.session.get(Section, holding) if holding is not None else None,
                    clean_proposal(proposed_after(text, match.end()), quote))
    return None, None, None


def _kept_files(opinion: EmailedOpinion) -> tuple[list[tuple[str, bytes]], list[str]]:
    """The attached files the portal keeps (the kinds and sizes a citizen may send, as many as a comment may carry),
    and the others, each named with the reason: they stay in the office's mailbox."""
    kept, left = [], []
    for name, data in opinion.files:
        name = clean_filename(name)
        _kind, refused = checked_kind(name, data)
        if refused == EMPTY:
            left.append(_("“%(name)s”：空文件", name=name))
        elif refused == TOO_LARGE:
            left.append(_("“%(name)s”：超过 %(mb)s MB", name=name, mb=megabytes(max_bytes())))
        elif refused == NOT_ACCEPTED:
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
