"""Write a digest as CSV or XLSX, streaming: rows are written as they come, never held all at once.

Pure: takes a DigestMeta and an iterable of DigestRow, writes to a binary file. (DOCX: docx_writer.py.)
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from portal.core.xmltext import xml_text
from portal.digests.rows import (
    WRAPPED, DigestMeta, DigestRow, column_width, columns, neutralise_formula, safe_sheet_title,
)


def write_csv(meta: DigestMeta, rows: Iterable[DigestRow], out: BinaryIO) -> int:
    """UTF-8 with BOM (so that Excel reads the Chinese text), one header row, one row per comment."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    try:
        writer = csv.writer(text)
        fields = columns(meta.with_contacts)
        writer.writerow([header for _, header, _ in fields])
        count = 0
        for row in rows:
            writer.writerow([neutralise_formula(getattr(row, name)) for name, _, _ in fields])
            count += 1
        text.flush()
    finally:
        text.detach()  # leave ``out`` open for the caller
    return count


def write_xlsx(meta: DigestMeta, rows: Iterable[DigestRow], out: BinaryIO) -> int:
    """A summary sheet, then one sheet per top-level section (and one for the whole draft), each with a
    frozen header row, an auto-filter and column widths that fit Chinese text. openpyxl write-only mode."""
    workbook = Workbook(write_only=True)
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    _summary_sheet(workbook, meta, bold, wrap)

    fields = columns(meta.with_contacts)
    taken = {"汇总"}
    sheets = {}
    for section in meta.sections:
        sheet = workbook.create_sheet(safe_sheet_title(section.heading, taken))
        sheet.freeze_panes = "A2"
        for index, (_, header, preset) in enumerate(fields, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column_width(header, preset)
        sheet.append([_cell(sheet, header, bold) for _, header, _ in fields])
        # one wrapped cell a column, its value set anew for each row: a write-only sheet writes a row as it is
        # appended, and styling a new cell for every value cost a third of the time (bench/README.md, Digests)
        wrapped = {name: _cell(sheet, None, alignment=wrap) for name, _, _ in fields if name in WRAPPED}
        sheets[section.key] = [sheet, 1, wrapped]

    names = [name for name, _, _ in fields]
    count = 0
    for row in rows:
        entry = sheets.get(row.top_key) or sheets[None]
        entry[0].append([_value(entry[2], name, getattr(row, name)) for name in names])
        entry[1] += 1
        count += 1
    last_column = get_column_letter(len(fields))
    for sheet, used, _wrapped in sheets.values():
        sheet.auto_filter.ref = f"A1:{last_column}{used}"
    workbook.save(out)
    return count


def _value(wrapped: dict, name: str, value):
    """A row's value for column ``name``: its text made safe; in a wrapped column, that column's cell holding it.
    An empty text is no cell at all (half a row's columns are empty: fewer cells to write, the same sheet)."""
    if value == "" or value is None:
        return None
    value = neutralise_formula(xml_text(value) if isinstance(value, str) else value)
    cell = wrapped.get(name)
    if cell is None:
        return value
    cell.value = value
    return cell


def _cell(sheet, value, font=None, alignment=None):
    if font is None and alignment is None:
        return value
    cell = WriteOnlyCell(sheet, value=value)
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    return cell


def _summary_sheet(workbook: Workbook, meta: DigestMeta, bold: Font, wrap: Alignment) -> None:
    sheet = workbook.create_sheet("汇总")
    sheet.column_dimensions["A"].width = 60
    sheet.column_dimensions["B"].width = 12
    sheet.append([_cell(sheet, xml_text(meta.document_title), Font(bold=True, size=14))])
    if meta.issuer:
        sheet.append(["发布单位", neutralise_formula(xml_text(meta.issuer))])
    sheet.append(["征求意见时间", meta.period])
    sheet.append(["汇总类型", "中期汇总（征求意见尚未截止）" if meta.interim else "最终汇总"])
    sheet.append(["生成时间", meta.generated])
    sheet.append([_cell(sheet, neutralise_formula(xml_text(meta.summary)), alignment=wrap)])
    sheet.append([])
    sheet.append([_cell(sheet, "部分", bold), _cell(sheet, "意见数", bold)])
    for section in meta.sections:
        sheet.append([neutralise_formula(xml_text(section.heading)), section.count])
    sheet.append([_cell(sheet, "合计", bold), meta.total])
    if meta.quoted:  # where the draft is contested, sentence by sentence
        sheet.column_dimensions["C"].width = 30
        sheet.append([])
        sheet.append([_cell(sheet, "意见引用最多的原文", bold), _cell(sheet, "引用的意见数", bold),
                      _cell(sheet, "所在部分", bold)])
        for sentence, section, count in meta.quoted:
            sheet.append([_cell(sheet, neutralise_formula(xml_text(sentence)), alignment=wrap), count,
                          neutralise_formula(xml_text(section))])
    for heading, rows in (("提出者", meta.commenters), ("重点问题", meta.questions)):
        if rows:  # who commented (个人, 企业 …); the comments of each key question
            sheet.append([])
            sheet.append([_cell(sheet, heading, bold), _cell(sheet, "意见数", bold)])
            for label, count in rows:
                sheet.append([_cell(sheet, neutralise_formula(xml_text(label)), alignment=wrap), count])
    for question, counts in meta.choices:  # readers' choices (表态), counted as they come
        sheet.append([])
        sheet.append([_cell(sheet, neutralise_formula(xml_text(question)), bold, wrap), _cell(sheet, "表态人数", bold)])
        for choice, count in counts:
            sheet.append([neutralise_formula(xml_text(choice)), count])
