"""Read the first sheet of a file an office uploads, CSV or Excel (.xlsx), as rows of text. Pure: bytes in, rows or
a plain-language refusal out (the directory of units, opinions received in other ways)."""
from __future__ import annotations

import csv
import io

from flask_babel import gettext as _


class UnreadableTable(ValueError):
    """The file is not a table the portal can read; ``message`` says so in the reader's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def read_table(data: bytes) -> list[list[str]]:
    """The rows of the file's first sheet, each cell as stripped text ("" when empty), blank rows left out."""
    return [cells for _line, cells in read_numbered_table(data)]


def read_numbered_table(data: bytes) -> list[tuple[int, list[str]]]:
    """``read_table``'s rows with the number each has in the file (counted from 1, blank rows included), so that a
    message can name the row the reader sees in Excel."""
    if not data.strip():
        raise UnreadableTable(_("文件是空的。"))
    table = _xlsx_rows(data) if data.startswith(b"PK\x03\x04") else _csv_rows(data)
    rows = [(line, [_cell(value) for value in row]) for line, row in enumerate(table, start=1)]
    rows = [(line, cells) for line, cells in rows if any(cells)]
    if not rows:
        raise UnreadableTable(_("文件是空的。"))
    return rows


def _cell(value) -> str:
    return "" if value is None else str(value).strip()


def _csv_rows(data: bytes) -> list[list[str]]:
    if b"\x00" in data:
        raise UnreadableTable(_("无法读取这个文件。请上传 CSV（逗号分隔）或 Excel（.xlsx）文件。"))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableTable(_("无法识别文件的文字编码。请另存为 UTF-8 编码的 CSV 文件。"))
    return list(csv.reader(io.StringIO(text)))


def _xlsx_rows(data: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        workbook.close()
    except Exception as error:  # openpyxl raises several types for a zip that is not a workbook
        raise UnreadableTable(_("无法打开这个 Excel 文件。请上传 .xlsx 格式的文件（旧版 .xls 请先另存为 .xlsx）。")) from error
    return rows
