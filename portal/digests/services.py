"""Build the office's digest (意见汇总) of a consultation: rows streamed from the database with yield_per."""
from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from typing import BinaryIO

from sqlalchemy import case, func, null, select
from sqlalchemy.orm import aliased

from portal.consultations.choices import choice_results
from portal.audit.services import record_action
from portal.comments.models import Comment, CommentAttachment, comment_received
from portal.comments.organisations import KIND_NAMES
from portal.consultations.questions import asked_question
from portal.consultations.models import Consultation
from portal.consultations.services import closing_summary
from portal.core.official_docx import DOCX
from portal.core.time import SHANGHAI, chinese_date, now
from portal.digests.docx_writer import write_docx
from portal.digests.rows import WEB_CHANNEL, DigestMeta, DigestRow, DigestSection
from portal.digests.writers import write_csv, write_xlsx
from portal.drafts.models import Section
from portal.extensions import db
from portal.responses.filters import ResponseFilters, conditions
from portal.responses.models import Response, UnitAdvice

# the responses page's commenter filter in the digest's words (the kinds of organisation: KIND_NAMES)
COMMENTER_NAMES = {"person": "个人", "organisation": "单位（以单位名义）"}

FORMATS = {
    "csv": ("text/csv", write_csv),  # Flask adds "; charset=utf-8" to a text type (it was said twice)
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", write_xlsx),
    "docx": (DOCX, write_docx),
}
WHOLE_DRAFT = "对草案整体的意见"
STANCES = {"support": "赞成", "oppose": "反对", "suggest": "建议"}
STATUSES = {"pending": "待审核", "approved": "已公开", "hidden": "已隐藏", "spam": "垃圾信息"}
CHANNELS = {"web": WEB_CHANNEL, "email": "电子邮件", "letter": "信函", "fax": "传真", "phone": "电话", "in_person": "当面提交",
            "meeting": "座谈会等会议"}
OUTCOMES = {"adopted": "采纳", "partly_adopted": "部分采纳", "not_adopted": "不采纳", "explained": "情况说明"}
ANSWER_STATES = {"unanswered": "未答复", "drafted": "已起草、未公布", "published": "已公布"}  # responses/filters.py
BATCH = 1000


def _chinese_datetime(moment) -> str:
    return f"{chinese_date(moment)} {moment.astimezone(SHANGHAI):%H:%M}"


def _section_maps(consultation: Consultation) -> tuple[list[Section], dict[int, Section], dict[int, str]]:
    draft = consultation.current_draft
    sections = list(draft.sections) if draft else []
    top_of: dict[int, Section] = {}
    for section in sections:  # document order: a parent comes before its children
        top_of[section.id] = top_of[section.parent_id] if section.parent_id in top_of else section
    return sections, top_of, {s.id: s.title for s in sections}


def _received(consultation: Consultation, filters: ResponseFilters | None):
    """The conditions of the comments a digest holds: every comment received (no filters), or those the office's
    filters (the responses page's) narrow it to."""
    return conditions(consultation.id, filters or ResponseFilters())


def describe_filters(consultation: Consultation, filters: ResponseFilters) -> str:
    """The filters in words, for a digest of the comments they give (the digest is in Chinese, as the office's
    documents are)."""
    parts = []
    if filters.section == "whole":
        parts.append(f"章节：{WHOLE_DRAFT}")
    elif filters.section:
        section = db.session.get(Section, int(filters.section))
        if section is not None and section.draft.consultation_id == consultation.id:
            parts.append(f"章节：{section.title}")
    if filters.answer:
        parts.append(f"答复情况：{ANSWER_STATES[filters.answer]}")
    if filters.stance:
        parts.append(f"态度：{STANCES[filters.stance]}")
    if filters.letter:
        parts.append("同一份同文意见的各份")
    if filters.text:
        parts.append(f"包含“{filters.text}”")
    if filters.advised:
        parts.append("责任单位提出了处理建议")
    if filters.proposed:
        parts.append("提出了修改文字")
    if filters.agreed:
        parts.append("有网友赞同")
    if filters.question is not None:
        asked = asked_question(consultation.questions, filters.question)
        parts.append(f"针对问题{filters.question}：{asked}" if asked else f"针对问题{filters.question}")
    if filters.commenter:
        parts.append(f"提出者：{COMMENTER_NAMES.get(filters.commenter) or KIND_NAMES[filters.commenter]}")
    if filters.passage is not None:
        from portal.comments.quotes import received_quoting

        words = received_quoting(consultation, filters.passage)[0]
        parts.append(f"引用了“{words}”" if words else "引用了草案中的一句话")
    return "；".join(parts)


