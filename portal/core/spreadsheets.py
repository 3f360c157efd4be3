"""Read the first sheet of a file an office uploads, CSV or Excel (.xlsx), or the tables of a Word document (.docx: the
意见反馈表 many notices attach is a Word table), as rows of text. Pure: bytes in, rows or a plain-language refusal out
(the directory of units, opinions received in other ways)."""
from __future__ import annotations

import csv
import io

from flask_babel import gettext as _

MAX_ROWS = 20_000  # rows of a file read at most, unless the caller says fewer: a 600 kB sheet can declare millions
MAX_COLUMNS = 100  # columns of a sheet read at most: its dimension can declare 16,384 (XFD), each row padded to them


class UnreadableTable(ValueError):
    """The file is not a table the portal can read; ``message`` says so in the reader's language, ``messages`` in
    full when there is more to say (each cell that cannot be read, by its row). ``too_long``: it has more rows than
    the caller reads."""

    def __init__(self, message: str, *more: str, too_long: bool = False):
        super().__init__("\n".join((message, *more)))
        self.message = message
        self.messages = [message, *more]
        self.too_long = too_long


def read_table(data: bytes, max_rows: int = MAX_ROWS) -> list[list[str]]:
    """The rows of the file's first sheet, each cell as stripped text ("" when empty), blank rows left out."""
    return [cells for _line, cells in read_numbered_table(data, max_rows)]


def read_numbered_table(data: bytes, max_rows: int = MAX_ROWS) -> list[tuple[int, list[str]]]:
    """``read_table``'s rows with the number each has in the file (counted from 1, blank rows included), so that a
    message can name the row the reader sees in Excel. At most ``max_rows`` rows are read: a file with more (blank
    rows after them aside, up to as many again) is refused, the rows after never read."""
    if not data.strip():
        raise UnreadableTable(_("文件是空的。"))
    if data.startswith(b"PK\x03\x04"):
        _check_package(data)
        table = _docx_rows(data, max_rows) if _is_word(data) else _xlsx_rows(data, max_rows)
    else:
        table = _csv_rows(data)
    rows = []
    for line, row in enumerate(table, start=1):
        cells = [_cell(value) for value in row]
        if line > max_rows and (any(cells) or line > 2 * max_rows):
            raise UnreadableTable(_("表格超过 %(limit)d 行，请分开上传。", limit=max_rows), too_long=True)
        if any(cells):
            rows.append((line, cells))
    if not rows:
        raise UnreadableTable(_("文件是空的。"))
    return rows


def _cell(value) -> str:
    return "" if value is None else str(value).strip()


def _csv_rows(data: bytes):
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
    return csv.reader(io.StringIO(text))  # read as far as the caller reads


def _check_package(data: bytes) -> None:
    """A ZIP bomb is refused before python-docx or openpyxl unpacks it (portal/core/packages.py); a zip that is no
    archive at all is left to the readers, which say the file cannot be opened."""
    from portal.core.packages import PackageRefused, check_zip

    try:
        check_zip(data)
    except PackageRefused as error:
        if error.too_large:
            raise UnreadableTable(_("这个文件解压后太大，无法读取。请只保留表格，另存后重新上传。")) from error


def _is_word(data: bytes) -> bool:
    import zipfile

    try:
        return "word/document.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile:
        return False


def _docx_rows(data: bytes, max_rows: int) -> list[list[str]]:
    """The rows of the document's tables, in order, a blank row between two tables; a cell merged across columns
    counts once; a cell's text as Word shows it with tracked changes accepted (portal/drafts/readers.py). Some rows
    past ``max_rows`` are read, no more (read_numbered_table refuses the file then)."""
    from docx import Document

    from portal.drafts.readers import paragraph_text

    try:
        document = Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises several types for a damaged file
        raise UnreadableTable(_("无法打开这个 Word 文件。请上传 .docx 格式的文件（旧版 .doc 请先另存为 .docx）。")) from error
    if not document.tables:
        raise UnreadableTable(_("这个 Word 文件中没有表格。请使用意见反馈表，或者上传 Excel（.xlsx）或 CSV 文件。"))
    rows: list[list[str]] = []
    for table in document.tables:
        if rows:
            rows.append([])
        for row in table.rows:
            if len(rows) > 2 * max_rows:
                return rows
            cells, seen = [], set()
            for cell in row.cells:
                if id(cell._tc) in seen:  # one cell spanning several columns comes once for each
                    continue
                seen.add(id(cell._tc))
                cells.append("\n".join(paragraph_text(p) for p in cell._tc.iter(_WORD_P)).strip())
            rows.append(cells)
    return rows


_WORD_P = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"


def _xlsx_rows(data: bytes, max_rows: int) -> list[list]:
    """The cells' values; a formula's is the result saved with it (what Excel shows). A formula saved without its
    result (by a program that cannot compute formulas) would read as empty: refused, naming each such cell. Some
    rows past ``max_rows`` are read, no more (read_numbered_table refuses the file then)."""
    from itertools import islice

    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        columns = sheet.max_column  # as the sheet declares it: each row is padded to it
        rows = [list(row) for row in islice(sheet.iter_rows(values_only=True, max_col=min(columns, MAX_COLUMNS)
                                                             if columns else None), 2 * max_rows + 1)]
        with sheet._get_source() as xml:  # the sheet's XML, read once more: openpyxl tells no such cell from a blank
            missing = _formulas_without_results(xml, 2 * max_rows + 1)
        workbook.close()
    except Exception as error:  # openpyxl raises several types for a zip that is not a workbook
        raise UnreadableTable(_("无法打开这个 Excel 文件。请上传 .xlsx 格式的文件（旧版 .xls 请先另存为 .xlsx）。")) from error
    if missing:
        raise UnreadableTable(*[_("第%(line)d行：%(column)s列是公式，但文件里没有保存公式算出的结果。", line=line,
                                  column=get_column_letter(column)) for line, column in missing],
                              _("请用 Excel 或 WPS 打开这个文件，保存后重新上传。"))
    return rows


def _formulas_without_results(xml, max_rows: int) -> list[tuple[int, int]]:
    """(row, column) of each cell of a sheet's XML that holds a formula (<f>) but no result (<v>): Excel and WPS
    save the result beside the formula; openpyxl and some other programs leave it empty. An empty result is saved
    only as text (t="str"). The rows after ``max_rows`` are not read."""
    from openpyxl.utils.cell import coordinate_to_tuple
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    row_tag, cell_tag, formula_tag, value_tag = (f"{{{SHEET_MAIN_NS}}}{name}" for name in ("row", "c", "f", "v"))
    missing = []
    line = column = 0
    for event, element in iterparse(xml, events=("start", "end")):
        if event == "start":
            if element.tag == row_tag:  # numbered, else the one after the last (as openpyxl counts them)
                line, column = int(float(element.get("r") or line + 1)), 0
                if line > max_rows:
                    break
        elif element.tag == cell_tag:  # at its coordinate, else the one after the last in the row
            coordinate = element.get("r")
            at = coordinate_to_tuple(coordinate) if coordinate else (line, column + 1)
            column = at[1]
            value = element.find(value_tag)
            saved = value is not None and bool(value.text or element.get("t") == "str")
            if element.find(formula_tag) is not None and not saved:
                missing.append(at)
            element.clear()
        elif element.tag == row_tag:
            element.clear()
    return missing
