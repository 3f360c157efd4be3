"""Reading a draft from a PDF (portal/drafts/readers.py, pdf_layout.py; portal/core/pdftext.py): the page numbers left out, the
radicals some PDFs write for ideographs read as those ideographs, and a PDF without text, with a password or broken
refused in words the office understands (the whole document: tests/browser/test_pdf_draft.py)."""
import io

import pytest
from pypdf import PdfWriter

from portal.core.pdftext import unified_ideographs
from portal.drafts.pdf_layout import _without_page_number
from portal.drafts.readers import DraftReadError, read_draft


def test_radicals_a_pdf_wrote_are_read_as_the_ideographs_they_stand_for():
    assert unified_ideographs("健全基本养⽼服务体系，⼴⼤居⺠群众提出修改意⻅，⻓期照护，⻔诊") == \
        "健全基本养老服务体系，广大居民群众提出修改意见，长期照护，门诊"
    assert unified_ideographs("第⼀条 ABC１２３") == "第一条 ABC１２３"  # nothing else changes (full-width digits too)


@pytest.mark.parametrize("footer", ["— 3 —", "- 3 -", "－3－", "3", "第3页", "第 3 页 共 20 页", "3/20", "2"])
def test_a_pages_number_is_left_out(footer):
    assert _without_page_number(f"一、总体要求\n坚持以人为本。\n\n{footer}\n", 3) == "一、总体要求\n坚持以人为本。"
    assert _without_page_number(f"{footer}\n一、总体要求", 3) == "一、总体要求"


def test_numbers_of_the_text_stay():
    page = "（三）主要指标\n2025\n到2025年底覆盖率达到\n95%"
    assert _without_page_number(page, 2) == page
    table = "指标 | 目标值\n养老床位数 | 100"  # a table's last cell, not the page's number
    assert _without_page_number("指标\n养老床位数\n100", 7) == "指标\n养老床位数\n100"
    assert _without_page_number(table, 7) == table
    assert _without_page_number("正文\n12", 7) == "正文\n12"  # not this page's number


def pdf(build) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    build(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("data, code, words", [
    (pdf(lambda writer: None), "pdf_no_text", "可能是扫描件"),
    (pdf(lambda writer: writer.encrypt("secret")), "pdf_encrypted", "设置了密码"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<", "bad_pdf", "可能已损坏"),
], ids=["scanned", "password", "broken"])
def test_a_pdf_without_text_with_a_password_or_broken_is_refused_plainly(data, code, words):
    with pytest.raises(DraftReadError) as refused:
        read_draft(data, "方案.pdf")
    assert refused.value.code == code and words in refused.value.message


def test_lines_the_pages_width_broke_are_joined_and_paragraphs_headings_and_table_rows_stay():
    from portal.drafts.pdf_layout import _joined_lines

    laid_out = "\n".join([
        "  一、总体要求",
        "  " + "甲" * 20,  # a paragraph's first line: indented, filling the width
        "乙" * 22,  # its next line, filling the width
        "丙丙丙。",  # its last line
        "  " + "丁" * 20,  # the next paragraph
        "戊" * 22 + "。",  # ends where the line ends: the next line is indented, a paragraph of its own
        "  " + "己" * 20,
        "（一）完善网络",  # a heading, not indented, after a full line: a line of its own
        "指标        目标值",  # a table's row
        "养老床位数  100",
    ])
    assert _joined_lines(laid_out) == "\n".join([
        "一、总体要求", "甲" * 20 + "乙" * 22 + "丙丙丙。", "丁" * 20 + "戊" * 22 + "。", "己" * 20, "（一）完善网络",
        "指标        目标值", "养老床位数  100"])


def test_a_table_as_laid_out_is_written_as_the_parser_reads_one():
    from portal.drafts.pdf_layout import _table_rows

    laid_out = "\n".join([  # as pypdf lays out a ruled table whose cells wrap (rows apart by blank lines)
        "附件",
        "类别     指标名称                2025年目   指标属",
        "                            标值       性",
        "",
        "老年人福   不能自理特困人员集中供养        60%      预期性",
        "利      率",
        "",
        "养老服务   培养养老服务相关专业的院        1        预期性",
        "人才     校数量",
        "",
        "  正文  只有一行隔开的文字不是表格。",
        "王  宇 市医保局",  # a name set to the width of three characters: two cells are no table
        "徐  盼 市自然资源和规划局",
    ])
    assert _table_rows(laid_out).split("\n") == [
        "附件", "类别 | 指标名称 | 2025年目标值 | 指标属性", "老年人福利 | 不能自理特困人员集中供养率 | 60% | 预期性",
        "养老服务人才 | 培养养老服务相关专业的院校数量 | 1 | 预期性", "", "  正文  只有一行隔开的文字不是表格。",
        "王  宇 市医保局", "徐  盼 市自然资源和规划局"]


def test_a_tight_table_tells_its_rows_by_the_lines_filling_every_column():
    from portal.drafts.pdf_layout import _table_rows

    laid_out = "\n".join([
        "类别       指标名称          目标值",
        "福利       供养率            60%",
        "         （特困人员）",
        "人才       院校数量          1",
    ])
    assert _table_rows(laid_out).split("\n") == [
        "类别 | 指标名称 | 目标值", "福利 | 供养率（特困人员） | 60%", "人才 | 院校数量 | 1"]
