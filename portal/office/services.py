"""What an office does with its consultations: upload, correct, publish, extend, revise.

Every change is written to the audit log in the same transaction. Flushes, never commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.admin.directory_file import EMAIL
from portal.audit.services import record_action
from portal.comments.attachments import AttachmentRefused, check_uploads, clean_filename, kind_of, store_uploads
from portal.comments.contacts import clean_contact
from portal.comments.feedback_form import OFFICE_LIST_MAX_ROWS, FeedbackFileError, read_feedback
from portal.comments.models import Comment, OFFLINE_CHANNELS, comment_received
from portal.comments.organisations import ORGANISATION_MAX, named_organisation, organisation_of
from portal.comments.plain_text import clean_line
from portal.comments.proposals import PROPOSAL_MAX, clean_proposal
from portal.comments.quotes import QUOTE_MAX, changed_by_revision, clean_quote, quote_found, taken_by_revision
from portal.comments.services import StoredComment, Target, store_comment
from portal.consultations.final_document import flat_sections, issued_title
from portal.consultations.questions import asked_question
from portal.consultations.models import VISIBILITIES, Consultation, ConsultationFile, DeadlineExtension, FinalDocument
from portal.consultations.explanatory_note import tidy
from portal.consultations.services import ConsultationError, publish_consultation, rewrite_closing_summary
from portal.core.flash import chinese_part, date_part, moment_part, number_part
from portal.core.time import SHANGHAI, day_end_deadline, local, now
from portal.drafts.anchors import section_anchor
from portal.drafts.models import Draft, Section
from portal.drafts.parser import DraftParseError
from portal.drafts.readers import DraftReadError, read_draft
from portal.drafts.revisions import add_revision
from portal.drafts.services import DraftImportError, current_section, import_draft, parse_file
from portal.extensions import db
from portal.mail.services import queue_follower_mail, queue_issued_mail, queue_quote_changed_mail
from portal.office.period import is_short, period_problems
from portal.responses.models import Response
from portal.units.models import Unit

NOTICE_FIELDS = (
    "title", "issuer", "notice_date", "addressee", "contact_office", "contact_person",
    "contact_phones", "contact_emails", "contact_address", "deadline",
)
MAX_LEVEL = 6
KEY_POINTS_MAX = 1000  # characters: a few plain sentences, not a second text


class OfficeError(ValueError):
    """A refused action; ``field`` names the form field the message belongs to. ``message`` is lazy (``_l``, names
    people typed as ``chinese_part``): the view flashes it as it is, translated on the page that shows it, or shows it
    at its field with ``shown_now``."""

    def __init__(self, field: str, message):
        super().__init__(message)
        self.field = field
        self.message = message


class PeriodError(ValueError):
    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(str(message) for _field, message in problems))
        self.problems = problems


@dataclass(frozen=True)
class CommentCounts:
    """What the office's dashboard says of a consultation's comments: those received (spam not counted), those
    still waiting for a moderator, and those the office has answered (a response drafted or published)."""

    received: int = 0
    pending: int = 0
    answered: int = 0
    withdrawn: int = 0  # by their authors (not received any more): said, so that a count that fell is explained


def comment_counts(consultations: list[Consultation]) -> dict[int, CommentCounts]:
    """The counts of each of ``consultations`` (by id), in two grouped queries whatever their number."""
    ids = [c.id for c in consultations]
    if not ids:
        return {}
    received: dict[int, int] = {}
    pending: dict[int, int] = {}
    withdrawn: dict[int, int] = {}
    rows = db.session.execute(
        select(Comment.consultation_id, Comment.status, func.count())
        .where(Comment.consultation_id.in_(ids), Comment.status != "spam")
        .group_by(Comment.consultation_id, Comment.status)
    )
    for consultation_id, status, count in rows:
        if status == "withdrawn":
            withdrawn[consultation_id] = count
            continue
        received[consultation_id] = received.get(consultation_id, 0) + count
        if status == "pending":
            pending[consultation_id] = count
    answered = dict(db.session.execute(
        select(Response.consultation_id, func.count())
        .join(Comment, Comment.id == Response.comment_id)
        .where(Response.consultation_id.in_(ids), comment_received())
        .group_by(Response.consultation_id)
    ).all())
    return {i: CommentCounts(received.get(i, 0), pending.get(i, 0), answered.get(i, 0), withdrawn.get(i, 0))
            for i in ids}


def managed_consultations(user) -> list[Consultation]:
    """Administrators see every consultation; office staff their own unit's."""
    query = select(Consultation).order_by(Consultation.created_at.desc(), Consultation.id.desc())
    if user.role != "admin":
        query = query.where(Consultation.owner_unit_id == user.unit_id, Consultation.owner_unit_id.is_not(None))
    return list(db.session.scalars(query))


