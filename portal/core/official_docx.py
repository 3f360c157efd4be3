"""The layout Chinese government documents use (GB/T 9704), for the Word files the portal writes: the digest
(portal/digests/docx_writer.py), the draft for download (portal/drafts/document.py) and the feedback report
(portal/reports/document.py). Pure: no app context. Text is made fit for XML here (core.xmltext)."""
from __future__ import annotations

import io
from copy import deepcopy

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from portal.core.xmltext import xml_text

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"  # the files' media type

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
TEXT_WIDTH_DXA = 8844  # A4 less 28 mm and 26 mm margins, in twentieths of a point
BODY_INDENT = Pt(32)  # two characters of 16 pt: the first line of a paragraph

def official_document() -> Document:
    """An empty A4 document: GB/T 9704 margins, 16 pt 仿宋 body at 28 pt line spacing."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = document.styles["Normal"]
    set_font(normal.font, BODY_FONT, 16)
    normal.paragraph_format.line_spacing = Pt(28)
    return document


def document_bytes(document) -> bytes:
    """The finished document as the bytes of a .docx file, for a download."""
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def set_font(font, east_asian: str, size: float) -> None:
    """Size and Chinese typeface of a run or style (python-docx sets only the Latin one)."""
    font.size = Pt(size)
    r_pr = font._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asian)


def repeat_as_header(row) -> None:
    """A table row repeated at the top of every page the table runs over."""
    row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def new_paragraph(document) -> Paragraph:
    """``new_paragraph(document)`` in constant time. python-docx finds the body's last child (its section properties)
    by looking through every child for each paragraph it adds: a feedback report of 100,000 comments took many
    minutes, its time growing with the square of its length. The section properties are found once a document (and
    again should they have moved)."""
    body = document.element.body
    sect = getattr(document, "_portal_sect_pr", None)
    if sect is None or sect.getparent() is not body or sect.getnext() is not None:
        sect = document._portal_sect_pr = body.find(qn("w:sectPr"))
    paragraph = OxmlElement("w:p")
    if sect is not None:
        sect.addprevious(paragraph)
    else:
        body.append(paragraph)
    return Paragraph(paragraph, document._body)


def title_paragraph(document, text: str) -> None:
    """The document's title: centred, 22 pt 小标宋."""
    title = new_paragraph(document)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(title.add_run(xml_text(text)).font, TITLE_FONT, 22)


def centred_note(document, text: str) -> None:
    """A line under the title (the period, a version, an address): centred, 14 pt 楷体."""
    note = new_paragraph(document)
    note.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(note.add_run(xml_text(text)).font, SUBHEADING_FONT, 14)


def heading_paragraph(document, text: str, level: int):
    """A numbered heading of the body (一、 in 黑体, （一） in 楷体, deeper ones bold), indented as the body and
    kept with the paragraph after it."""
    paragraph = new_paragraph(document)
    paragraph.paragraph_format.first_line_indent = BODY_INDENT
    paragraph.paragraph_format.keep_with_next = True
    run = paragraph.add_run(xml_text(text))
    if level == 1:
        set_font(run.font, HEADING_FONT, 16)
    elif level == 2:
        set_font(run.font, SUBHEADING_FONT, 16)
    else:
        run.bold = True
    return paragraph


def body_paragraph(document, text: str, label: str = "", pieces=None, keep_with_next: bool = False):
    """A paragraph of body text, its first line indented two characters; ``label`` runs into it in bold.
    ``pieces``: cuts the text into runs of their own, which look the same (one a sentence, to anchor Word
    comments on). ``keep_with_next``: kept on the page of the paragraph after it.

    Copies of ready-made elements (the indented paragraph, a run, a bold run) rather than python-docx's setters,
    which look up and insert each child in schema order: ~0.4 ms a paragraph, the most of a feedback report of
    20,000 comments (bench/README.md, Digests). Text with tabs or line breaks goes through python-docx, which writes
    them as <w:tab/> and <w:br/>."""
    paragraph = new_paragraph(document)
    element = paragraph._p
    templates = _body_templates()
    element.append(deepcopy(templates["kept" if keep_with_next else "pPr"]))
    if label:
        _add_text_run(paragraph, templates["bold"], xml_text(label))
    for piece in (pieces(text) if pieces else None) or [text]:
        _add_text_run(paragraph, templates["run"], xml_text(piece))
    return paragraph


_BODY_TEMPLATES: dict = {}
_SPECIAL = str.maketrans("", "", "\t\n\r")


def _body_templates() -> dict:
    """The elements every body paragraph is made of, made once by python-docx itself (so they are what it makes)."""
    if not _BODY_TEMPLATES:
        paragraph = Paragraph(OxmlElement("w:p"), None)
        paragraph.paragraph_format.first_line_indent = BODY_INDENT
        run = paragraph.add_run("x")
        bold = paragraph.add_run("x")
        bold.bold = True
        kept = Paragraph(OxmlElement("w:p"), None)
        kept.paragraph_format.first_line_indent = BODY_INDENT
        kept.paragraph_format.keep_with_next = True
        _BODY_TEMPLATES.update(pPr=paragraph._p.pPr, kept=kept._p.pPr, run=run._r, bold=bold._r)
    return _BODY_TEMPLATES


def _add_text_run(paragraph, template, text: str) -> None:
    if len(text.translate(_SPECIAL)) != len(text):  # a tab or line break: python-docx's own way
        run = paragraph.add_run(text)
        if template.rPr is not None and template.rPr.b is not None:
            run.bold = True
        return
    run = deepcopy(template)
    element = run.t_lst[0]
    element.text = text
    if text != text.strip():  # as python-docx does: spaces at either end kept
        element.set(qn("xml:space"), "preserve")
    paragraph._p.append(run)


def signature(document, issuer: str | None, dated: str) -> None:
    """The issuer and the date, right-aligned under the text."""
    paragraph = new_paragraph(document)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if issuer:
        paragraph.add_run(xml_text(issuer))
        paragraph.add_run().add_break()
    paragraph.add_run(dated)
