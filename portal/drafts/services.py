"""Import a draft: read the file, parse it, store it as an unpublished consultation. Flushes, never commits."""
from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from portal.consultations.models import Consultation
from portal.core.time import parse_iso
from portal.drafts.anchors import section_anchor
from portal.drafts.models import Draft, DraftTable, Section
from portal.drafts.parser import DraftParseError, ParsedDraft, Warning_, parse_draft
from portal.drafts.readers import PDF_MAGIC, DraftReadError, docx_revisions, read_draft
from portal.extensions import db

__all__ = ["DraftImportError", "parse_file", "import_draft"]

log = logging.getLogger(__name__)


class DraftImportError(ValueError):
    """A file that cannot become a draft; ``message`` is for the office, in plain Chinese."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def parse_file(data: bytes, filename: str | None = None) -> tuple[str, ParsedDraft]:
    """Read and parse an uploaded file; raise :class:`DraftImportError` with a clear message. A Word file still
    holding tracked changes (修订) is read as if they were all accepted, and a warning says so; a PDF's text is
    worth checking against the file, and a warning says that too."""
    try:
        text = read_draft(data, filename)
        parsed = parse_draft(text)
    except (DraftReadError, DraftParseError) as error:
        raise DraftImportError(error.code, error.message) from error
    except Exception as error:  # a file the reader or parser trips over: a clear message, the cause in the log
        log.exception("draft import: %s could not be read", filename or "text")
        raise DraftImportError(
            "unreadable", "这份文件没能读出分段。请检查文件是否完整，或把正文复制成纯文本（.txt）后重新上传；"
            "仍有问题请联系平台管理员。") from error
    if data.startswith(PDF_MAGIC):
        parsed.warnings.insert(0, Warning_(
            "pdf_source", None,
            "这份草案的文字是从 PDF 文件中读出的：请对照原文件核对分段、表格，以及页眉页脚是否混进了正文。"
            "有 Word 文件的，上传 Word 文件更准确。"))
    revisions = docx_revisions(data)
    if revisions:
        parsed.warnings.insert(0, Warning_(
            "tracked_changes", None,
            f"这份 Word 文件里还有 {revisions} 处没有处理的修订（修订模式下的插入或删除），已按“接受所有修订”后的文字导入。"
            "请对照原文件核对；如果有的修订不应采纳，请在 Word 中处理好修订后重新上传。"))
    return text, parsed


def import_draft(parsed: dict, source_text: str, filename: str | None = None) -> Consultation:
    """Store a parsed draft (``ParsedDraft.to_dict()``) as a new, unpublished consultation."""
    contact = parsed.get("contact") or {}
    consultation = Consultation(
        title=_fit(parsed["title"] or (filename or "未命名征求意见稿"), Consultation.title),
        is_draft_for_comment=bool(parsed.get("is_draft_for_comment")),
        issuer=_fit(parsed.get("issuer"), Consultation.issuer),
        notice_date=date.fromisoformat(parsed["notice_date"]) if parsed.get("notice_date") else None,
        addressee=_fit(parsed.get("addressee"), Consultation.addressee),
        notice_text=parsed.get("notice") or "",
        contact_office=_fit(contact.get("office"), Consultation.contact_office),
        contact_person=_fit(contact.get("person"), Consultation.contact_person),
        contact_phones=list(contact.get("phones") or []),
        contact_emails=list(contact.get("emails") or []),
        contact_address=_fit(contact.get("address"), Consultation.contact_address),
        deadline=parse_iso(parsed["deadline"]) if parsed.get("deadline") else None,
        comment_visibility="public",
    )
    db.session.add(consultation)
    add_draft(consultation, parsed, source_text, filename)
    db.session.flush()
    return consultation


def add_draft(consultation: Consultation, parsed: dict, source_text: str, filename: str | None) -> Draft:
    version = (consultation.current_draft.version + 1) if consultation.drafts else 1
    draft = Draft(
        consultation=consultation,
        version=version,
        source_filename=_fit(filename, Draft.source_filename),
        source_text=source_text,
        preamble=parsed.get("preamble") or "",
        warnings=list(parsed.get("warnings") or []),
    )
    db.session.add(draft)
    by_path: dict[tuple[int, ...], Section] = {}
    counter = iter(range(1_000_000))

    def add(items: list[dict], parent: Section | None, path: tuple[int, ...]) -> None:
        for index, item in enumerate(items):
            item_path = path + (index,)
            section = Section(
                draft=draft,
                parent=parent,
                position=next(counter),
                level=item.get("level") or len(item_path),
                anchor=_anchor(item, item_path),
                label=_fit(item.get("label") or "", Section.label),
                number=item.get("number"),
                heading=item.get("heading") or "",
                text=item.get("text") or "",
                run_in=bool(item.get("run_in")),
                kind=item.get("kind") or "section",
                unit_names=list(item.get("units") or []),
                lead_unit_names=list(item.get("lead_units") or []),
            )
            db.session.add(section)
            by_path[item_path] = section
            add(item.get("children") or [], section, item_path)

    add(parsed.get("sections") or [], None, ())
    for position, table in enumerate(parsed.get("tables") or []):
        path = tuple(table.get("section_path") or ())
        db.session.add(
            DraftTable(
                draft=draft,
                section=by_path.get(path),
                position=position,
                title=_fit(table.get("title"), DraftTable.title),
                header=list(table.get("header") or []),
                rows=[list(row) for row in table.get("rows") or []],
            )
        )
    db.session.flush()
    return draft


def _fit(value: str | None, column) -> str | None:
    """``value`` cut to the length of its ``column``. The parser does not bound what it reads (a page's
    headline as the title, its '来源：' line as the issuer, a label of many numerals), and PostgreSQL refuses
    a longer value (the upload failed with a server error) where SQLite stores it."""
    length = column.type.length
    return value[:length] if value is not None and length else value


def _anchor(item: dict, path: tuple[int, ...]) -> str:
    """The anchor of a parsed section at ``path`` (0-based indexes from the top)."""
    return section_anchor(item.get("kind") or "section", [i + 1 for i in path])


def current_section(consultation: Consultation, section_id: int | None) -> Section | None:
    """The section ``section_id`` of the consultation's current draft; None for no id (the whole draft). LookupError
    when it is no section of that draft (another consultation's, an earlier version's, none at all)."""
    if not section_id:
        return None
    section = db.session.get(Section, section_id)
    draft = consultation.current_draft
    if section is None or draft is None or section.draft_id != draft.id:
        raise LookupError(section_id)
    return section


def load_tree(draft: Draft, under: Section | None = None) -> list[Section]:
    """Load the draft's sections and tables in two queries and give each section its ``children`` and
    ``tables`` (``parent`` comes from the session's identity map): rendering the draft, or a section with
    its subsections, then issues no query per section. ``under``: only that section and its subsections
    need them (the section page). Returns all the sections, in document order."""
    sections = draft.sections
    children: dict[int, list[Section]] = {}
    for section in sections:  # in document order, as the ``children`` relationship orders them
        if section.parent_id is not None:
            children.setdefault(section.parent_id, []).append(section)
    tables: dict[int, list[DraftTable]] = {}
    for table in draft.tables:  # by position, as the ``tables`` relationship orders them
        if table.section_id is not None:
            tables.setdefault(table.section_id, []).append(table)
    todo = [under] if under is not None else list(sections)
    while todo:
        section = todo.pop()
        kids = children.get(section.id, [])
        set_committed_value(section, "children", kids)
        set_committed_value(section, "tables", tables.get(section.id, []))
        if under is not None:
            todo.extend(kids)
    return sections


def top_anchors(consultation_id: int, leave_out_draft: int | None = None) -> dict[int, str]:
    """Every section of the consultation's drafts (but ``leave_out_draft``'s), by id, with the anchor of the top-level
    part it stands under (一、, 第一章 …): the same part of an earlier revision and of the current one share it.
    A parent loop, which no import makes, would end the walk where it closes."""
    query = (select(Section.id, Section.parent_id, Section.anchor).join(Draft, Section.draft_id == Draft.id)
             .where(Draft.consultation_id == consultation_id))
    if leave_out_draft is not None:
        query = query.where(Draft.id != leave_out_draft)
    rows = db.session.execute(query).all()
    parent = {row.id: row.parent_id for row in rows}
    anchor = {row.id: row.anchor for row in rows}
    tops = {}
    for section_id in parent:
        top, seen = section_id, set()
        while parent.get(top) is not None and top not in seen:
            seen.add(top)
            top = parent[top]
        tops[section_id] = anchor.get(top, str(top))
    return tops
