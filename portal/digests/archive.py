"""The archive of a consultation (归档材料): everything the drafting office files once a consultation is over, in one
ZIP: each version of the draft as a Word document with its change note, the explanatory note, the files published
beside it, the digest of the comments (Excel, Word, CSV, without contacts), the annotated draft, the files commenters
sent, the closing summary and the feedback report, the extensions of the deadline, the meetings held and the audit log of everything
done to it; and a manifest (说明.txt) naming each file with its SHA-256, so that the archive can be checked later.

Written to a file the caller gives (a temporary file for a download, a path for ``flask digests archive``); the files
are read from the database a few at a time. The download is audited.
"""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import undefer

from portal.audit.labels import ACTION_LABELS
from portal.audit.models import AuditEntry
from portal.audit.services import record_action
from portal.comments.attachments import clean_filename
from portal.consultations.models import Consultation, ConsultationFile, DeadlineExtension
from portal.core.time import SHANGHAI, chinese_date, now
from portal.digests.rows import csv_bytes
from portal.digests.services import FORMATS, build_digest, received_files, unused_name
from portal.extensions import db

DRAFTS, COMMENTS, RESULT, RECORDS = "1-草案", "2-意见", "3-结果", "4-记录"


def archive_filename(consultation: Consultation, ascii: bool = False) -> str:
    return f"consultation-{consultation.id}-{'archive' if ascii else '归档材料'}.zip"


@dataclass
class Archived:
    """What the archive holds: each file's name, size and SHA-256, and what could not be put in."""

    files: list[tuple[str, int, str]] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)


