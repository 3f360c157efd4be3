"""The import's warnings on the review page in English: each code has English words, with the details the parser's
Chinese text gives (the numbering found, the lines repeated); the draft's own words quoted in them stay Chinese,
marked lang="zh-CN" (a screen reader reads them in a Chinese voice). The Chinese page keeps the parser's text."""
import re

from tests.helpers import pdf_of

HAN = re.compile(r"[\u3400-\u9fff]")

GAPS = "\n".join([
    "某某方案", "一、总体要求", "坚持稳中求进。", "1.基本原则", "坚持以人为本。", "（一）主要目标", "到2025年基本建成。",
    "二、主要任务", "推进各项工作。", "四、保障措施", "加强领导。", "二、附则", "本方案自发布之日起施行。",
])


def warnings_of(page: str) -> list[str]:
    """The items of the page's list of warnings, as HTML."""
    listed = page.split('id="warnings-h"')[1].split("</ul>")[0]
    return re.findall(r"<li>(.*?)</li>", listed, re.S)


def test_numbering_warnings_in_english_quote_the_drafts_numbering_marked_chinese(app, client, office, submit):
    response = submit("/office/upload", file=(GAPS.encode("utf-8"), "gaps.txt"))
    assert response.status_code == 302
    chinese = warnings_of(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "第6行：第6行的编号“（一）”出现在“1.”之下，层级顺序不寻常（（一）通常高于1.），请核对。" in chinese
    client.get("/settings/language/en")
    english = warnings_of(client.get(response.headers["Location"]).get_data(as_text=True))
    assert ('Line 6: The numbering “<span lang="zh-CN">（一）</span>” comes under “<span lang="zh-CN">1.</span>”, '
            'an unusual order of levels (<span lang="zh-CN">（一）</span> is usually above <span lang="zh-CN">1.</span>).'
            ' Please check it.') in english
    assert ('Line 10: After “<span lang="zh-CN">二、</span>” item 3 was expected, but it is '
            '“<span lang="zh-CN">四、</span>”: the numbering skips. Please check it.') in english
    assert ('Line 12: “<span lang="zh-CN">二、</span>” comes again after “<span lang="zh-CN">四、</span>”: '
            'the numbering starts again or repeats. Please check it.') in english
    for item in english:  # no Chinese left outside a mark
        assert not HAN.search(re.sub(r'<span lang="zh-CN">[^<]*</span>', "", item)), item


def test_a_web_page_seed_and_a_pdf_are_warned_in_english(app, client, office, submit, upload_seed):
    client.get("/settings/language/en")
    review = f"/office/consultations/{upload_seed('002')}"
    english = warnings_of(client.get(review).get_data(as_text=True))
    assert "Line 76: This line is a picture from a web page (1.png) and cannot be imported. If it is a table, " \
           "add it by hand." in english
    assert "Line 252: Lines 252 to 498 repeated earlier text and were removed." in english

    pdf = pdf_of(["关于养老服务的实施意见", "一、总体要求", "坚持以人为本。", "二、主要措施", "建设社区食堂。"])
    response = submit("/office/upload", file=(pdf, "draft.pdf"))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    english = warnings_of(client.get(response.headers["Location"]).get_data(as_text=True))
    assert english[1].startswith("The text of this draft was read from a PDF file: check its parts and tables")
    client.get("/settings/language/zh_CN")
    chinese = warnings_of(client.get(response.headers["Location"]).get_data(as_text=True))
    assert chinese[1].startswith("这份草案的文字是从 PDF 文件中读出的")


def test_tracked_changes_are_counted_in_english(app, client, office, submit):
    from tests.office.test_upload_review import tracked_docx

    client.get("/settings/language/en")
    response = submit("/office/upload", file=(tracked_docx(), "修订稿.docx"))
    assert response.status_code == 302
    english = warnings_of(client.get(response.headers["Location"]).get_data(as_text=True))
    assert ("The Word file still holds 4 tracked changes: it was read as if all of them were accepted. "
            "Check it against the file.") in english


def test_a_code_without_english_words_shows_its_chinese_marked(app):
    from flask_babel import refresh

    from portal.office.review import _parser_warning

    with app.test_request_context("/?lang=en"):
        refresh()
        unknown = _parser_warning({"code": "newer_code", "line": 3, "message": "第3行：<未知>的提示。"})
        assert unknown["message"] == '<span lang="zh-CN">第3行：&lt;未知&gt;的提示。</span>'
        odd = _parser_warning({"code": "level_jump", "line": 3, "message": "另一种写法"})  # no details to read
        assert odd["message"] == "The numbering on this line is at an unusual level. Please check it."
        first = _parser_warning({"code": "numbering_gap", "line": 2,
                                 "message": "第2行：这一层开头应为第1项，实际是“三、”，编号不连续。"})
        assert first["message"] == ('This level should start with item 1, but it is “<span lang="zh-CN">三、</span>”: '
                                    'the numbering skips. Please check it.')
    refresh()
