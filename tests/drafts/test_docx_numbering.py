"""A .docx whose headings are numbered by Word's automatic numbering imports with those numbers."""
import io
import json

import pytest
from docx import Document
from docx.oxml import parse_xml

from portal.drafts.docx_numbering import chinese_number, format_number

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
NUMBERING = f"""
<w:abstractNum {W} w:abstractNumId="90">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
</w:abstractNum>|
<w:abstractNum {W} w:abstractNumId="91">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="第%1条"/></w:lvl>
</w:abstractNum>|
<w:num {W} w:numId="90"><w:abstractNumId w:val="90"/></w:num>|
<w:num {W} w:numId="91"><w:abstractNumId w:val="91"/></w:num>
"""


def numbered(document, text: str, num_id: int, level: int):
    paragraph = document.add_paragraph(text)
    paragraph._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {W}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'))
    return paragraph


def build(kind: str) -> bytes:
    document = Document()
    numbering = document.part.numbering_part.element
    abstract, num = [], []
    for xml in NUMBERING.split("|"):
        (abstract if "abstractNum " in xml else num).append(parse_xml(xml.strip()))
    for element in abstract:  # abstract definitions come before the num instances in numbering.xml
        numbering.insert(0, element)
    for element in num:
        numbering.append(element)
    document.add_paragraph("关于养老服务的实施意见（征求意见稿）")
    if kind == "plan":
        numbered(document, "目标要求", 90, 0)
        document.add_paragraph("到2025年，基本养老服务体系基本建成。")
        numbered(document, "主要任务", 90, 0)
        numbered(document, "完善服务网络", 90, 1)
        numbered(document, "建设街道养老服务中心。各区每年新建一批。", 90, 2)
        numbered(document, "发展社区食堂。方便老年人就餐。", 90, 2)
        numbered(document, "加强保障措施", 90, 1)
        numbered(document, "落实资金保障。市财政安排专项资金。", 90, 2)
    else:
        numbered(document, "为了规范养老服务，制定本办法。", 91, 0)
        numbered(document, "本办法适用于本市行政区域内的养老服务。", 91, 0)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def outline(sections, depth=0):
    for s in sections:
        yield depth, s["label"]
        yield from outline(s["children"], depth + 1)


def parse(app, tmp_path, data: bytes) -> dict:
    path = tmp_path / "numbered.docx"
    path.write_bytes(data)
    result = app.test_cli_runner().invoke(args=["drafts", "parse", str(path)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_word_list_numbering_becomes_the_headings(app, tmp_path):
    parsed = parse(app, tmp_path, build("plan"))
    assert list(outline(parsed["sections"])) == [
        (0, "一、"), (0, "二、"), (1, "（一）"), (2, "1."), (2, "2."), (1, "（二）"), (2, "1."),
    ]
    tasks = parsed["sections"][1]
    assert tasks["heading"] == "主要任务"
    assert tasks["children"][0]["heading"].startswith("完善服务网络")
    assert tasks["children"][0]["children"][1]["heading"].startswith("发展社区食堂")


def test_word_numbered_articles(app, tmp_path):
    parsed = parse(app, tmp_path, build("articles"))
    assert [s["label"] for s in parsed["sections"]] == ["第一条", "第二条"]
    assert "规范养老服务" in parsed["sections"][0]["heading"] + parsed["sections"][0]["text"]


@pytest.mark.parametrize("n, expected", [(1, "一"), (10, "十"), (12, "十二"), (20, "二十"), (35, "三十五"),
                                         (100, "一百"), (105, "一百零五"), (110, "一百一十")])
def test_chinese_counting(n, expected):
    assert chinese_number(n) == expected


def test_other_formats():
    assert format_number(3, "decimalZero") == "03"
    assert format_number(2, "lowerLetter") == "b"
    assert format_number(4, "upperRoman") == "IV"
    assert format_number(1, "decimalEnclosedCircle") == "①"
    assert format_number(7, "decimal") == "7"
