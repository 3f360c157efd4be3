"""A version of a draft as a Word document to download (征求意见稿.docx): what the public page shows, laid out
as a government document, for readers who annotate it, print it or send their opinion by e-mail or letter.

Built from the parsed sections (not the uploaded file, which the portal does not keep, nor its source text,
which may hold page numbers and other debris the import left out). Pure: no app context.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Mm, Pt

from portal.core.official_docx import (
    HEADING_FONT, TITLE_FONT, body_paragraph, centred_note, document_bytes, heading_paragraph, official_document,
    repeat_as_header, set_font, title_paragraph,
)
from portal.core.time import chinese_date
from portal.core.xmltext import xml_text

NOT_IN_FILENAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


@dataclass(frozen=True)
class DocumentFacts:
    """What the document says of itself under its title, in Chinese (the draft is Chinese)."""

    title: str
    version: int
    period: str  # "征求意见时间：2023年4月20日至2023年5月12日"
    link: str  # the consultation's page, where to read it and comment
    qr: bytes | None = None  # a PNG of the QR code of ``link``, printed under it


def document_facts(consultation, draft, link: str) -> DocumentFacts:
    from portal.core.qr import qr_png

    return DocumentFacts(
        title=consultation.title, version=draft.version, link=link, qr=qr_png(link),
        period=f"征求意见时间：{chinese_date(consultation.opens_at)}至{chinese_date(consultation.deadline)}",
    )


def file_stem(consultation) -> str:
    """A file name for what the portal gives of a consultation: its title without what file systems refuse."""
    return NOT_IN_FILENAMES.sub("", consultation.title).strip()[:80] or f"consultation-{consultation.id}"


def document_filename(consultation, draft) -> str:
    """The consultation's title; the version when it is a revision."""
    return file_stem(consultation) + (f"（第{draft.version}版）" if draft.version > 1 else "") + ".docx"


def draft_document(facts: DocumentFacts, draft) -> bytes:
    """``draft``: a Draft with its sections and tables loaded (portal/drafts/models.py)."""
    document = official_document()
    title_paragraph(document, facts.title)
    for line in (f"（第{facts.version}版）" if facts.version > 1 else "", facts.period,
                 f"在线阅读和发表意见：{facts.link}"):
        if line:
            centred_note(document, line)
    if facts.qr:  # a printed copy leads back to the page by phone
        code = document.add_paragraph()
        code.alignment = WD_ALIGN_PARAGRAPH.CENTER
        code.add_run().add_picture(io.BytesIO(facts.qr), width=Mm(25))
    for line in _lines(draft.preamble):
        body_paragraph(document, line)
    in_appendix = False
    for section in draft.sections:  # in document order, subsections after their parent
        if section.kind == "appendix" and not in_appendix:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            in_appendix = True
        _section(document, section)
        for table in section.tables:
            _table(document, table)
    for table in draft.tables:
        if table.section_id is None:
            _table(document, table)
    return document_bytes(document)


def _lines(text: str | None) -> list[str]:
    return [line for line in xml_text(text).split("\n") if line.strip()]


def _section(document, section) -> None:
    lines = _lines(section.text)
    label, heading = xml_text(section.label), xml_text(section.heading)
    if section.run_in:  # "一是加强……。" / "第三条 ……": the heading runs into the first paragraph
        body_paragraph(document, lines[0] if lines else "", label + heading)
        lines = lines[1:]
    elif section.kind == "appendix":
        paragraph = document.add_paragraph()
        set_font(paragraph.add_run(label).font, HEADING_FONT, 16)
        if heading:
            title = document.add_paragraph()
            title.alignment = WD_ALIGN_PARAGRAPH.CENTER
            set_font(title.add_run(heading).font, TITLE_FONT, 18)
    else:
        heading_paragraph(document, label + heading, section.level)
    for line in lines:
        body_paragraph(document, line)
    if section.unit_names:
        body_paragraph(document, "（责任单位：" + "、".join(xml_text(name) for name in section.unit_names) + "）")


def _table(document, table) -> None:
    if table.title:
        caption = document.add_paragraph()
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_font(caption.add_run(xml_text(table.title)).font, HEADING_FONT, 14)
    rows = ([table.header] if table.header else []) + list(table.rows)
    width = max((len(row) for row in rows), default=0)
    if not width:
        return
    grid = document.add_table(rows=0, cols=width)
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for number, row in enumerate(rows):
        cells = grid.add_row().cells
        if number == 0 and table.header:
            repeat_as_header(grid.rows[0])
        for cell, value in zip(cells, row):
            run = cell.paragraphs[0].add_run(xml_text(str(value) if value is not None else ""))
            run.font.size = Pt(12)
            run.bold = number == 0 and bool(table.header)
