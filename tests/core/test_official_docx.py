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


def test_a_body_paragraph_is_what_python_docx_itself_writes():
    """body_paragraph copies ready-made elements instead of python-docx's setters (bench/README.md, Digests): the
    XML must stay exactly what python-docx writes, spaces kept at either end, tabs and line breaks as such."""
    from lxml import etree

    from portal.core.official_docx import BODY_INDENT

    def by_python_docx(document, text, label, pieces):
        paragraph = new_paragraph(document)
        paragraph.paragraph_format.first_line_indent = BODY_INDENT
        if label:
            paragraph.add_run(label).bold = True
        for piece in pieces:
            paragraph.add_run(piece)
        return paragraph

    cases = [("建议增加助餐点。", "", ["建议增加助餐点。"]), (" 前后有空格 ", "1. 意见：", [" 前后有空格 "]),
             ("赞成。\n建议尽快实施。", "答复：", ["赞成。\n建议尽快实施。"]), ("甲\t乙", "\t标签", ["甲\t乙"]),
             ("第一句。第二句。", "", ["第一句。", "第二句。"])]
    for text, label, pieces in cases:
        document = official_document()
        ours = body_paragraph(document, text, label, pieces=(lambda _text: pieces) if len(pieces) > 1 else None)
        theirs = by_python_docx(document, text, label, pieces)
        assert etree.tostring(ours._p) == etree.tostring(theirs._p), text
        assert [run.bold for run in ours.runs] == [True if label else None][:bool(label)] + [None] * len(pieces)
    document = official_document()
    kept = body_paragraph(document, "意见", "1. 意见：", keep_with_next=True)
    theirs = by_python_docx(document, "意见", "1. 意见：", ["意见"])
    theirs.paragraph_format.keep_with_next = True
    assert etree.tostring(kept._p) == etree.tostring(theirs._p) and kept.paragraph_format.keep_with_next
