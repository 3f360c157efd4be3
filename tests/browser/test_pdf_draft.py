"""A draft the office has only as a PDF (printed from Word or a browser, with page numbers in the footer): uploaded
through the office's page, its sections, notice and deadline read as from the text itself. The PDF is printed here
by the same headless Chromium, from seed 003 laid out as a government document (justified lines, a page number
"— 1 —" on every page), so its lines break mid-sentence as a real PDF's do."""
from __future__ import annotations

import html

import pytest

from portal.drafts.parser import parse_draft
from portal.drafts.readers import read_draft
from tests.browser.test_staff_pages import staff_page  # noqa: F401 - the fixture
from tests.conftest import SEEDS

pytestmark = pytest.mark.browser


def printed(browser, text: str, table: list[list[str]] = ()) -> bytes:
    """``text`` printed to PDF by Chromium: A4, 16 pt Song type, paragraphs indented, numbered pages; ``table`` after
    it, ruled, as Word prints one."""
    body = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip())
    if table:
        body += ('<table style="border-collapse:collapse;width:100%">' + "".join(
            "<tr>" + "".join(f'<td style="border:1px solid #000;padding:4px">{html.escape(cell)}</td>' for cell in row)
            + "</tr>" for row in table) + "</table>")
    page = browser.new_page()
    try:
        page.set_content(f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>
            body {{ font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif; font-size: 16pt; line-height: 1.6; }}
            p {{ margin: 0; text-indent: 2em; text-align: justify; }}</style></head><body>{body}</body></html>""")
        return page.pdf(format="A4", margin={"top": "25mm", "bottom": "25mm", "left": "28mm", "right": "26mm"},
                        display_header_footer=True, header_template="<span></span>",
                        footer_template='<div style="font-size:12pt;width:100%;text-align:center">'
                                        '— <span class="pageNumber"></span> —</div>')
    finally:
        page.close()


def sections(parsed) -> list:
    """Every section of a parsed draft, in document order."""
    return _walk(parsed.sections)


def _walk(items) -> list:
    return [one for section in items for one in (section, *_walk(section.children))]


def outline(parsed) -> list[tuple[str, str]]:
    return [(section.label, section.heading) for section in sections(parsed)]


# What this printing alone changes: the Noto font gives 户 the code of its traditional form 戶, and text keeps no
# non-breaking spaces
PRINTED = str.maketrans({"戶": "户", "\xa0": " "})


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003"])  # 004 is itself text copied from a PDF
def test_a_pdf_draft_reads_as_its_text_does(browser, prefix):
    text = next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")
    data = printed(browser, text)
    from_pdf = read_draft(data, "方案.pdf")
    assert "— 1 —" not in from_pdf and "— 2 —" not in from_pdf  # the page numbers are left out
    assert "养老" in from_pdf and "⽼" not in from_pdf and "⻅" not in from_pdf  # radicals read as ideographs
    pdf, txt = parse_draft(from_pdf), parse_draft(text.translate(PRINTED))
    assert len(outline(txt)) > 20 and outline(pdf) == outline(txt)
    assert (pdf.title, pdf.deadline, pdf.contact, pdf.issuer) == (txt.title, txt.deadline, txt.contact, txt.issuer)
    # every paragraph whole: the lines the page's width broke are joined again, a paragraph's end kept
    assert [s.text.translate(PRINTED) for s in sections(pdf)] == [s.text for s in sections(txt)]


def test_the_office_uploads_a_pdf_and_reviews_its_sections(browser, staff_page, tmp_path):  # noqa: F811
    text = ("关于社区食堂建设的实施意见（征求意见稿）\n"
            "社会各界：现将实施意见公布，请于2099年5月12日前报送意见。联系人：王伟，电话：0557-3255022。\n"
            "一、总体要求\n" + "坚持以人为本，就近方便老年人用餐。" * 12 + "\n"
            "二、主要措施\n（一）完善服务网络。" + "各区建设社区食堂，覆盖城乡社区。" * 12 + "\n"
            "（二）加强队伍建设。培训厨师和服务人员。\n")
    path = tmp_path / "实施意见.pdf"
    path.write_bytes(printed(browser, text))
    page = staff_page()
    page.goto("/office/upload")
    page.locator("input[type=file]").set_input_files(str(path))
    # reading a PDF is the slowest upload: a bound against a page that never comes, not a speed check (a full run
    # beside five other test runs on this 2-core machine took more than 30 s here, 2026-12-06)
    page.locator("main form button[type=submit]").click(timeout=120_000)
    page.wait_for_url(lambda url: url.rstrip("/").split("/")[-1].isdigit(), timeout=120_000)
    outline_text = page.locator("#outline").inner_text()
    for heading in ("一、总体要求", "二、主要措施", "（一）完善服务网络", "（二）加强队伍建设"):
        assert heading.replace("（", "(").replace("）", ")")[:4] in outline_text.replace("（", "(").replace("）", ")")
    main = page.locator("main").inner_text()
    assert "关于社区食堂建设的实施意见" in main and "2099年5月12日" in main
    assert "从 PDF 文件中读出的" in main  # the review page asks the office to check it against the file


def test_a_table_in_a_pdf_is_read_as_a_table(browser):
    rows = [["类别", "指标名称", "2025年目标值", "指标属性"],
            ["老年人福利", "不能自理特困人员集中供养率", "60%", "预期性"],
            ["老年人福利", "有集中供养意愿的特困人员集中供养率", "100%", "约束性"],
            ["养老服务人才", "培养养老服务相关专业的院校数量", "1", "预期性"]]
    text = ("关于养老服务的实施意见（征求意见稿）\n一、总体要求\n坚持以人为本。\n二、主要目标\n到2025年实现以下目标。\n附件\n"
            "宿州市养老服务提升行动主要目标")
    parsed = parse_draft(read_draft(printed(browser, text, rows), "意见.pdf"))
    (table,) = parsed.tables
    assert (table.title, table.header, table.rows) == ("宿州市养老服务提升行动主要目标", rows[0], rows[1:])