def digest_meta(consultation: Consultation, with_contacts: bool = False,
                filters: ResponseFilters | None = None) -> DigestMeta:
    sections, top_of, _ = _section_maps(consultation)
    counts: dict[int | None, int] = {}
    rows = db.session.execute(
        select(Comment.section_id, func.count()).where(*_received(consultation, filters)).group_by(Comment.section_id)
    )
    for section_id, count in rows:
        key = top_of[section_id].id if section_id in top_of else None
        counts[key] = counts.get(key, 0) + count
    digest_sections = [
        DigestSection(s.id, s.title, counts.get(s.id, 0)) for s in sections
        if s.parent_id is None and (filters is None or counts.get(s.id))  # a filtered digest: its parts only
    ] + [DigestSection(None, WHOLE_DRAFT, counts.get(None, 0))]
    interim = not consultation.is_closed
    total = sum(counts.values())
    if filters is not None:
        received = db.session.scalar(select(func.count()).where(comment_received(consultation.id)))
        summary = (f"本文件只含筛选出的意见（{describe_filters(consultation, filters) or '全部'}），"
                   f"共{total}条；截至{_chinese_datetime(now())}，共收到反馈意见{received}条。")
    else:
        summary = closing_summary(consultation) if not interim else (
            f"征求意见尚未截止。截至{_chinese_datetime(now())}，已收到反馈意见{total}条，本汇总为中期汇总。"
        )
    opens = chinese_date(consultation.opens_at) if consultation.opens_at else ""
    deadline = chinese_date(consultation.deadline) if consultation.deadline else ""
    return DigestMeta(
        title=consultation.title,
        issuer=consultation.issuer,
        period=f"{opens}至{deadline}" if opens else deadline,
        summary=summary or "",
        interim=interim,
        generated=_chinese_datetime(now()),
        with_contacts=with_contacts,
        sections=digest_sections,
        quoted=_quoted(consultation) if filters is None else [],
        commenters=_commenters(consultation) if filters is None else [],
        questions=_questions(consultation) if filters is None else [],
        choices=[(f"问题{r.number}：{r.question}" + (f"（可多选，{r.total}人表态）" if r.multiple else ""), r.counts)
                 for r in choice_results(consultation)]
        if filters is None else [],
    )


def _commenters(consultation: Consultation) -> list[tuple[str, int]]:
    """个人 and each kind of organisation with the comments they made, when any organisation made one."""
    from portal.reports.services import commenter_counts

    counts = commenter_counts(consultation)
    if not any(count for who, count in counts.items() if who != "person"):
        return []
    return [("个人" if who == "person" else KIND_NAMES[who], count) for who, count in counts.items() if count]


def _questions(consultation: Consultation) -> list[tuple[str, int]]:
    """Each key question (重点问题) with the comments answering it."""
    from portal.reports.services import question_counts

    asked = consultation.questions or []
    return [(f"问题{number}：{asked[number - 1]}", count) for number, count in question_counts(consultation).items()]


QUOTED_IN_DIGEST = 50  # sentences listed on the summary sheet


def _quoted(consultation: Consultation) -> list[tuple[str, str, int]]:
    from portal.comments.quotes import most_quoted

    quoted = most_quoted(consultation, QUOTED_IN_DIGEST)
    titles = {s.id: s.title for s in consultation.current_draft.sections} if quoted else {}
    return [(item.passage.text, titles.get(item.passage.section_id, ""), item.comments) for item in quoted]


