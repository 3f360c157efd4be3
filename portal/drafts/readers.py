"""Turn an uploaded file (plain text in any common Chinese encoding, .docx, or a PDF with text) into text lines.

Pure: no app context. Errors carry a plain-language Chinese message for the office.
"""
from __future__ import annotations

import io
import re

from flask_babel import gettext as _

DOCX_MAGIC = b"PK\x03\x04"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# what a paragraph's text leaves out: words deleted (or moved away) in tracked changes, and paragraphs of their own
# inside it (a text box's)
_LEFT_OUT = {_W + "del", _W + "moveFrom", _W + "p"}
_REVISIONS = ("ins", "del", "moveFrom", "moveTo")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc / .xls
PDF_MAGIC = b"%PDF"


class DraftReadError(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def read_draft(data: bytes, filename: str | None = None) -> str:
    """Decode ``data`` by its content (not its name) into text; .docx tables become ``a | b | c`` lines."""
    if not data or not data.strip():
        raise DraftReadError("empty", _("文件是空的，没有可以导入的内容。"))
    if data.startswith(DOCX_MAGIC):
        return _read_docx(data)
    if data.startswith(OLE_MAGIC):
        raise DraftReadError("legacy_doc", _("这是旧版 Word（.doc）文件，无法直接导入。请在 Word 中“另存为”.docx 格式后再上传。"))
    if data.startswith(PDF_MAGIC):
        return _read_pdf(data)
    return _decode_text(data)


# a page's number, printed in its footer (or header) and read with its text: — 3 — and - 3 - (as government documents
# print it), or 3, 第3页, 第 3 页 共 20 页, 3/20, which are taken for one only when they give about the page's place in
# the file (a cover or a table of contents may go unnumbered): a table's last cell may be a number too
_DASHED_NUMBER = re.compile(r"^\s*[-－—–~·]+\s*\d{1,4}\s*[-－—–~·]+\s*$")
_PAGE_NUMBER = re.compile(r"^\s*(?:第\s*)?(\d{1,4})\s*(?:页)?(?:\s*[,，/]?\s*(?:共\s*)?\d{1,4}\s*(?:页)?)?\s*$")
_UNNUMBERED_PAGES = 3


def _read_pdf(data: bytes) -> str:
    """The text of a PDF that holds text (one written by Word or WPS, not a scan), its pages' numbers left out, a line
    the page's width broke joined to the next (``_joined_lines``)."""
    from portal.core.pdftext import PdfUnreadable, pdf_pages

    try:
        pages = pdf_pages(data, layout=True)
    except PdfUnreadable as error:
        if error.reason == "encrypted":
            raise DraftReadError("pdf_encrypted", _("这个 PDF 文件设置了密码，无法读取。请上传没有密码的文件，或 Word（.docx）文件。")) from error
        raise DraftReadError("bad_pdf", _("无法打开这个 PDF 文件，文件可能已损坏。请上传 Word（.docx）或纯文本（.txt）文件。")) from error
    text = _joined_lines(_table_rows(
        "\n".join(_without_page_number(page, number) for number, page in enumerate(pages, start=1))))
    if not text.strip():
        raise DraftReadError("pdf_no_text", _("这个 PDF 文件里读不出文字（可能是扫描件或图片）。请上传 Word（.docx）或纯文本（.txt）文件。"))
    return _checked(text)


_CELL_GAP = re.compile(r"\S[ \t]{2,}\S")  # two words apart on a line as laid out: cells of a table


def _is_row(line: str) -> bool:
    """A table's row: as laid out (cells two spaces or more apart), or as ``_table_rows`` wrote it."""
    return bool(_CELL_GAP.search(line)) or " | " in line


def _joined_lines(text: str) -> str:
    """Lines as laid out on the pages (``pdf_pages(layout=True)``), each paragraph on one line: a line that fills the
    page's width, followed by one that is not indented (a paragraph's first line is: 公文 indent each by two
    characters), is continued by it; headings (一、 （一） 1. …) and table rows (cells set apart by spaces) stay lines of
    their own. What fills the width is told by the most common width of the lines, indented and not, less a
    character and a half (a line of ASCII digits and punctuation holds more characters)."""
    from collections import Counter

    from portal.drafts.parser import match_label

    lines = [line.rstrip() for line in text.split("\n")]
    widths: dict[bool, Counter] = {True: Counter(), False: Counter()}
    for line in lines:
        if len(line.strip()) > 10:
            widths[line[:1].isspace()][_width(line.strip())] += 1
    full = {indented: (counted.most_common(1)[0][0] - 3 if counted else None) for indented, counted in widths.items()}
    joined: list[str] = []
    filled = False  # the line before fills the width
    for line in lines:
        words, indented = line.strip(), line[:1].isspace()
        if (filled and words and not indented and not _is_row(words) and not _is_row(joined[-1])
                and match_label(words) is None):
            joined[-1] += words
        else:
            joined.append(words)
        limit = full[indented]
        filled = bool(words) and limit is not None and _width(words) >= limit
    return "\n".join(joined)


_FRAGMENT = re.compile(r"\S+(?: \S+)*")  # words on a line as laid out, two spaces or more apart from the next


def _fragments(line: str) -> list[tuple[int, str]]:
    return [(found.start(), found.group()) for found in _FRAGMENT.finditer(line)]


def _table_rows(text: str) -> str:
    """A table as laid out written as the parser reads a table, cells apart by " | " (as a Word table is read).

    A table starts at a line of three cells or more (words set apart by two spaces or more: two alone are often a name
    set to the width of three characters, 王  宇, in a list of members); their starts are its columns. It goes on over blank lines and over lines whose words each start where a column does (a cell's text
    wrapped onto the next line, in that column) or, after a blank line, of two cells or more (the next row). Each
    row's cells are the words of its column, joined. Rows are told apart by the blank lines between them where the
    table has any, else by a line filling every column. A line of cells alone is no table: left as it is."""
    lines = text.split("\n")
    out: list[str] = []
    index = 0
    while index < len(lines):
        first = _fragments(lines[index])
        if len(first) < 3:
            out.append(lines[index])
            index += 1
            continue
        starts = [start for start, _words in first]
        block: list[list[tuple[int, str]] | None] = [first]
        end = index + 1
        while end < len(lines):
            fragments = _fragments(lines[end])
            if not fragments:
                block.append(None)
            elif (block[-1] is None and len(fragments) < 2) or not all(
                    _column(starts, start) is not None for start, _words in fragments):
                break
            else:
                block.append(fragments)
            end += 1
        while block[-1] is None:  # blank lines after the table are not its own
            block.pop()
            end -= 1
        rows = _rows(block, starts)
        if len(rows) < 2:
            out.append(lines[index])
            index += 1
            continue
        out.extend(" | ".join(cells) for cells in rows)
        index = end
    return "\n".join(out)


def _column(starts: list[int], start: int) -> int | None:
    """The column whose words start at ``start`` (a character either way), or None."""
    return next((number for number, column in enumerate(starts) if abs(column - start) <= 1), None)


def _rows(block: list, starts: list[int]) -> list[list[str]]:
    separated = None in block
    rows: list[list[str]] = []
    current: list[str] | None = None
    for fragments in block:
        if fragments is None:
            current = None
            continue
        if current is None or (not separated and len(fragments) == len(starts)):
            current = [""] * len(starts)
            rows.append(current)
        for start, words in fragments:
            current[_column(starts, start)] += words
    return rows


def _width(text: str) -> int:
    """Display width: a Chinese character two, a Latin one."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _without_page_number(page: str, number: int) -> str:
    """The text of the ``number``-th page of the file without the page number in its footer (its last line) or
    header (its first)."""
    lines = page.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for end in (-1, 0):  # the footer, then the header: each the first line with words from its end
        while lines and not lines[end].strip():
            lines.pop(end)
        if lines and _is_page_number(lines[end], number):
            lines.pop(end)
    return "\n".join(lines).strip("\n")


def _is_page_number(line: str, number: int) -> bool:
    if _DASHED_NUMBER.match(line):
        return True
    found = _PAGE_NUMBER.match(line)
    return found is not None and number - _UNNUMBERED_PAGES <= int(found.group(1)) <= number


def _decode_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return _checked(data[3:].decode("utf-8", errors="strict"))
        except UnicodeDecodeError as error:  # marked UTF-8 but is not: no other encoding is more likely
            raise _unknown_encoding() from error
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _checked(data.decode("utf-16"))
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise DraftReadError("binary", _("这不是文本文件或 .docx 文件，无法读取。请上传 .docx 或纯文本（.txt）文件。"))
    for encoding in ("utf-8", "gb18030"):
        try:
            return _checked(data.decode(encoding, errors="strict"))
        except UnicodeDecodeError:
            continue
    raise _unknown_encoding()


def _unknown_encoding() -> DraftReadError:
    return DraftReadError("encoding", _("无法识别文件的文字编码。请将文件另存为 UTF-8 编码的文本或 .docx 格式后再上传。"))


def _checked(text: str) -> str:
    """Refuse text that decoded but is mostly control characters (a binary file by another name)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    sample = text[:5000]
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\t\f\v") + sample.count("\ufffd")
    if sample and bad / len(sample) > 0.02:
        raise DraftReadError("binary", _("这不是文本文件或 .docx 文件，无法读取。请上传 .docx 或纯文本（.txt）文件。"))
    if not text.strip():
        raise DraftReadError("empty", _("文件是空的，没有可以导入的内容。"))
    return text


def _read_docx(data: bytes) -> str:
    try:
        text = _docx_text(data)
    except Exception as error:
        # python-docx raises many types for broken or foreign zip files, and reads the parts of the
        # document (body, styles, numbering) only when they are used: a document.xml without a body or a
        # styles.xml of junk fails while the text is taken out (AttributeError …), not when it is opened
        raise DraftReadError("bad_docx", _("无法打开这个 .docx 文件，文件可能已损坏或不是 Word 文档。")) from error
    if not text.strip():
        raise DraftReadError("empty", _("文件是空的，没有可以导入的内容。"))
    return text


def _docx_text(data: bytes) -> str:
    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    from portal.drafts.docx_numbering import Numbering

    document = Document(io.BytesIO(data))
    numbering = Numbering(document)
    lines: list[str] = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(block, document)
            lines.append(numbering.label(paragraph) + paragraph_text(block))
        elif tag == "tbl":
            for row in Table(block, document).rows:
                cells: list[str] = []
                seen: set[int] = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # a horizontally merged cell is returned once per grid column
                        continue
                    seen.add(id(cell._tc))
                    texts = [paragraph_text(p._p).strip() for p in cell.paragraphs]
                    cells.append(" ".join(text for text in texts if text))
                lines.append(" | ".join(cells))
            lines.append("")
    return "\n".join(lines)


def paragraph_text(paragraph) -> str:
    """A paragraph's text as Word shows it with every tracked change accepted: its runs wherever they sit (in a
    hyperlink, a content control, a smart tag, an insertion, a move), but not deleted or moved-away words, nor a
    text box's paragraphs. python-docx's ``Paragraph.text`` reads only the runs directly in the paragraph and its
    hyperlinks: the words of a tracked insertion (修订模式) were silently lost."""
    parts = []
    for run in paragraph.iter(_W + "r"):
        ancestor = run.getparent()
        while ancestor is not None and ancestor is not paragraph and ancestor.tag not in _LEFT_OUT:
            ancestor = ancestor.getparent()
        if ancestor is paragraph:
            parts.append(run.text)
    return "".join(parts)


def docx_revisions(data: bytes) -> int:
    """How many tracked changes (insertions, deletions, moves holding words) a .docx's body still holds: 0 for
    another kind of file, or one that cannot be read (read_draft says what is wrong with it)."""
    if not data.startswith(DOCX_MAGIC):
        return 0
    try:
        from docx import Document

        body = Document(io.BytesIO(data)).element.body
    except Exception:
        return 0
    return sum(1 for name in _REVISIONS for change in body.iter(_W + name) if change.find(_W + "r") is not None)
