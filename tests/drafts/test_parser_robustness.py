"""Regressions found by the property-based tests (test_parser_properties.py), pinned as plain examples."""

from __future__ import annotations

import io

import pytest

from portal.drafts.parser import parse_draft
from portal.drafts.readers import DraftReadError, read_draft
from tests.helpers import docx_of, with_part


def dropped(text: str) -> list[tuple[int, str]]:
    return [(r.line, r.rule) for r in parse_draft(text).dropped_lines]


def section_texts(text: str) -> list[str]:
    return [s.label + s.heading + "\n" + s.text for s in parse_draft(text).iter_sections()]


# --------------------------------------------------------------------------- body text taken for page furniture

@pytest.mark.parametrize("line", [
    "加强知识产权保护，依法维护版权所有人的合法权益。",  # not a "版权所有" footer
    "扫码就医、扫码支付覆盖全市二级以上医疗机构。",  # a sentence, not a share prompt
    "技术支持：市大数据局负责平台的建设和运行维护。",
])
def test_a_body_sentence_with_a_footer_word_is_kept(line):
    text = f"某某办法\n一、总则\n{line}\n二、附则\n本办法自发布之日起施行。"
    assert dropped(text) == []
    assert line in parse_draft(text).sections[0].text


def test_metadata_like_lines_inside_the_body_are_kept():
    text = "\n".join([
        "某某办法",
        "一、资金保障",
        "来源：市级财政预算和福彩公益金",
        "二、办理程序",
        "审核：由区民政局在5个工作日内完成",
        "公示：在社区公示7天。",
    ])
    assert dropped(text) == []
    first, second = parse_draft(text).sections
    assert first.text == "来源：市级财政预算和福彩公益金"
    assert second.text.startswith("审核：由区民政局在5个工作日内完成")


def test_page_metadata_at_the_end_of_the_article_is_still_dropped():
    text = "某某办法\n一、总则\n内容。\n来源：某某市民政局\n编辑：张三\n"
    assert dropped(text) == [(4, "page_meta"), (5, "page_meta")]
    assert parse_draft(text).sections[0].text == "内容。"


def test_an_appendix_of_contacts_is_not_a_site_footer():
    text = "\n".join([
        "某某活动方案",
        "一、总则",
        "内容。",
        "附件",
        "报名方式",
        "座机：0557-1234567",
        "手机：13800000000",
    ])
    assert dropped(text) == []
    appendix = parse_draft(text).sections[-1]
    assert appendix.kind == "appendix" and appendix.heading == "报名方式"
    assert appendix.text == "座机：0557-1234567\n手机：13800000000"


def test_a_site_footer_block_with_its_markers_is_still_dropped():
    text = "\n".join([
        "某某办法",
        "一、总则",
        "内容。",
        "主办单位：某某市人民政府",
        "网站标识码：3400000001",
        "皖ICP备12345678号",
    ])
    assert dropped(text) == [(6, "site_footer"), (4, "site_footer"), (5, "site_footer")]
    assert parse_draft(text).sections[0].text == "内容。"


# --------------------------------------------------------------------------- size

def test_a_run_of_lines_cut_mid_sentence_is_joined_into_paragraphs_of_bounded_length():
    # Each join looked at the whole paragraph so far: thousands of such lines took quadratic time
    # (1.3 MB: 50 s). A paragraph now stops growing at a length no real paragraph reaches.
    line = "推进养老服务体系建设，完善居家社区机构相协调的服务网络，"
    text = "一、总则\n" + "\n".join([line] * 500)
    (section,) = parse_draft(text).sections
    paragraphs = section.text.split("\n")
    assert len(paragraphs) > 1
    assert all(len(p) <= 4000 + len(line) for p in paragraphs)
    assert "".join(paragraphs) == line * 500  # nothing lost, nothing added


# --------------------------------------------------------------------------- reader

def _docx_with(part: str, content: bytes) -> bytes:
    """A real .docx whose ``part`` is replaced by ``content``."""
    return with_part(docx_of(["一、总则"]), part, content)


@pytest.mark.parametrize("data, code", [
    pytest.param(b"\xef\xbb\xbf\x80abc", "encoding", id="utf8-bom-then-not-utf8"),  # was UnicodeDecodeError
    pytest.param(_docx_with("word/document.xml", b"<x/>"), "bad_docx", id="document-without-body"),  # AttributeError
    pytest.param(_docx_with("word/styles.xml", b"<x/>"), "bad_docx", id="styles-of-junk"),  # AttributeError
])
def test_broken_files_are_refused_with_a_code(data, code):
    with pytest.raises(DraftReadError) as refused:
        read_draft(data, "draft.docx")
    assert refused.value.code == code and refused.value.message


def _styled_numbering_docx(paragraphs: int) -> bytes:
    """Headings numbered 一、二、… through their paragraph style (Heading 1 carries the numbering), with
    ``paragraphs`` plain paragraphs of the default style under each."""
    from docx import Document
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document = Document()
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {w} w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        f'<w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl></w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {w} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    document.styles["Heading 1"].element.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {w}><w:ilvl w:val="0"/><w:numId w:val="90"/></w:numPr>'))
    for heading in ("总体要求", "主要任务"):
        document.add_paragraph(heading, style="Heading 1")
        for n in range(paragraphs):
            document.add_paragraph(f"第{n}段内容。")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_numbering_given_by_a_paragraph_style_is_read_and_each_style_is_looked_up_once(monkeypatch):
    # python-docx finds a paragraph's style by scanning every style: looked up for each paragraph, a
    # .docx of 20,000 paragraphs took 21 s to read. The numbering of a style is now read once.
    from docx.styles.styles import Styles

    lookups = []
    get_by_id = Styles.get_by_id
    monkeypatch.setattr(Styles, "get_by_id", lambda self, *args: lookups.append(args) or get_by_id(self, *args))
    text = read_draft(_styled_numbering_docx(100), "draft.docx")
    lines = text.split("\n")
    assert lines[0] == "一、总体要求" and lines[101] == "二、主要任务" and lines[102] == "第0段内容。"
    assert len(lookups) <= 4  # Heading 1 and the default style, not 202 paragraphs


# --------------------------------------------------------------------------- work bounded by the text's length

class _CountedSlices(str):
    """A line that counts the characters copied by slicing it."""

    copied = 0

    def __getitem__(self, key):
        part = str.__getitem__(self, key)
        if isinstance(key, slice):
            type(self).copied += len(part)
        return part


def test_the_units_of_many_parentheticals_on_one_line_are_found_in_one_pass(monkeypatch):
    """units_in_text had sliced the line before and after each parenthetical: quadratic (80,000 repetitions of
    （一）1.（1）① on one line took 41 s). The characters next to each are now looked at by index: the line is copied
    no more than once, whatever the number of parentheticals; what is found is the same."""
    from portal.drafts.parser import units_in_text

    monkeypatch.setattr(_CountedSlices, "copied", 0)
    line = _CountedSlices("（一）1.（1）①" * 2000 + "完成任务（市民政局、市财政局）。")
    assert units_in_text(line) == ["市民政局", "市财政局"]
    assert _CountedSlices.copied <= len(line)
    samples = {"任务一（市民政局、市财政局）。任务二 （市发展改革委） ，": ["市民政局", "市财政局", "市发展改革委"],
               "（责任单位：市卫健委）": ["市卫健委"], "加强管理（市民政局）并且": [], "\u3000（市民政局）\u3000": ["市民政局"],
               "做好工作（市民政局）\n（二）": ["市民政局"], "工作（市民政局）x": []}
    assert {text: units_in_text(text) for text in samples} == samples