def digest_rows(
    consultation: Consultation, with_contacts: bool = False, progress: Callable[[int], None] | None = None,
    filters: ResponseFilters | None = None,
) -> Iterator[DigestRow]:
    """Every comment received (spam excluded), in the order of the draft, streamed in batches.

    Only plain columns are selected (no ORM objects), and the contact column only when asked for.
    """
    _, top_of, titles = _section_maps(consultation)
    files = _files(consultation)
    advice = _advice(consultation)
    draft = consultation.current_draft
    in_current = case((Section.draft_id == (draft.id if draft else -1), Section.position), else_=None)
    contact = Comment.author_contact if with_contacts else null()
    parent = aliased(Comment)  # a reply has no stance of its own: its column names the comment it answers
    query = (
        select(
            Comment.id, Comment.section_id, Comment.quote, Comment.proposal, Comment.body, Comment.stance, Comment.author_name, contact,
            Comment.organisation, Comment.organisation_kind, Comment.question,
            Comment.receipt_number, Comment.created_at, Comment.channel, Comment.meeting_id, Comment.status,
            Response.outcome, Response.reason, Response.published_at, Comment.agreement_count, parent.receipt_number,
        )
        .outerjoin(Section, Section.id == Comment.section_id)
        .outerjoin(parent, parent.id == Comment.parent_id)
        .outerjoin(Response, Response.comment_id == Comment.id)
        .where(*_received(consultation, filters))
        .order_by(in_current.is_(None), in_current, Comment.created_at, Comment.id)
        .execution_options(yield_per=BATCH)
    )
    number = 0
    questions = consultation.questions or []
    meetings = {m.id: m.title for m in consultation.meetings}  # an opinion voiced at one names it
    for (comment_id, section_id, quote, proposal, body, stance, name, contact_value, organisation, kind, question,
         receipt, created, channel, meeting_id, status, outcome, reason, published, agreements,
         answered) in db.session.execute(query):
        number += 1
        top = top_of.get(section_id)
        yield DigestRow(
            number=number,
            top_key=top.id if top else None,
            section=titles.get(section_id, "草案整体"),
            quote=quote or "",
            proposal=proposal or "",
            opinion=body,
            stance=f"回复 {answered}" if answered else STANCES.get(stance, stance),
            author_name=name or ("" if organisation else "匿名"),
            organisation=organisation or "",
            organisation_kind=KIND_NAMES.get(kind, KIND_NAMES["other"]) if organisation else "",
            question=f"问题{question}：{asked}" if (asked := asked_question(questions, question)) else "",
            contact=(contact_value or "") if with_contacts else "",
            receipt_number=receipt,
            submitted=_chinese_datetime(created),
            channel=CHANNELS.get(channel, channel) + (f"（{meetings[meeting_id]}）" if meeting_id in meetings else ""),
            status=STATUSES.get(status, status),
            outcome=OUTCOMES.get(outcome, ""),
            reason=reason or "",
            published="已公布" if published else ("未公布" if outcome else ""),
            attachments="、".join(name for name, _text in files.get(comment_id, ())),
            attachment_text=_file_texts(files.get(comment_id, ())),
            unit_advice="\n".join(advice.get(comment_id, ())),
            section_id=section_id,
            created_at=created,
            agreements=agreements or 0,
        )
        if progress is not None and number % BATCH == 0:
            progress(BATCH)
    if progress is not None and number % BATCH:
        progress(number % BATCH)


def _files(consultation: Consultation) -> dict[int, list[tuple[str, str | None]]]:
    """The names of the files sent with the consultation's comments and the words read from them, by comment (few
    comments have any: held in memory while the rows stream)."""
    found: dict[int, list[tuple[str, str | None]]] = {}
    for comment_id, filename, text in db.session.execute(
            select(CommentAttachment.comment_id, CommentAttachment.filename, CommentAttachment.text)
            .join(Comment, Comment.id == CommentAttachment.comment_id).where(comment_received(consultation.id))
            .order_by(CommentAttachment.comment_id, CommentAttachment.position)):
        found.setdefault(comment_id, []).append((filename, text))
    return found


def _advice(consultation: Consultation) -> dict[int, list[str]]:
    """The responsible units' advice on the consultation's comments, by comment, each as one line: 市民政局（张科长）：
    部分采纳。理由 (few comments have any: held in memory while the rows stream)."""
    found: dict[int, list[str]] = {}
    for comment_id, names, author, outcome, reason in db.session.execute(
            select(UnitAdvice.comment_id, UnitAdvice.unit_names, UnitAdvice.author_name, UnitAdvice.outcome,
                   UnitAdvice.reason)
            .where(UnitAdvice.consultation_id == consultation.id)
            .order_by(UnitAdvice.comment_id, UnitAdvice.created_at, UnitAdvice.id)):
        who = "、".join(names or []) + (f"（{author}）" if author else "")
        found.setdefault(comment_id, []).append(f"{who}：{OUTCOMES.get(outcome, outcome)}。{reason}")
    return found


def _file_texts(files: list[tuple[str, str | None]]) -> str:
    """Each file's words under its name; files without words (a photo) are left out."""
    return "\n\n".join(f"【{name}】\n{text}" for name, text in files if text)


