"""Turn an uploaded file (plain text in any common Chinese encoding, .docx, or a PDF with text) into text lines.

Pure: no app context. Errors carry a plain-language Chinese message for the office, lazy (``_l``): translated where
it is shown (an OfficeError's refusal, see portal/core/flash.py), or read as text (the command line).
"""
from __future__ import annotations

import io

from flask_babel import lazy_gettext as _l

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
        raise DraftReadError("empty", _l("文件是空的，没有可以导入的内容。"))
    if data.startswith(DOCX_MAGIC):
        return _read_docx(data)
    if data.startswith(OLE_MAGIC):
        raise DraftReadError("legacy_doc", _l("这是旧版 Word（.doc）文件，无法直接导入。请在 Word 中“另存为”.docx 格式后再上传。"))
    if data.startswith(PDF_MAGIC):
        return _read_pdf(data)
    return _decode_text(data)


def _read_pdf(data: bytes) -> str:
    """The text of a PDF that holds text (one written by Word or WPS, not a scan), read as laid out
    (portal/drafts/pdf_layout.py)."""
    from portal.core.pdftext import PdfUnreadable, pdf_pages
    from portal.drafts.pdf_layout import laid_out_text

    try:
        pages = pdf_pages(data, layout=True)
    except PdfUnreadable as error:
        if error.reason == "encrypted":
            raise DraftReadError("pdf_encrypted", _l("这个 PDF 文件设置了密码，无法读取。请上传没有密码的文件，或 Word（.docx）文件。")) from error
        raise DraftReadError("bad_pdf", _l("无法打开这个 PDF 文件，文件可能已损坏。请上传 Word（.docx）或纯文本（.txt）文件。")) from error
    text = laid_out_text(pages)
    if not text.strip():
        raise DraftReadError("pdf_no_text", _l("这个 PDF 文件里读不出文字（可能是扫描件或图片）。请上传 Word（.docx）或纯文本（.txt）文件。"))
    return _checked(text)


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
        raise DraftReadError("binary", _l("这不是文本文件、.docx 或带文字的 PDF 文件，无法读取。请上传 .docx、PDF 或纯文本（.txt）文件。"))
    for encoding in ("utf-8", "gb18030"):
        try:
            return _checked(data.decode(encoding, errors="strict"))
        except UnicodeDecodeError:
            continue
    raise _unknown_encoding()


def _unknown_encoding() -> DraftReadError:
    return DraftReadError("encoding", _l("无法识别文件的文字编码。请将文件另存为 UTF-8 编码的文本或 .docx 格式后再上传。"))


def _checked(text: str) -> str:
    """Refuse text that decoded but is mostly control characters (a binary file by another name)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    sample = text[:5000]
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\t\f\v") + sample.count("\ufffd")
    if sample and bad / len(sample) > 0.02:
        raise DraftReadError("binary", _l("这不是文本文件、.docx 或带文字的 PDF 文件，无法读取。请上传 .docx、PDF 或纯文本（.txt）文件。"))
    if not text.strip():
        raise DraftReadError("empty", _l("文件是空的，没有可以导入的内容。"))
    return text


def _read_docx(data: bytes) -> str:
    from portal.core.packages import PackageRefused, check_zip

    try:
        check_zip(data)  # a ZIP bomb is refused before python-docx unpacks it (every part, wherever it sits)
    except PackageRefused as error:
        if error.too_large:
            raise DraftReadError("too_large", _l("这个 .docx 文件解压后太大，无法读取。请删去其中的图片等内容后重新上传，或上传纯文本（.txt）文件。")) from error
        raise DraftReadError("bad_docx", _l("无法打开这个 .docx 文件，文件可能已损坏或不是 Word 文档。")) from error
    try:
        text = _docx_text(data)
    except Exception as error:
        # python-docx raises many types for broken or foreign zip files, and reads the parts of the
        # document (body, styles, numbering) only when they are used: a document.xml without a body or a
        # styles.xml of junk fails while the text is taken out (AttributeError …), not when it is opened
        raise DraftReadError("bad_docx", _l("无法打开这个 .docx 文件，文件可能已损坏或不是 Word 文档。")) from error
    if not text.strip():
        raise DraftReadError("empty", _l("文件是空的，没有可以导入的内容。"))
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

        from portal.core.packages import check_zip

        check_zip(data)
        body = Document(io.BytesIO(data)).element.body
    except Exception:
        return 0
    return sum(1 for name in _REVISIONS for change in body.iter(_W + name) if change.find(_W + "r") is not None)
