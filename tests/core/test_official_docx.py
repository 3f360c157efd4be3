"""Paragraphs added to the Word files the portal writes keep their order, before the section properties that must
stay the body's last child, however tables and paragraphs alternate (portal/core/official_docx.py: new_paragraph)."""
import io

from docx import Document
from docx.oxml.ns import qn

from portal.core.official_docx import body_paragraph, document_bytes, new_paragraph, official_document


def test_paragraphs_and_tables_keep_their_order_and_the_section_stays_last():
    document = official_document()
    body_paragraph(document, "第一段")
    new_paragraph(document).add_run("第二段")
    document.add_table(rows=1, cols=1).cell(0, 0).text = "表格"
    body_paragraph(document, "第三段")
    reread = Document(io.BytesIO(document_bytes(document)))
    children = list(reread.element.body)
    assert children[-1].tag == qn("w:sectPr")
    texts = ["".join(t.text for t in child.iter(qn("w:t"))) for child in children[:-1]]
    assert texts == ["第一段", "第二段", "表格", "第三段"]
    assert reread.sections[0].page_width == document.sections[0].page_width  # the layout survived
