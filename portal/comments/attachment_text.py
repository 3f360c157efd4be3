"""The words of the files sent with comments (附件文字).

Many citizens write their opinion in Word or as a PDF and type only "详见附件" in the form. So that staff read such
a letter without downloading it, find it by its words (the office's and the moderators' filters) and get it in the
digest, a scheduled job (``read-attachments``, every minute; ``flask comments read-attachments`` once) reads the
text of each new file after its comment is stored, never in the submission itself: a large PDF may take a second.

What is read: PDF (pypdf), Word .docx (python-docx: paragraphs and tables), Excel .xlsx (openpyxl, values, sheet by
sheet), OFD (the TextCode elements of each page, GB/T 33190) and text files (UTF-8 or GB18030). Not read: photos
(no OCR), the old OLE formats (.doc, .xls, .wps, .et) and damaged or encrypted files; they keep no text and staff
download them as before. The text is cleaned of control characters and cut at MAX_CHARS. A file is marked read
(``text_read_at``) before it is parsed, so that a file that cannot be read (or crashes the worker) is not tried
again and again.
"""
from __future__ import annotations

import io
import logging
import re
import unicodedata
import zipfile
from xml.etree import ElementTree

from sqlalchemy import select, update

from portal.comments.models import CommentAttachment
from portal.core.packages import PackageRefused, checked_zip
from portal.core.time import now
from portal.extensions import db

log = logging.getLogger(__name__)

MAX_CHARS = 20_000  # of one file's text: a long letter; the file itself stays for the rest
MAX_PDF_PAGES = 100
MAX_OFD_ELEMENTS = 500_000  # XML elements of an OFD's pages read at most (a page has a few hundred)
MAX_OFD_DEPTH = 100  # elements within one another (a page: about ten)
BATCH = 20
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
BLANK_LINES = re.compile(r"\n[ \t\u3000]*(\n[ \t\u3000]*)+")


class Unreadable(Exception):
    """The file's text cannot be read (damaged, encrypted, too large once unpacked)."""


