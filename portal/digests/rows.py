"""What a digest holds: its metadata and its rows, and the cell-level safety rules. Pure, no app context."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime

from portal.comments.organisations import signed
from portal.core.textwidth import display_width  # width in Excel character units
from portal.core.xmltext import xml_text

WEB_CHANNEL = "网上提交"  # DigestRow.channel of an opinion sent through the portal
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class DigestSection:
    key: int | None  # top-level section id; None: the whole draft (and sections of earlier revisions)
    heading: str
    count: int = 0


@dataclass(frozen=True)
class DigestMeta:
    title: str  # the consultation's title
    issuer: str | None
    period: str  # "2023年4月12日至2023年5月12日"
    summary: str  # the closing summary, or the interim count
    interim: bool  # still open: a 中期汇总
    generated: str  # "2023年5月13日 09:00"
    with_contacts: bool
    sections: list[DigestSection] = field(default_factory=list)
    # the sentences of the draft quoted by the most comments received: (sentence, its section's title, comments);
    # in a digest of every comment only
    quoted: list[tuple[str, str, int]] = field(default_factory=list)
    # in a digest of every comment: who made them (个人, then each kind of organisation), when any organisation did;
    # and the comments of each key question (重点问题: "问题1：……"), when the consultation asked any
    commenters: list[tuple[str, int]] = field(default_factory=list)
    questions: list[tuple[str, int]] = field(default_factory=list)
    # readers' choices among a key question's options (表态), a question a list: ("问题1：……", [(choice, count)])
    choices: list[tuple[str, list[tuple[str, int]]]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(section.count for section in self.sections)

    @property
    def document_title(self) -> str:
        suffix = "意见汇总（中期汇总）" if self.interim else "意见汇总"
        return f"《{self.title}》公开征求意见{suffix}"


@dataclass(frozen=True)
class DigestRow:
    number: int
    top_key: int | None
    section: str  # the section commented on (a subsection of the top-level one), or 草案整体
    quote: str  # the words of the draft it is about (引用原文), or ""
    opinion: str
    stance: str
    author_name: str
    contact: str  # "" unless the export is "with contacts"
    receipt_number: str
    submitted: str
    channel: str  # how it reached the office: 网上提交, or typed in by the office (电子邮件, 信函 …)
    status: str
    outcome: str
    reason: str
    published: str
    attachments: str = ""  # the names of the files sent with it, 、-separated (the files: the office's ZIP)
    attachment_text: str = ""  # the words read from those files, each under its name (comments/attachment_text.py)
    unit_advice: str = ""  # the responsible units' advice on answering it (responses/advice.py), one a line
    section_id: int | None = None  # the section commented on (no column: the annotated copy anchors on it)
    proposal: str = ""  # the wording it proposes instead of the quoted words, or to add (建议修改为), or ""
    created_at: datetime | None = None  # when it was made (no column: ``submitted`` says it in Chinese)
    organisation: str = ""  # on whose behalf it was made (以单位名义), or ""; ``author_name`` then "" when unsigned
    organisation_kind: str = ""  # that organisation's kind, in words (企业, 行业协会、商会 …), or ""
    question: str = ""  # the key question (重点问题) it answers: "问题2：……", or ""
    agreements: int = 0  # how many readers agreed with it on the portal (赞同: portal/comments/agreements.py)

    @property
    def signature(self) -> str:
        """Who made it, in one line: 某某协会（张三）, 张三, 匿名."""
        return signed(self.author_name or None, self.organisation or None)


COLUMNS = [  # (field, header, width in Excel character units: a Chinese character takes two)
    ("number", "序号", 7),
    ("section", "章节", 30),
    ("quote", "针对原文", 30),
    ("opinion", "意见", 60),
    ("proposal", "建议修改为", 30),
    ("stance", "态度", 8),
    ("author_name", "提出人", 14),
    ("contact", "联系方式", 24),
    ("organisation", "提出单位", 24),
    ("organisation_kind", "单位类别", 12),
    ("receipt_number", "回执号", 19),
    ("submitted", "提交时间", 18),
    ("channel", "收到方式", 10),
    ("status", "审核状态", 10),
    ("outcome", "答复", 10),
    ("reason", "理由", 50),
    ("published", "答复是否公布", 14),
    ("attachments", "附件", 24),
    ("attachment_text", "附件文字（系统读出）", 60),
    ("unit_advice", "责任单位建议", 40),
    ("question", "针对的问题", 40),
    ("agreements", "赞同人数", 10),
]
WRAPPED = {"section", "quote", "proposal", "opinion", "reason", "attachment_text", "unit_advice", "question"}


def columns(with_contacts: bool) -> list[tuple[str, str, int]]:
    return [c for c in COLUMNS if with_contacts or c[0] != "contact"]


def column_width(header: str, preset: int) -> int:
    return max(preset, display_width(header) + 4)


def neutralise_formula(value):
    """A text starting with = + - @ (or a tab or carriage return) gets a leading apostrophe, so that a
    spreadsheet shows it as text instead of running it as a formula (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(header: list[str], rows) -> bytes:
    """A small CSV file (the archive's records, a meeting's sign-ups): UTF-8 with the byte order mark Excel needs to
    open it, each value as text (None: empty), a formula neutralised."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise_formula("" if value is None else str(value)) for value in row])
    return text.getvalue().encode("utf-8-sig")


def safe_sheet_title(heading: str, taken: set[str]) -> str:
    """An Excel sheet name: no []:*?/\\, at most 31 characters, unique in the workbook."""
    title = re.sub(r"[\[\]:*?/\\]", "", xml_text(heading)).strip().strip("'") or "章节"
    title = title[:31]
    candidate, n = title, 2
    while candidate.lower() in taken:
        tail = f"({n})"
        candidate, n = title[: 31 - len(tail)] + tail, n + 1
    taken.add(candidate.lower())
    return candidate


def wording_lines(row: DigestRow, quote_note: str = "") -> str:
    """The words of the draft a comment quotes and the wording it proposes, as the Word documents write them above its
    text: 针对原文：「…」 and 建议修改为：「…」 (建议增加或修改为 when it quotes nothing); ``quote_note`` follows the quotation."""
    lines = [f"针对原文：「{row.quote}」{quote_note}"] if row.quote else []
    if row.proposal:
        lines.append(f"{'建议修改为' if row.quote else '建议增加或修改为'}：「{row.proposal}」")
    return "\n".join(lines)