def _refuse_too_large(data: bytes, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise OfficeError("file", _l(
            "文件太大（%(size)s MB）。请上传不超过 %(limit)d MB 的文件。",
            size=number_part(round(len(data) / 1024 / 1024, 1)), limit=max_bytes // 1024 // 1024,
        ))


def _read_upload(data: bytes, filename: str | None, max_bytes: int):
    _refuse_too_large(data, max_bytes)
    try:
        return parse_file(data, filename)
    except DraftImportError as error:
        raise OfficeError("file", _refusal(error)) from error


def _refusal(error: DraftImportError):
    """The refusal, lazy as an OfficeError's: the reader's messages are lazy where they are raised, but the parser
    is pure (no Flask) and refuses in Chinese only."""
    if isinstance(error.__cause__, DraftParseError):
        if error.code == "empty":
            return _l("文件是空的，没有可以导入的文字。")
        if error.code == "no_headings":
            return _l("文件中没有找到任何编号标题（如“一、”“（一）”“第一条”），无法拆分为章节。")
    if error.code == "unreadable":
        return _l("这份文件没能读出分段。请检查文件是否完整，或把正文复制成纯文本（.txt）后重新上传；仍有问题请联系平台管理员。")
    return error.message


def upload_draft(actor, data: bytes, filename: str | None, unit: Unit | None, max_bytes: int) -> Consultation:
    """Store an uploaded draft as a new, unpublished consultation of ``unit``. A bad file stores nothing."""
    text, parsed = _read_upload(data, filename, max_bytes)
    consultation = import_draft(parsed.to_dict(), text, filename)
    consultation.owner_unit_id = unit.id if unit is not None else None
    db.session.flush()
    record_action(actor, "upload", consultation, consultation_id=consultation.id,
                  after={"filename": filename, "title": consultation.title})
    return consultation


def _notice_values(consultation: Consultation) -> dict:
    values = {}
    for name in NOTICE_FIELDS:
        value = getattr(consultation, name)
        values[name] = value.isoformat() if isinstance(value, (date, datetime)) else value
    return values


def update_notice(consultation: Consultation, actor, values: dict) -> Consultation:
    """Correct the notice fields the parser read (title, issuer, deadline, contact …)."""
    if not (values.get("title") or "").strip():
        raise OfficeError("title", _l("请填写标题。"))
    before = _notice_values(consultation)
    if consultation.is_published and "deadline" in values and values["deadline"] != consultation.deadline:
        # published, the period changes only as its own pages change it: later, with a reason, recorded and shown
        # (延长截止时间); this form could shorten it, close it at once or open a closed one again
        raise OfficeError("deadline_date", _l("征求意见已经发布，截止时间不能在这里修改。需要延长的，请使用“延长截止时间”。"))
    for name in NOTICE_FIELDS:
        if name not in values:
            continue
        value = values[name]
        if isinstance(value, str):
            value = value.strip() or None
        if name == "title":
            value = value or consultation.title
        if name in ("contact_phones", "contact_emails"):
            value = list(value or [])
        if name == "contact_emails":  # shown to the public and mailed at the close: a typo ("abc@") is refused
            value = [clean_contact(email) for email in value]  # ＠ from a Chinese input method, as a comment's contact
            bad = [email for email in value if not EMAIL.match(email)]
            if bad:
                raise OfficeError("contact_emails", _l("电子邮箱「%(email)s」的格式不对。", email=chinese_part(bad[0])))
        setattr(consultation, name, value)
    if consultation.is_published and consultation.deadline is None:
        raise OfficeError("deadline_date", _l("已发布的征求意见必须有截止时间。"))
    if consultation.is_published and consultation.opens_at and consultation.deadline <= consultation.opens_at:
        raise OfficeError("deadline_date", _l("截止时间必须晚于开始时间。"))
    after = _notice_values(consultation)
    changed = {k for k in NOTICE_FIELDS if before[k] != after[k]}
    db.session.flush()
    if changed:
        record_action(actor, "edit", consultation, consultation_id=consultation.id,
                      before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    return consultation


def update_section(section: Section, actor, level: int, heading: str, key_points: str | None = None,
                   text: str | None = None) -> Section:
    """Correct a heading's level or text (the section tree follows the levels); write the section's key points
    (要点: plain words shown before its text; until the consultation closes); correct the section's own text as the
    import read it (before publishing only: then it is what the public comments on, changed by a revision).
    ``key_points``, ``text``: None leaves them as they are."""
    if key_points is None:
        key_points = section.key_points
    key_points = tidy(key_points) or None
    if key_points is not None and len(key_points) > KEY_POINTS_MAX:
        raise OfficeError("key_points", _l("要点不能超过 %(limit)s 个字。", limit=number_part(KEY_POINTS_MAX)))
    if key_points != section.key_points and section.draft.consultation.is_closed:
        raise OfficeError("key_points", _l("征求意见已经截止，要点不能再修改。"))
    text = section.text if text is None else _section_text(text)
    if text != section.text and section.draft.consultation.is_published:
        raise OfficeError("text", _l("草案已经发布，正文不能在这里修改。如需修改，请上传修订稿。"))
    sections = list(section.draft.sections)
    index = sections.index(section)
    if not 1 <= level <= MAX_LEVEL:
        raise OfficeError("level", _l("层级必须是 1 到 %(max)d 之间的数字。", max=MAX_LEVEL))
    top = 1 if index == 0 else sections[index - 1].level + 1
    if level > top:
        raise OfficeError("level", _l("层级不能跳级：这一节前面是第 %(before)d 级，这一节最多是第 %(top)d 级。", before=top - 1, top=top))
    audited = ("level", "heading", "key_points", "text")
    before = {name: getattr(section, name) for name in audited}
    section.level = level
    section.heading = heading.strip()
    section.key_points = key_points
    section.text = text
    _rebuild_tree(sections, renumber_anchors=not section.draft.consultation.is_published)
    db.session.flush()
    after = {name: getattr(section, name) for name in audited}
    if before != after:
        record_action(actor, "edit", section, consultation_id=section.draft.consultation_id, before=before, after=after)
    return section


SECTION_TEXT_MAX = 100_000  # characters of one section's text (the longest seen run to a few thousand)


def _section_text(text: str) -> str:
    """A section's text as the import stores it: one paragraph a line, no empty lines, no trailing spaces."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    cleaned = "\n".join(line for line in lines if line)
    if len(cleaned) > SECTION_TEXT_MAX:
        raise OfficeError("text", _l("正文不能超过 %(limit)s 个字。", limit=number_part(SECTION_TEXT_MAX)))
    return cleaned


def merge_section(section: Section, actor) -> Section:
    """Before publishing: a heading the import read where the draft has none (a numbered line inside a paragraph,
    a list item) becomes text again. The section's label, heading and text go to the end of the section before it
    in the document; its tables and responsible units go with them; its subsections hang under the sections
    before them by their levels. Returns the section that took it in."""
    draft = section.draft
    if draft.consultation.is_published:
        raise OfficeError("merge", _l("草案已经发布，章节不能再合并。如需修改结构，请上传修订稿。"))
    sections = list(draft.sections)
    index = sections.index(section)
    if index == 0:
        raise OfficeError("merge", _l("第一部分前面没有可以并入的部分。"))
    into = sections[index - 1]
    line, lines = f"{section.label}{section.heading}".strip(), section.lines
    if section.run_in and lines:  # the heading ran into its first paragraph: one line again
        line, lines = line + lines[0], lines[1:]
    into.text = "\n".join(part for part in (into.text, line, *lines) if part)
    into.unit_names = list(dict.fromkeys([*(into.unit_names or []), *(section.unit_names or [])]))
    into.lead_unit_names = list(dict.fromkeys([*(into.lead_unit_names or []), *(section.lead_unit_names or [])]))
    for table in list(section.tables):
        table.section = into
    before = {"label": section.label, "heading": section.heading, "into": f"{into.label}{into.heading}"}
    remaining = sections[:index] + sections[index + 1:]
    for child in list(section.children):
        child.parent = None  # _rebuild_tree gives it its new parent
    for position, kept in enumerate(remaining):
        kept.position = position
    db.session.delete(section)
    db.session.flush()  # the deleted section's position is free before the others move up
    _rebuild_tree(remaining, renumber_anchors=True)
    db.session.flush()
    record_action(actor, "merge_section", into, consultation_id=draft.consultation_id, before=before,
                  after={"text_length": len(into.text)})
    return into


def split_section(section: Section, actor, line: int, level: int) -> Section:
    """Before publishing: a numbered line of a section's text that the import did not read as a heading starts a
    section of its own at ``level``, holding that line's heading and the text after it (as the import splits a
    numbered line: "（三）加强宣传" a heading, "1.加强宣传。各地要……" a heading run into its text). Returns the new
    section."""
    from portal.drafts.parser import match_label, read_units_in_text, split_heading, units_in_text

    draft = section.draft
    if draft.consultation.is_published:
        raise OfficeError("split", _l("草案已经发布，章节不能再拆分。如需修改结构，请上传修订稿。"))
    lines = section.lines
    if not 0 <= line < len(lines):
        raise OfficeError("split", _l("请选择正文中的一行。"))
    label = match_label(lines[line])
    if label is None:
        raise OfficeError("split", _l("这一行开头没有编号（如“一、”“（一）”“1.”“第一条”），不能作为标题。"))
    sections = list(draft.sections)
    index = sections.index(section)
    top = section.level + 1
    if not 1 <= level <= min(top, MAX_LEVEL):
        raise OfficeError("split", _l("层级不能跳级：前面一节是第 %(before)d 级，新的一节最多是第 %(top)d 级。",
                                      before=section.level, top=min(top, MAX_LEVEL)))
    heading, first_text, run_in = split_heading(label.style, label.rest)
    text = "\n".join(part for part in [first_text, *lines[line + 1:]] if part)
    units = read_units_in_text(heading + text)
    names = list(units.names)
    if names and _root(section).kind == "section":  # as the import gives them: after the units it names itself
        names += [u for u in _units_for_later_items(sections[:index], section.heading + "\n".join(lines[:line]))
                  if u not in names]
    new = Section(draft=draft, position=0, level=level, anchor="", label=label.label[:50], number=label.number,
                  heading=heading, text=text, run_in=run_in, kind="section",
                  unit_names=names, lead_unit_names=list(units.leads))
    section.text = "\n".join(lines[:line])
    still_named = set(units_in_text(section.heading + section.text))  # units named in the words that moved go
    section.unit_names = [u for u in section.unit_names or [] if u not in units.names or u in still_named]
    section.lead_unit_names = [u for u in section.lead_unit_names or [] if u in section.unit_names]
    ordered = sections[:index + 1] + [new] + sections[index + 1:]
    for position, kept in enumerate(ordered):
        kept.position = position
    db.session.add(new)
    _rebuild_tree(ordered, renumber_anchors=True)
    db.session.flush()
    record_action(actor, "split_section", new, consultation_id=draft.consultation_id,
                  before={"from": f"{section.label}{section.heading}", "line": lines[line]},
                  after={"label": new.label, "heading": new.heading, "level": new.level})
    return new


def _root(section: Section) -> Section:
    while section.parent is not None:
        section = section.parent
    return section


def _units_for_later_items(before: list[Section], origin_words: str) -> list[str]:
    """The units a draft names for every later item ("（以下均需X落实，不再列出）", "X落实，下同") in the sections
    ``before`` a split's new section, or in what stays of the section it is split from (``origin_words``): the
    import gives them, after its own, to each later item that names units of its own (portal/drafts/parser.py,
    _carry_units); the appendices name none."""
    from portal.drafts.parser import read_units_in_text

    carried: list[str] = []
    for words in [s.heading + s.text for s in before if _root(s).kind == "section"] + [origin_words]:
        carried += [u for u in read_units_in_text(words).carried if u not in carried]
    return carried


def _rebuild_tree(sections: list[Section], renumber_anchors: bool) -> None:
    """Each section's parent is the nearest section before it with a smaller level."""
    stack: list[Section] = []
    counters: dict[int | None, int] = {}
    numbers: dict[int, tuple[int, ...]] = {}  # id(section) -> its position at each level, 1-based
    for section in sections:
        top = stack[-1].level + 1 if stack else 1
        if section.level > top:  # a child left two levels below its new parent moves up with it
            section.level = top
        while stack and stack[-1].level >= section.level:
            stack.pop()
        parent = stack[-1] if stack else None
        section.parent = parent
        key = parent.id if parent is not None else None
        counters[key] = counters.get(key, 0) + 1
        numbers[id(section)] = (numbers[id(parent)] if parent is not None else ()) + (counters[key],)
        if renumber_anchors:
            section.anchor = section_anchor(section.kind, numbers[id(section)])
        stack.append(section)


def publish(consultation: Consultation, actor, opens_at: datetime | None, deadline: datetime | None,
            confirmed_short: bool = False, reason: str = "", comment_visibility: str = "public") -> Consultation:
    """Publish with a checked period; a short period's confirmation and reason go to the audit log."""
    at = now()
    if deadline is None:
        raise PeriodError([("deadline_date", _l("请填写截止日期。"))])
    deadline = day_end_deadline(deadline)  # checked as it will be stored (00:00: the day before's end)
    opening = opens_at or at
    problems = period_problems(opening, deadline, at, confirmed_short, reason)
    if problems:
        raise PeriodError(problems)
    if comment_visibility not in VISIBILITIES:
        raise PeriodError([("comment_visibility", _l("请选择意见是否公开。"))])
    consultation.comment_visibility = comment_visibility
    try:
        publish_consultation(consultation, opening, deadline)
    except ConsultationError as error:
        raise PeriodError([("deadline_date", error.message)]) from error
    record_action(
        actor, "publish", consultation, consultation_id=consultation.id,
        after={"opens_at": opening.isoformat(), "deadline": deadline.isoformat(),
               "short_period": is_short(opening, deadline), "comment_visibility": comment_visibility},
        reason=reason.strip() or None,
    )
    return consultation


def withdraw_publication(consultation: Consultation, actor, reason: str) -> None:
    """Take back a publication made by mistake, before the consultation opens (nobody can have commented yet):
    it is unpublished again, its pages and entries gone, ready to be published with the right period. Alerts not
    sent yet are taken back too, and queued afresh when it is published again; one already sent is not repeated.
    Those who signed up for its meetings meanwhile are told by mail (their sign-ups stand)."""
    if consultation.state() != "upcoming":
        raise OfficeError("reason", _l("只有尚未开始的征求意见才能撤回发布。已经开始的，可以延长截止时间或上传修订稿。"))
    if not reason.strip():
        raise OfficeError("reason", _l("请说明撤回的理由。"))
    before = {"opens_at": consultation.opens_at.isoformat(), "deadline": consultation.deadline.isoformat()}
    if consultation.extensions:  # they moved the withdrawn period: published again, the page would say "延长至" anew
        before["extensions"] = [{"old_deadline": e.old_deadline.isoformat(), "new_deadline": e.new_deadline.isoformat(),
                                 "reason": e.reason} for e in consultation.extensions]
        for extension in list(consultation.extensions):
            db.session.delete(extension)
    consultation.published_at = None
    db.session.flush()
    from portal.mail.services import withdraw_new_consultation_mail

    unsent = withdraw_new_consultation_mail(consultation.id)  # published again, it is announced afresh
    from portal.consultations.rounds import renew_previous_page

    renew_previous_page(consultation)  # the round before no longer links to it
    from portal.meetings.services import tell_of_withdrawal

    told = tell_of_withdrawal(consultation)  # those signed up for its meetings meanwhile
    record_action(actor, "withdraw", consultation, consultation_id=consultation.id, before=before,
                  after={"published": False, "alerts_withdrawn": unsent, "registrants_told": told},
                  reason=reason.strip())


def extension_problems(consultation: Consultation, new_deadline: datetime | None,
                       reason: str) -> list[tuple[str, str]]:
    """[(field, message)] of moving ``consultation``'s deadline to ``new_deadline`` (None: not given, which the form
    says) for ``reason``: each problem at once (the extend page shows them together); empty when it may be done."""
    if consultation.state() not in ("open", "upcoming"):
        return [("deadline_date", _l("只有正在征求意见或即将开始的征求意见才能延长截止时间。"))]
    problems = []
    if not reason.strip():
        problems.append(("reason", _l("请说明延长的理由。")))
    if new_deadline is not None and day_end_deadline(new_deadline) <= consultation.deadline:
        problems.append(("deadline_date", _l("新的截止时间必须晚于现在的截止时间。")))
    return problems


def extend_deadline(consultation: Consultation, actor, new_deadline: datetime, reason: str) -> DeadlineExtension:
    """Move the deadline later, recording who, when and why. Only while the period has not ended.

    Checked against the consultation as it is now, its row locked (PostgreSQL) until the commit: two extensions at
    once had each checked the deadline its page loaded, and the later commit, though shorter, won; close-due skips
    a locked row."""
    db.session.execute(select(Consultation.id).where(Consultation.id == consultation.id).with_for_update())
    db.session.refresh(consultation)
    problems = extension_problems(consultation, new_deadline, reason)
    if problems:
        raise OfficeError(*problems[0])
    new_deadline = day_end_deadline(new_deadline)
    extension = DeadlineExtension(
        consultation=consultation,
        actor_id=actor.id,
        actor_label=f"{actor.name} <{actor.email}>",
        at=now(),
        old_deadline=consultation.deadline,
        new_deadline=new_deadline,
        reason=reason.strip(),
    )
    db.session.add(extension)
    consultation.deadline = new_deadline
    db.session.flush()
    record_action(actor, "extend", consultation, consultation_id=consultation.id,
                  before={"deadline": extension.old_deadline.isoformat()},
                  after={"deadline": new_deadline.isoformat()}, reason=extension.reason)
    if consultation.published_at is not None:
        queue_follower_mail(consultation, "extended", str(extension.id))  # its followers hear of it
    return extension


@dataclass(frozen=True)
class Revised:
    draft: Draft
    quotes_changed: int  # comments received whose quoted words this revision changed


def revise_draft(consultation: Consultation, actor, data: bytes, filename: str | None, change_note: str,
                 max_bytes: int) -> Revised:
    """Put out a revised text while the consultation has not closed; comments stay with their sections."""
    if consultation.state() == "closed":
        raise OfficeError("file", _l("征求意见已经截止，不能再上传修订稿。"))
    if not change_note.strip():
        raise OfficeError("change_note", _l("请简要说明这次修改了什么。"))
    text, parsed = _read_upload(data, filename, max_bytes)
    old_version = consultation.current_draft.version if consultation.current_draft else 0
    draft = add_revision(consultation, parsed.to_dict(), text, filename, change_note)
    record_action(actor, "revise", draft, consultation_id=consultation.id,
                  before={"version": old_version}, after={"version": draft.version, "filename": filename},
                  reason=draft.change_note)
    changed = changed_by_revision(consultation)
    if consultation.published_at is not None:
        queue_follower_mail(consultation, "revised", str(draft.version))  # its followers hear of it
        # and those whose quoted words it changed, or whose proposed wording it took in (an addition, say)
        taken = [c for c in taken_by_revision(consultation) if c not in changed]
        queue_quote_changed_mail(consultation, changed + taken)
    return Revised(draft, len(changed))


def record_comment(consultation: Consultation, actor, *, channel: str, received_on: date | None, section_id: int | None,
                   body: str, stance: str, author_name: str | None, author_contact: str | None,
                   rewrite_summary: bool = True, files=(), quote: str | None = None,
                   received_at: datetime | None = None, proposal: str | None = None,
                   organisation: str | None = None, organisation_kind: str | None = None,
                   question: int | None = None, meeting_id: int | None = None) -> StoredComment:
    """Store an opinion that reached the office another way (by e-mail, letter, fax, telephone or in person)
    beside those sent through the portal, so that it is moderated, routed, counted in the closing summary,
    digested and answered like them. It must have come within the period (a letter: its postmark), and may be
    typed in after the deadline; a finalised consultation's stored summary is then written again. ``quote``: the
    words of the draft it is about (a letter's "关于第三条'……'"), checked as a citizen's quotation is; ``proposal``: the
    wording it proposes instead (建议修改为); ``organisation`` and ``organisation_kind``: on whose behalf it was made
    (以单位名义; the kind told from the name when not given), and without one, an ``author_name`` that names an
    organisation (某某协会, a list's 提出人 column holds people and organisations alike) is taken for it;
    ``question``: the number of the key question (重点问题) it answers, one the consultation asked; ``meeting_id``: the
    meeting of the consultation it was voiced at (channel ``meeting``).
    ``received_at``: the moment it came, when known (an e-mail's), instead of ``received_on``; checked to the minute."""
    if channel not in OFFLINE_CHANNELS:
        raise OfficeError("channel", _l("请选择收到的方式。"))
    if consultation.opens_at is None or consultation.published_at is None:
        raise OfficeError("received_on", _l("这项征求意见还没有发布，不能录入意见。"))
    if consultation.state() == "upcoming":  # nothing can have come within a period not begun
        raise OfficeError("received_on", _l("征求意见尚未开始（%(moment)s开始），还不能录入意见。",
                                            moment=moment_part(consultation.opens_at)))
    opened, deadline = local(consultation.opens_at), local(consultation.deadline)
    today = local(now()).date()
    given_moment = received_at  # audited as given: the stored one is kept within the period
    if received_at is not None:
        received_on = local(received_at).date()
        if received_at < opened:
            raise OfficeError("received_on", _l("收到的时间早于征求意见开始的时间（%(moment)s）。",
                                                moment=moment_part(opened)))
        if received_at > deadline:
            raise OfficeError("received_on", _l("收到的时间晚于截止时间（%(moment)s）：截止以后收到的意见不能计入。",
                                                moment=moment_part(deadline)))
    if received_on > today:
        raise OfficeError("received_on", _l("收到日期不能晚于今天。"))
    if received_on < opened.date():
        raise OfficeError("received_on", _l("收到日期早于征求意见开始的日期（%(day)s）。", day=date_part(opened.date())))
    last_day = (deadline - timedelta(microseconds=1)).date()  # a deadline at 00:00 ends the day before
    if received_on > last_day:
        raise OfficeError("received_on", _l("收到日期晚于截止日期（%(day)s）：截止以后收到的意见不能计入。",
                                            day=date_part(last_day)))
    try:
        section = current_section(consultation, section_id)
    except LookupError:
        raise OfficeError("section_id", _l("请从列表中选择章节。")) from None
    if not (body or "").strip():
        raise OfficeError("body", _l("请填写意见内容。"))
    quote = clean_quote(quote)
    if quote is not None and len(quote) > QUOTE_MAX:
        raise OfficeError("quote", _l("针对的原文不能超过 %(max)s 个字。", max=QUOTE_MAX))
    draft = consultation.current_draft
    if quote is not None and not quote_found(draft.id if draft else None, section.id if section else None, quote):
        raise OfficeError("quote", _l("在草案原文中找不到“针对的原文”（所选章节内）。请从草案中复制原文，或者不填。"))
    proposal = clean_proposal(proposal, quote)
    if proposal is not None and len(proposal) > PROPOSAL_MAX:
        raise OfficeError("proposal", _l("建议修改的文字不能超过 %(max)s 个字。", max=PROPOSAL_MAX))
    if question is not None and asked_question(consultation.questions, question) is None:
        raise OfficeError("question", _l("请从列表中选择重点问题，也可以不选。"))
    if meeting_id is not None and (channel != "meeting" or meeting_id not in {m.id for m in consultation.meetings
                                                                              if not m.is_cancelled}):
        raise OfficeError("meeting_id", _l("选择会议时，收到的方式请选“座谈会等会议上提出”，会议请从列表中选择。"))
    # as the comment form does: no bidirectional controls in a name from an e-mail's From or an imported form
    # ("\u202e员理管\u202c" reads as 管理员), and a name of nothing visible is none
    author_name = (clean_line(author_name) or None) if author_name else author_name
    organisation = (clean_line(organisation) or None) if organisation else organisation
    if not organisation and author_name and named_organisation(author_name):
        organisation, author_name = author_name, None
    organisation, organisation_kind = organisation_of(organisation, organisation_kind)
    if organisation is not None and len(organisation) > ORGANISATION_MAX:
        raise OfficeError("organisation", _l("单位名称不能超过 %(max)s 个字。", max=ORGANISATION_MAX))
    try:
        uploads = check_uploads(files)  # a letter's scan or photo; checked as a citizen's files are
    except AttachmentRefused as refusal:
        raise OfficeError("attachments", refusal.message) from refusal
    # the moment it is stored under: now if it came today, else noon of that day; within the period either way
    if received_at is None:
        received_at = now() if received_on == today else datetime.combine(received_on, time(12, 0), tzinfo=SHANGHAI)
    received_at = min(max(received_at, opened), deadline, now())
    stored = store_comment(consultation, Target(section_id=section.id if section else None), body, stance,
                           author_name, author_contact, channel=channel, received_at=received_at, quote=quote,
                           proposal=proposal, organisation=organisation, organisation_kind=organisation_kind,
                           question=question)
    store_uploads(stored.id, uploads)
    comment = db.session.get(Comment, stored.id)
    if meeting_id is not None:
        comment.meeting_id = meeting_id
    record_action(actor, "record_comment", comment, consultation_id=consultation.id,
                  after={"receipt_number": stored.receipt_number, "channel": channel,
                         **({"meeting_id": meeting_id} if meeting_id is not None else {}),
                         "received_on": received_on.isoformat(),
                         **({"received_at": local(given_moment).isoformat()} if given_moment is not None else {}),
                         "section_id": comment.section_id,
                         "attachments": [upload.filename for upload in uploads]})
    if rewrite_summary:
        rewrite_closing_summary(consultation)  # finalised already: the count it states has changed
    return stored


class ImportRefused(ValueError):
    """A file of opinions not imported; ``messages``: every problem, each naming its row, lazy as an OfficeError's
    message (the page shows each with ``shown_now``; the command line and a mailbox's failure keep them as text)."""

    def __init__(self, messages: list):
        super().__init__("\n".join(str(message) for message in messages))
        self.messages = messages


def import_recorded_comments(consultation: Consultation, actor, data: bytes, *, channel: str, received_on: date,
                             max_length: int) -> list[StoredComment]:
    """Record every opinion of a filled feedback form (portal/comments/feedback_form.py) or of an office's own list
    of opinions received, as record_comment records one; ``channel`` and ``received_on`` serve the rows that do not
    say. All or nothing: one wrong row and none is stored (the caller rolls back), every problem reported."""
    if consultation.opens_at is None or consultation.published_at is None:
        raise ImportRefused([_l("这项征求意见还没有发布，不能录入意见。")])
    draft = consultation.current_draft
    try:
        rows, problems = read_feedback(data, draft.sections if draft else [], max_length, consultation.questions or [],
                                       max_rows=OFFICE_LIST_MAX_ROWS)
    except FeedbackFileError as error:
        raise ImportRefused(error.messages) from error
    stored = []
    for row in rows:
        if row.received_at is not None and row.received_at > now():  # a wrong hour typed, as the form refuses it
            problems.append((row.line, _l("第%(line)d行：%(problem)s", line=row.line, problem=_l("收到时刻不能晚于现在。"))))
            continue
        try:
            stored.append(record_comment(
                consultation, actor, channel=row.channel or channel, received_on=row.received_on or received_on,
                received_at=row.received_at,  # a time given: the moment checked, as the form checks one
                section_id=row.section.id if row.section is not None else None, body=row.body, stance=row.stance,
                author_name=row.author_name, author_contact=row.author_contact, rewrite_summary=False,
                quote=row.quote, proposal=row.proposal, organisation=row.organisation,
                organisation_kind=row.organisation_kind, question=row.question))
        except OfficeError as error:
            problems.append((row.line, _l("第%(line)d行：%(problem)s", line=row.line, problem=error.message)))
    if problems:
        raise ImportRefused([message for _line, message in sorted(problems, key=lambda problem: problem[0])])
    rewrite_closing_summary(consultation)
    return stored


EXPLANATORY_NOTE_MAX = 100_000  # characters: the longest 起草说明 seen run to a few thousand


def set_terms(consultation: Consultation, actor, text: str) -> int:
    """The terms the draft uses, explained in plain words (术语解释), as the office typed them one a line; until the
    consultation closes (they are read with the draft). Audited. Returns how many."""
    from portal.consultations.terms import TermsRefused, read_terms, stored

    if consultation.is_closed:
        raise OfficeError("text", _l("征求意见已经截止，术语解释不能再修改。"))
    try:
        terms = stored(read_terms(text))
    except TermsRefused as refusal:
        raise OfficeError("text", " ".join(refusal.problems)) from refusal
    before = len(consultation.terms or [])
    consultation.terms = terms or None
    db.session.flush()
    record_action(actor, "terms", consultation, consultation_id=consultation.id, before={"terms": before},
                  after={"terms": len(terms)})
    return len(terms)


def set_questions(consultation: Consultation, actor, text: str) -> int:
    """The key questions (重点问题) as the office typed them one a line; until the consultation closes. Once it has
    opened, the questions already asked stay as they are (comments name them by number): more may follow them.
    Audited. Returns how many."""
    from portal.consultations.questions import QuestionsRefused, read_question_lines

    if consultation.is_closed:
        raise OfficeError("text", _l("征求意见已经截止，重点问题不能再修改。"))
    try:
        questions, choices, multiple = read_question_lines(text)
    except QuestionsRefused as refusal:
        raise OfficeError("text", " ".join(refusal.problems)) from refusal
    before = list(consultation.questions or [])
    chosen_before = list(consultation.question_choices or [None] * len(before))
    multiple_before = list(consultation.multiple_choice_questions or [])
    if consultation.state() == "open" and (questions[:len(before)] != before
                                           or choices[:len(before)] != chosen_before[:len(before)]
                                           or [n for n in multiple if n <= len(before)] != multiple_before):
        raise OfficeError("text", _l("征求意见已经开始，已经列出的问题和选项不能修改、删除或调整顺序（群众的意见和表态按编号对应"
                                     "这些问题），只能在后面增加新的问题。"))
    consultation.questions = questions or None
    consultation.question_choices = choices if any(choices) else None
    consultation.multiple_choice_questions = multiple or None
    db.session.flush()
    record_action(actor, "questions", consultation, consultation_id=consultation.id,
                  before={"questions": before, **({"choices": chosen_before} if any(chosen_before) else {}),
                          **({"multiple": multiple_before} if multiple_before else {})},
                  after={"questions": questions, **({"choices": choices} if any(choices) else {}),
                         **({"multiple": multiple} if multiple else {})})
    return len(questions)


def set_explanatory_note(consultation: Consultation, actor, *, text: str | None = None, data: bytes | None = None,
                         filename: str | None = None, max_bytes: int = 5 * 1024 * 1024) -> None:
    """Publish (or replace) the explanatory note beside the draft: from a .txt or .docx file when one is given,
    else the text typed in (a PDF with text too). Not once the consultation has closed: it is part of what was consulted on."""
    if consultation.is_closed:
        raise OfficeError("text", _l("征求意见已经截止，起草说明不能再修改。"))
    source = None
    if data:
        _refuse_too_large(data, max_bytes)
        try:
            text = read_draft(data, filename)
        except DraftReadError as error:
            raise OfficeError("file", error.message) from error
        source = clean_filename(filename)
    text = tidy(text or "")
    if not text:
        raise OfficeError("text", _l("请上传起草说明的文件，或者在下面填写。"))
    if len(text) > EXPLANATORY_NOTE_MAX:
        raise OfficeError("text", _l("起草说明不能超过 %(limit)s 个字。", limit=number_part(EXPLANATORY_NOTE_MAX)))
    before = consultation.explanatory_note
    consultation.explanatory_note, consultation.explanatory_note_filename = text, source
    db.session.flush()
    record_action(actor, "explanatory_note", consultation, consultation_id=consultation.id,
                  before={"characters": len(before or "")}, after={"characters": len(text), "file": source})


def remove_explanatory_note(consultation: Consultation, actor) -> None:
    if consultation.is_closed:
        raise OfficeError("text", _l("征求意见已经截止，起草说明不能再修改。"))
    if consultation.explanatory_note is None:
        return
    before = len(consultation.explanatory_note)
    consultation.explanatory_note = consultation.explanatory_note_filename = None
    db.session.flush()
    record_action(actor, "explanatory_note", consultation, consultation_id=consultation.id,
                  before={"characters": before}, after={"characters": 0, "file": None})


def publish_final_document(consultation: Consultation, actor, *, data: bytes | None, filename: str | None,
                           title: str | None, document_number: str | None, issued_on: date | None, note: str | None,
                           max_bytes: int) -> FinalDocument:
    """Publish (or correct) the policy as finally issued (正式文件) once the consultation has closed: its text read from
    the file as a draft's is (needed the first time; a correction may keep the text), its title (else the file's,
    without （征求意见稿）), number, date of issue (from the deadline's day to today) and the office's note on what the
    consultation changed. The consultation's followers are told once (kind ``followed``, event ``final``)."""
    if consultation.state() != "closed":
        raise OfficeError("file", _l("征求意见截止以后，才能公布正式印发的文件。"))
    existing = consultation.final_document
    if issued_on is None:
        raise OfficeError("issued_on", _l("请填写印发日期。"))
    deadline_day = local(consultation.deadline).date()
    if issued_on < deadline_day:
        raise OfficeError("issued_on", _l("印发日期不能早于征求意见截止的日期（%(day)s）。", day=date_part(deadline_day)))
    if issued_on > local(now()).date():
        raise OfficeError("issued_on", _l("印发日期不能晚于今天。"))
    parsed = text = None
    if data:
        text, parsed = _read_upload(data, filename, max_bytes)
    elif existing is None:
        raise OfficeError("file", _l("请上传正式印发的文件。"))
    document = existing or FinalDocument()
    before = {"title": existing.title, "issued_on": existing.issued_on.isoformat()} if existing else None
    if parsed is not None:
        document.source_text, document.filename = text, clean_filename(filename)
        whole = parsed.to_dict()
        document.sections = flat_sections(whole.get("sections") or [], tables=whole.get("tables") or [])
    draft_title = consultation.title
    document.title = issued_title(title or (parsed.title if parsed is not None else None) or
                                  (existing.title if existing else None), draft_title)[:300]
    document.document_number = (document_number or "").strip() or None
    document.issued_on = issued_on
    document.note = tidy(note or "") or None
    document.updated_at = now()
    consultation.final_document = document
    consultation.final_published_at = now()  # its pages change: their content token is renewed (trigger)
    db.session.flush()
    record_action(actor, "publish_final", consultation, consultation_id=consultation.id, before=before,
                  after={"title": document.title, "document_number": document.document_number,
                         "issued_on": issued_on.isoformat(), "file": document.filename if parsed is not None else None})
    if existing is None:
        queue_follower_mail(consultation, "final", str(document.id))  # its followers hear of it, once
        queue_issued_mail(consultation)  # and those who commented on it, once each
    return document


def remove_final_document(consultation: Consultation, actor) -> None:
    """Take the policy issued away again (published by mistake: another consultation's, say); audited."""
    document = consultation.final_document
    if document is None:
        return
    before = {"title": document.title, "issued_on": document.issued_on.isoformat()}
    consultation.final_document = None  # deleted: delete-orphan
    consultation.final_published_at = None
    db.session.flush()
    record_action(actor, "remove_final", consultation, consultation_id=consultation.id, before=before)


def add_published_file(consultation: Consultation, actor, *, title: str | None, data: bytes, filename: str | None,
                       max_bytes: int) -> ConsultationFile:
    """Publish a file beside the draft (a table of changes, a map): its kind found from its content, as a
    commenter's files are; titled as the office writes it, else by its name. Not after the deadline: what the draft
    was published with is then what was commented on (as its explanatory note, terms and questions)."""
    if consultation.is_closed:
        raise OfficeError("file", _l("征求意见已经截止，草案附带的文件不能再增删。"))
    if not data:
        raise OfficeError("file", _l("请选择要上传的文件。"))
    _refuse_too_large(data, max_bytes)
    name = clean_filename(filename)
    content_type = kind_of(name, data)
    if content_type is None:
        raise OfficeError("file", _l("“%(name)s”不是可以公布的文件。可以上传 PDF、Word、Excel、WPS、OFD、JPG、PNG 或 TXT "
                                     "文件，且文件内容要与扩展名相符。", name=chinese_part(name)))
    title = (title or "").strip()[:200] or name.rsplit(".", 1)[0]
    position = 1 + max((f.position for f in consultation.files), default=0)
    published = ConsultationFile(consultation_id=consultation.id, position=position, title=title, filename=name,
                                 content_type=content_type, size=len(data), data=data)
    consultation.files.append(published)
    db.session.flush()
    record_action(actor, "add_file", consultation, consultation_id=consultation.id,
                  after={"title": title, "file": name, "size": len(data)})
    return published


def remove_published_file(consultation: Consultation, actor, file_id: int) -> None:
    if consultation.is_closed:
        raise OfficeError("file", _l("征求意见已经截止，草案附带的文件不能再增删。"))
    published = next((f for f in consultation.files if f.id == file_id), None)
    if published is None:
        raise OfficeError("file", _l("这个文件已经删除了。"))
    consultation.files.remove(published)
    db.session.flush()
    record_action(actor, "remove_file", consultation, consultation_id=consultation.id,
                  before={"title": published.title, "file": published.filename})