def clean(text: str) -> str:
    """Line ends unified, control characters (which PostgreSQL's text refuses: NUL) removed, runs of blank lines
    made one, trailing spaces dropped, cut at MAX_CHARS."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = CONTROL.sub("", text)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    text = BLANK_LINES.sub("\n\n", text).strip()
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS].rstrip() + "……"
    return text


def _checked_zip(data: bytes) -> zipfile.ZipFile:
    """The package, when all its members (not only the parts a reader expects: python-docx and openpyxl load parts
    wherever a relationship points) unpack to little enough (portal/core/packages.py)."""
    try:
        return checked_zip(data)
    except PackageRefused as error:
        raise Unreadable(str(error)) from error


def _pdf(data: bytes) -> str:
    from portal.core.pdftext import PdfUnreadable, pdf_pages

    try:
        return "\n\n".join(pdf_pages(data, MAX_PDF_PAGES, MAX_CHARS))
    except PdfUnreadable as error:
        raise Unreadable(error.reason) from error


def _docx(data: bytes) -> str:
    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    from portal.drafts.readers import paragraph_text

    _checked_zip(data).close()
    document = Document(io.BytesIO(data))
    lines = []
    for block in document.iter_inner_content():  # paragraphs and tables in the document's order
        if isinstance(block, Paragraph):
            lines.append(paragraph_text(block._p))  # tracked insertions too, as drafts are read
        elif isinstance(block, Table):
            for row in block.rows:
                cells = []
                for cell in row.cells:  # a merged cell is repeated by python-docx: once is enough
                    text = "\n".join(paragraph_text(p._p) for p in cell.paragraphs)
                    if not cells or text != cells[-1]:
                        cells.append(text)
                lines.append("\t".join(cells))
    return "\n".join(lines)


def _xlsx(data: bytes) -> str:
    from openpyxl import load_workbook

    _checked_zip(data).close()
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    lines, length = [], 0
    try:
        for sheet in workbook.worksheets:
            lines.append(f"【{sheet.title}】")
            for row in sheet.iter_rows(values_only=True):
                values = ["" if value is None else str(value) for value in row]
                while values and not values[-1]:
                    values.pop()
                if values:
                    lines.append("\t".join(values))
                    length += len(lines[-1])
                if length > MAX_CHARS:
                    return "\n".join(lines)
    finally:
        workbook.close()
    return "\n".join(lines)


def _ofd(data: bytes) -> str:
    """OFD (GB/T 33190): a ZIP of XML; each page's Content.xml holds its text in TextCode elements. The pages are
    read as a stream, at most MAX_OFD_ELEMENTS elements in all, MAX_OFD_DEPTH within one another: millions of empty
    or nested elements are refused, not built into a tree."""
    archive = _checked_zip(data)

    def page_number(name: str) -> tuple:
        return tuple(int(n) for n in re.findall(r"\d+", name))

    pages = sorted((n for n in archive.namelist() if re.search(r"Pages/Page_\d+/Content\.xml$", n)), key=page_number)
    texts = []
    elements = 0
    with archive:
        for name in pages:
            lines, depth = [], 0
            with archive.open(name) as stream:
                for event, element in ElementTree.iterparse(stream, events=("start", "end")):
                    if event == "start":
                        elements, depth = elements + 1, depth + 1
                        if elements > MAX_OFD_ELEMENTS or depth > MAX_OFD_DEPTH:
                            raise Unreadable(f"more than {MAX_OFD_ELEMENTS} elements or {MAX_OFD_DEPTH} levels")
                        continue
                    depth -= 1
                    tag = element.tag.rsplit("}", 1)[-1]
                    if tag == "TextObject":
                        lines.append("".join(code.text or "" for code in element
                                             if code.tag.rsplit("}", 1)[-1] == "TextCode"))
                    if tag != "TextCode":  # a TextCode is read with its TextObject, when that ends
                        element.clear()
            texts.append("".join(lines) if all(len(line) <= 1 for line in lines) else "\n".join(lines))
    return "\n\n".join(texts)


def _plain(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Unreadable("not UTF-8 or GB18030")


READERS = {
    "application/pdf": _pdf,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _docx,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _xlsx,
    "application/ofd": _ofd,
    "text/plain": _plain,
}


def read_text(content_type: str, data: bytes) -> str | None:
    """The words of a file of ``content_type``, cleaned; None when its kind has no text to read, or it cannot be
    read (damaged, encrypted, a ZIP bomb)."""
    reader = READERS.get(content_type)
    if reader is None:
        return None
    try:
        text = clean(reader(data))
    except Unreadable as error:
        log.info("attachment text not read (%s): %s", content_type, error)
        return None
    except Exception as error:  # noqa: BLE001 - a damaged file makes each library fail in its own way
        log.info("attachment text not read (%s): %r", content_type, error)
        return None
    return text or None


def read_new_attachments(limit: int | None = None) -> dict:
    """Read the text of the files not read yet, oldest first, up to ``limit`` (None: all), each committed alone.

    A file is parsed with no transaction open: a large table took a minute, and the batch's first write had held
    SQLite's write lock (every comment sent meanwhile failed, "database is locked") and, on PostgreSQL, the rows
    written before it (a withdrawal waited past the web worker's timeout). Each file is marked read (text_read_at,
    no text) and committed before it is parsed: a file that kills the worker (memory, a library's crash) is tried
    once, not again each minute, holding up every file after it; and of two runs at once only the one that marked
    it parses it (the UPDATE asks that it is still unread).
    """
    read = unreadable = 0
    while limit is None or read + unreadable < limit:
        size = BATCH if limit is None else min(BATCH, limit - read - unreadable)
        ids = list(db.session.scalars(
            select(CommentAttachment.id).where(CommentAttachment.text_read_at.is_(None))
            .order_by(CommentAttachment.id).limit(size)))
        if not ids:
            break
        for attachment_id in ids:  # each leaves the unread ones below (read here or by another run)
            marked = db.session.execute(
                update(CommentAttachment)
                .where(CommentAttachment.id == attachment_id, CommentAttachment.text_read_at.is_(None))
                .values(text_read_at=now())
                .execution_options(synchronize_session=False)
            ).rowcount
            db.session.commit()
            if not marked:  # read by another run meanwhile, or erased (a withdrawn comment)
                continue
            row = db.session.execute(
                select(CommentAttachment.content_type, CommentAttachment.data)
                .where(CommentAttachment.id == attachment_id)
            ).first()
            db.session.rollback()  # the read ends: nothing held while the file is parsed
            if row is None:  # erased meanwhile
                continue
            try:
                text = read_text(row.content_type, row.data)
            except Exception:  # a reader's bug must not stop the others: logged, the file left without text
                log.exception("reading the text of attachment %s failed", attachment_id)
                text = None
            if text:
                db.session.execute(
                    update(CommentAttachment).where(CommentAttachment.id == attachment_id).values(text=text)
                    .execution_options(synchronize_session=False)
                )
                db.session.commit()
                read += 1
            else:
                unreadable += 1
    return {"read": read, "unreadable": unreadable}


def unread_count() -> int:
    from sqlalchemy import func

    return db.session.scalar(select(func.count()).select_from(CommentAttachment)
                             .where(CommentAttachment.text_read_at.is_(None)))
