"""Write a digest as a Word document in the layout of a Chinese government notice, streaming.

python-docx lays out the document (page, fonts, title, summary paragraph, one heading and one table
header per section, signature); the table rows are then streamed into word/document.xml as the rows
come, so that 100,000 comments never sit in memory as a document tree. Pure: no app context.
"""
from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from typing import BinaryIO
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from portal.core.official_docx import (
    HEADING_FONT, TEXT_WIDTH_DXA, new_paragraph, official_document, repeat_as_header, set_font, signature, title_paragraph,
)
from portal.core.xmltext import xml_text
from portal.digests.rows import WEB_CHANNEL, DigestMeta, DigestRow, wording_lines

TABLE_FIELDS = [("number", "序号", 700), ("opinion", "意见", 3300), ("author_name", "提出人", 1100),
                ("outcome", "答复", 1000), ("reason", "理由", 2744)]
CONTACT_FIELD = ("contact", "联系方式", 1400)


def table_fields(with_contacts: bool) -> list[tuple[str, str, int]]:
    if not with_contacts:
        return TABLE_FIELDS
    fields = list(TABLE_FIELDS)
    fields.insert(3, CONTACT_FIELD)
    return [(name, header, width if name not in ("opinion", "reason") else width - 700)
            for name, header, width in fields]


def write_docx(meta: DigestMeta, rows: Iterable[DigestRow], out: BinaryIO) -> int:
    skeleton = io.BytesIO()
    _layout(meta).save(skeleton)
    skeleton.seek(0)
    fields = table_fields(meta.with_contacts)
    count = 0
    with zipfile.ZipFile(skeleton) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != "word/document.xml":
                target.writestr(item, source.read(item.filename))
                continue
            # Each section's table ends with "</w:tbl>"; rows arrive in section order.
            chunks = source.read(item.filename).decode("utf-8").split("</w:tbl>")
            keys = [section.key for section in meta.sections]
            rows_iter = iter(rows)
            pending = next(rows_iter, None)
            with target.open(item.filename, "w", force_zip64=True) as stream:
                for index, chunk in enumerate(chunks):
                    stream.write(chunk.encode("utf-8"))
                    if index == len(chunks) - 1:
                        break
                    key, written = keys[index], 0
                    last = index == len(keys) - 1
                    while pending is not None and (pending.top_key == key or (last and pending.top_key not in keys)):
                        stream.write(_row_xml(pending, fields).encode("utf-8"))
                        written += 1
                        count += 1
                        pending = next(rows_iter, None)
                    if not written:
                        stream.write(_empty_row_xml(len(fields)).encode("utf-8"))
                    stream.write(b"</w:tbl>")
    return count


def _layout(meta: DigestMeta) -> Document:
    document = official_document()

    title_paragraph(document, meta.document_title)
    if meta.interim:
        note = new_paragraph(document)
        note.alignment = WD_ALIGN_PARAGRAPH.CENTER
        note.add_run(f"（征求意见尚未截止，本汇总截至{meta.generated}）")
    facts = new_paragraph(document)
    facts.paragraph_format.first_line_indent = Pt(32)
    facts.add_run(f"征求意见时间：{meta.period}。")
    summary = new_paragraph(document)
    summary.paragraph_format.first_line_indent = Pt(32)
    summary.add_run(xml_text(meta.summary))

    fields = table_fields(meta.with_contacts)
    for digest_section in meta.sections:
        heading = new_paragraph(document)
        heading.paragraph_format.keep_with_next = True
        set_font(heading.add_run(f"{xml_text(digest_section.heading)}（{digest_section.count}条）").font, HEADING_FONT, 16)
        table = document.add_table(rows=1, cols=len(fields))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        header = table.rows[0]
        repeat_as_header(header)
        for cell, (_, text, width) in zip(header.cells, fields):
            cell.width = Pt(width / 20)
            paragraph = cell.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = paragraph.add_run(text)
            run.bold = True
            set_font(run.font, HEADING_FONT, 12)

    signature(document, meta.issuer, meta.generated.split(" ")[0])
    return document


def _paragraphs_xml(text: str) -> str:
    lines = xml_text(text).replace("\r\n", "\n").replace("\r", "\n").split("\n") or [""]
    return "".join(
        '<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="300" w:lineRule="auto"/></w:pPr>'
        f'<w:r><w:rPr><w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr><w:t xml:space="preserve">{escape(line)}</w:t></w:r></w:p>'
        for line in lines
    )


def _row_xml(row: DigestRow, fields) -> str:
    cells = "".join(
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{_paragraphs_xml(_cell_text(row, name))}</w:tc>'
        for name, _, width in fields
    )
    return f"<w:tr>{cells}</w:tr>"


def _cell_text(row: DigestRow, name: str) -> str:
    """A column's text; the sender's carries how an opinion came when not through the portal (no column of its
    own in the document's narrower table): 某某协会（信函）; the opinion, the names of its files (附件：…) and the words
    read from them; the words of the draft it quotes and the wording it proposes go before the opinion (针对原文：「…」
    建议修改为：「…」), and before them the part it is about when that is not the table's own (a subsection, or a
    part of an earlier version: 章节：（四）…; the spreadsheet has a column for it)."""
    text = str(getattr(row, name))
    if name == "opinion" and (row.quote or row.proposal):
        text = f"{wording_lines(row)}\n{text}"
    if name == "opinion" and row.question:
        text = f"针对{row.question}\n{text}"
    if name == "opinion" and row.section_id is not None and row.section_id != row.top_key:
        text = f"章节：{row.section}\n{text}"
    if name == "author_name":
        text = row.signature
    if name == "author_name" and row.channel and row.channel != WEB_CHANNEL:
        text += f"（{row.channel}）"
    if name == "opinion" and row.agreements:
        text += f"\n（{row.agreements}人赞同）"
    if name == "opinion" and row.attachments:
        text += f"\n附件：{row.attachments}"
        if row.attachment_text:
            text += f"\n附件文字（系统读出）：\n{row.attachment_text}"
    return text


def _empty_row_xml(columns: int) -> str:
    return (
        f'<w:tr><w:tc><w:tcPr><w:tcW w:w="{TEXT_WIDTH_DXA}" w:type="dxa"/><w:gridSpan w:val="{columns}"/></w:tcPr>'
        f"{_paragraphs_xml('本部分未收到意见。')}</w:tc></w:tr>"
    )