class _Writer:
    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self.done = Archived()
        self.taken: set[str] = set()

    def add(self, name: str, data: bytes, moment: datetime | None = None) -> None:
        name = unused_name(name, self.taken)
        info = zipfile.ZipInfo(name, date_time=(moment or now()).astimezone(SHANGHAI).timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        self.archive.writestr(info, data)
        self.done.files.append((name, len(data), hashlib.sha256(data).hexdigest()))


def write_archive(consultation: Consultation, out: BinaryIO, actor) -> Archived:
    """Write the consultation's archive as a ZIP on ``out``; audited as ``actor``'s download (None: not audited).
    Returns what it holds."""
    with force_locale("zh_CN"), zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        writer = _Writer(archive)
        _drafts(consultation, writer)
        _comments(consultation, writer)
        _result(consultation, writer)
        _records(consultation, writer)
        writer.add("说明.txt", _manifest(consultation, writer.done).encode("utf-8-sig"))
    if actor is not None:  # None: built by the export worker, audited when the office downloads it (exports.py)
        record_action(actor, "export_archive", consultation, consultation_id=consultation.id,
                      after={"files": len(writer.done.files)}, reason="下载归档材料")
    return writer.done


def _drafts(consultation: Consultation, writer: _Writer) -> None:
    from portal.drafts.document import document_facts, document_filename, draft_document
    from portal.drafts.services import load_tree
    from portal.mail.links import external_url

    link = external_url("consultations.show", consultation_id=consultation.id)
    for draft in sorted(consultation.drafts, key=lambda d: d.version):
        load_tree(draft)
        name = document_filename(consultation, draft)
        writer.add(f"{DRAFTS}/第{draft.version}版-{name}",
                   draft_document(document_facts(consultation, draft, link), draft), draft.created_at)
        source = draft.source_filename or "原文.txt"
        writer.add(f"{DRAFTS}/第{draft.version}版-导入的原文（{clean_filename(source)}）.txt",
                   draft.source_text.encode("utf-8"), draft.created_at)
    if consultation.explanatory_note:
        writer.add(f"{DRAFTS}/起草说明.txt", consultation.explanatory_note.encode("utf-8"))
    files = db.session.scalars(select(ConsultationFile).where(ConsultationFile.consultation_id == consultation.id)
                               .options(undefer(ConsultationFile.data)).order_by(ConsultationFile.position))
    for published in files:
        extension = published.filename.rpartition(".")[2] if "." in published.filename else ""
        title = clean_filename(published.title)
        name = title if not extension or title.lower().endswith("." + extension.lower()) else f"{title}.{extension}"
        writer.add(f"{DRAFTS}/相关文件/{name}", published.data, published.created_at)


def _comments(consultation: Consultation, writer: _Writer) -> None:
    from portal.digests.annotated import TooManyToAnnotate, annotated_document, comments_to_annotate
    from portal.drafts.services import load_tree
    from portal.responses.filters import ResponseFilters

    for fmt in FORMATS:  # every format of the digest
        buffer = io.BytesIO()
        build_digest(consultation, fmt, buffer, "system")
        writer.add(f"{COMMENTS}/意见汇总.{fmt}", buffer.getvalue())
    try:  # the annotated draft's cap as the office's download and the export worker ask it
        total = comments_to_annotate(consultation, ResponseFilters())
    except TooManyToAnnotate as refused:  # in the words of the download's refusal
        writer.done.left_out.append(f"批注版草案：意见有 {refused.count:,} 条，批注版草案一次最多放 {refused.most:,} 条。"
                                    "请在答复页面按章节等条件筛选后分别下载。")
    else:
        if consultation.current_draft is not None and total > 0:
            load_tree(consultation.current_draft)
            writer.add(f"{COMMENTS}/批注版草案.docx", annotated_document(consultation))
    for receipt_number, attachment in received_files(consultation):
        writer.add(f"{COMMENTS}/附件/{receipt_number}/{attachment.filename}", attachment.data, attachment.created_at)


def _result(consultation: Consultation, writer: _Writer) -> None:
    from portal.consultations.services import closing_summary
    from portal.reports.document import WHOLE_DRAFT, feedback_document, report_facts
    from portal.reports.services import feedback_groups

    if not consultation.is_closed:
        writer.done.left_out.append("结果说明和意见采纳情况反馈：征求意见还没有截止。")
        return
    summary = closing_summary(consultation) or ""
    writer.add(f"{RESULT}/结果说明.txt", summary.encode("utf-8"))
    facts = report_facts(consultation, summary, now())
    writer.add(f"{RESULT}/意见采纳情况反馈.docx", feedback_document(facts, feedback_groups(consultation, WHOLE_DRAFT)))
    final = consultation.issued_policy
    if final is not None:  # the policy as issued (正式文件): its facts, the office's note and the text as imported
        facts_lines = [f"《{final.title}》", f"文号：{final.document_number or '无'}",
                       f"印发日期：{chinese_date(final.issued_on)}",
                       f"吸收采纳意见的情况：{final.note or '（未填写）'}", "", final.source_text]
        writer.add(f"{RESULT}/正式文件（{clean_filename(final.filename or '正文.txt')}）.txt",
                   "\r\n".join(facts_lines).encode("utf-8-sig"), final.updated_at)


def _records(consultation: Consultation, writer: _Writer) -> None:
    extensions = db.session.scalars(
        select(DeadlineExtension).where(DeadlineExtension.consultation_id == consultation.id)
        .order_by(DeadlineExtension.at)).all()
    if extensions:
        writer.add(f"{RECORDS}/延期记录.csv", csv_bytes(
            ["延期时间", "操作人", "原截止时间", "新截止时间", "理由"],
            [[_moment(e.at), e.actor_label, _moment(e.old_deadline), _moment(e.new_deadline), e.reason]
             for e in extensions]))
    if consultation.meetings:  # without who signed up: their names and contacts stay with the office's own list
        from portal.meetings.services import registration_counts
        from portal.meetings.summary import KIND_NAMES

        counts = registration_counts(consultation.meetings)
        writer.add(f"{RECORDS}/座谈会、听证会.csv", csv_bytes(
            ["会议形式", "会议名称", "开始时间", "结束时间", "地点", "公开报名名额", "报名人数", "确定参加人数", "状态",
             "会议情况"],
            [[KIND_NAMES[m.kind], m.title, _moment(m.starts_at), _moment(m.ends_at), m.place, m.seats or "",
              sum(n for status, n in counts[m.id].items() if status != "withdrawn"), counts[m.id].get("accepted", 0),
              f"已取消：{m.cancel_reason or ''}" if m.is_cancelled else "", m.minutes or ""]
             for m in consultation.meetings]))
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.consultation_id == consultation.id)
                                 .order_by(AuditEntry.at, AuditEntry.id).execution_options(yield_per=500))
    writer.add(f"{RECORDS}/操作记录.csv", csv_bytes(
        ["时间", "操作人", "操作", "对象", "对象编号", "之前", "之后", "理由"],
        ([_moment(e.at), e.actor_label, str(ACTION_LABELS.get(e.action, e.action)), e.target_type, e.target_id,
          _json(e.before), _json(e.after), e.reason] for e in entries)))


def _moment(value: datetime | None) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""


def _manifest(consultation: Consultation, done: Archived) -> str:
    from portal.consultations.services import closing_summary

    lines = [
        f"《{consultation.title}》公开征求意见 归档材料",
        "",
        f"发布单位：{consultation.issuer or ''}",
        f"征求意见时间：{_moment(consultation.opens_at)} 至 {_moment(consultation.deadline)}（北京时间）",
        f"状态：{'已截止' if consultation.is_closed else '尚未截止（本材料为中期材料）'}",
    ]
    if consultation.is_closed:
        lines.append(f"结果说明：{closing_summary(consultation) or ''}")
    lines += [
        f"生成时间：{_moment(now())}（{chinese_date(now())}）",
        "",
        "意见汇总不含提出人的联系方式；需要时请在答复页面确认后另行下载（记入操作记录）。",
        "意见附件按回执号分文件夹存放，与意见汇总的“回执号”“附件”两列对应。",
        "",
        "文件清单（大小，SHA-256 校验值）：",
    ]
    lines += [f"{name}\t{size} 字节\t{digest}" for name, size, digest in done.files]
    if done.left_out:
        lines += ["", "未包含："] + done.left_out
    return "\r\n".join(lines) + "\r\n"
