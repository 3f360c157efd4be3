"""The layout Chinese government documents use (GB/T 9704), for the Word files the portal writes: the digest
(portal/digests/docx_writer.py) and the draft for download (portal/drafts/document.py). Pure: no app context."""
from __future__ import annotations

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

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