def digest_filename(consultation: Consultation, fmt: str, with_contacts: bool = False, filtered: bool = False,
                    ascii: bool = False) -> str:
    """The digest's file name; ``ascii``: its ASCII twin, for the programs that read only that one."""
    if ascii:
        kind = "interim-digest" if not consultation.is_closed else "digest"
        contacts, part = "-with-contacts" if with_contacts else "", "-filtered" if filtered else ""
    else:
        kind = "中期汇总" if not consultation.is_closed else "意见汇总"
        contacts, part = "-含联系方式" if with_contacts else "", "-筛选" if filtered else ""
    return f"consultation-{consultation.id}-{kind}{part}{contacts}.{fmt}"


def build_digest(
    consultation: Consultation,
    fmt: str,
    out: BinaryIO,
    actor,
    with_contacts: bool = False,
    progress: Callable[[int], None] | None = None,
    filters: ResponseFilters | None = None,
) -> int:
    """Write the digest in ``fmt`` to ``out``: of every comment received, or of those ``filters`` give (the
    responses page's); an export with contacts is recorded in the audit log as ``actor``'s (None: not here, the
    export worker's file is audited when downloaded).

    Returns the number of comments written.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown digest format {fmt!r}")
    meta = digest_meta(consultation, with_contacts, filters)
    if with_contacts and actor is not None:  # None: built by the export worker, audited at its download
        record_action(
            actor, "export_contacts", consultation, consultation_id=consultation.id,
            after={"format": fmt, "comments": meta.total} | ({"filters": filters.args(page=1)} if filters else {}),
            reason="导出含联系方式的意见汇总",
        )
    return FORMATS[fmt][1](meta, digest_rows(consultation, with_contacts, progress, filters), out)


def attachment_totals(consultation: Consultation) -> tuple[int, int, int]:
    """(files, comments with files, bytes of their files) of the comments received (spam left out): what the office's
    ZIP holds (the answering page says how many files), by which it is built in the request or by the export worker
    (exports.attachments_built_by_worker)."""
    files, comments, size = db.session.execute(
        select(func.count(CommentAttachment.id), func.count(func.distinct(CommentAttachment.comment_id)),
               func.sum(CommentAttachment.size))
        .join(Comment, Comment.id == CommentAttachment.comment_id).where(comment_received(consultation.id))).one()
    return files or 0, comments or 0, size or 0


def attachments_filename(consultation: Consultation, ascii: bool = False) -> str:
    return f"consultation-{consultation.id}-{'attachments' if ascii else '附件'}.zip"


def write_attachments_zip(consultation: Consultation, out: BinaryIO, actor) -> int:
    """Write every file sent with the consultation's comments (spam excluded) into a ZIP on ``out``, each in a
    folder named after its comment's receipt number (the digest's 回执号 and 附件 columns lead to it), read from
    the database a few at a time. The download is audited as ``actor``'s: files may hold what their senders did not
    publish (None: not here, the export worker's file is audited when downloaded). Returns the number of files
    written."""
    written = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        taken: set[str] = set()
        for receipt_number, attachment in received_files(consultation):
            name = unused_name(f"{receipt_number}/{attachment.filename}", taken)
            info = zipfile.ZipInfo(name, date_time=attachment.created_at.astimezone(SHANGHAI).timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, attachment.data)
            written += 1
    if actor is not None:  # None: built by the export worker, audited at its download
        record_action(actor, "export_attachments", consultation, consultation_id=consultation.id,
                      after={"files": written}, reason="下载意见附件")
    return written


def received_files(consultation: Consultation):
    """(receipt number, file) of every file sent with the consultation's comments received, in the order they came,
    read from the database a few at a time; each file is let go by the session once the caller is done with it."""
    from sqlalchemy.orm import undefer

    query = (select(Comment.receipt_number, CommentAttachment)
             .join(Comment, Comment.id == CommentAttachment.comment_id).where(comment_received(consultation.id))
             .options(undefer(CommentAttachment.data))
             .order_by(Comment.created_at, Comment.id, CommentAttachment.position)
             .execution_options(yield_per=20))
    for receipt_number, attachment in db.session.execute(query):
        yield receipt_number, attachment
        db.session.expunge(attachment)  # its data is written: not kept by the session


def unused_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name`` with " (2)", " (3)" … before its extension when a file of that name is in already."""
    stem, dot, extension = name.rpartition(".")
    if not dot or "/" in extension:
        stem, dot, extension = name, "", ""
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        candidate = f"{stem} ({number}){dot}{extension}"
    taken.add(candidate)
    return candidate
