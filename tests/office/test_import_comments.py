"""The feedback form (意见反馈表): a reader downloads it, fills it in and sends it; the office imports it, or its own
list of opinions received, in one go, all rows or none."""
import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.comments.models import Comment
from portal.consultations.services import close_due_consultations
from portal.extensions import db
from tests.helpers import shanghai, with_formula_results


def import_url(consultation) -> str:
    return f"/office/consultations/{consultation.id}/comments/import"


def blank_form(client, consultation):
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" download>下载意见反馈表', page).group(1)
    response = client.get(link)
    assert response.status_code == 200
    return response


def stored() -> list[Comment]:
    return list(db.session.scalars(select(Comment).order_by(Comment.id)))


def words_under(section, length: int = 12) -> str:
    """Words of ``section`` or of its first subsection with a text: a quotation its comments may carry."""
    while not section.lines:
        section = section.children[0]
    return section.lines[0][:length]


def xlsx(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_the_blank_form_lists_the_sections_and_says_where_to_send_it(client, consultation):
    response = blank_form(client, consultation)
    disposition = response.headers["Content-Disposition"]
    assert "filename*=UTF-8''" in disposition and response.mimetype.endswith("spreadsheetml.sheet")
    workbook = load_workbook(io.BytesIO(response.data))
    sheet, choices = workbook["意见反馈表"], workbook["章节"]
    assert choices.sheet_state == "hidden"
    assert [cell.value for cell in sheet[3]] == ["针对的章节", "针对的原文", "态度", "意见内容", "建议修改为", "理由",
                                                 "提出人（个人姓名）", "联系方式", "提出单位（以单位名义提的填写）", "单位类别"]
    assert "contact@example.gov.cn" in sheet["A2"].value and "2023年5月12日" in sheet["A2"].value
    names = [row[0].value for row in choices.iter_rows()]
    sections = consultation.current_draft.sections
    assert names[0] == "草案整体" and len(names) == 1 + len(sections)
    assert len(set(names)) == len(names)  # each section its own name
    assert names[1] == sections[0].title
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert lists["A4:A203"] == f"=章节!$A$1:$A${len(names)}" and lists["C4:C203"] == '"赞成,反对,建议"'
    assert lists["J4:J203"] == '"企业,行业协会、商会,社会组织,机关、事业单位,其他单位"'


def test_a_filled_form_is_imported_all_at_once(client, clock, consultation, office, submit):
    workbook = load_workbook(io.BytesIO(blank_form(client, consultation).data))
    sheet, names = workbook["意见反馈表"], [row[0].value for row in workbook["章节"].iter_rows()]
    quoted = words_under(consultation.current_draft.sections[1])
    sheet.append([names[2], quoted, "反对", "建议删去这一条。", f"{quoted}（删去）", "与上位法不一致。", "某某律师事务所",
                  "lawyer@example.cn"])
    sheet.append([None, None, None, "整体赞成。", None, None, None, None])  # the whole draft; no position: a suggestion
    sheet.append([names[1], None, "赞成", "赞成。", "增加一句。", None, "王大爷", None])
    sheet.append([None, None, None, "单位意见。", None, None, "赵六", None, "某某研究院", "社会组织"])  # the kind listed
    sheet.cell(row=30, column=1, value=names[3])  # a section chosen in a row left otherwise empty: not an opinion
    clock.set(shanghai(2023, 5, 15, 10, 0))
    close_due_consultations(notify=False)
    db.session.commit()

    response = submit(import_url(consultation), file=(xlsx(workbook), "反馈表.xlsx"), channel="letter",
                      received_on="2023-05-11")
    assert response.status_code == 302 and "imported=4" in response.headers["Location"]
    assert "已从表中录入 4 条意见。" in client.get(response.headers["Location"]).get_data(as_text=True)
    comments = stored()
    sections = consultation.current_draft.sections
    assert [(c.section_id, c.stance, c.body, c.organisation or c.author_name, c.author_contact, c.quote, c.proposal)
            for c in comments] == [
        (sections[1].id, "oppose", "建议删去这一条。\n理由：与上位法不一致。", "某某律师事务所", "lawyer@example.cn", quoted,
         f"{quoted}（删去）"),  # an organisation's opinion (以单位名义): the 提出人 named a law firm
        (None, "suggest", "整体赞成。", None, None, None, None),
        (sections[0].id, "support", "赞成。", "王大爷", None, None, "增加一句。"),
        (None, "suggest", "单位意见。", "某某研究院", None, None, None),
    ]
    assert (comments[3].author_name, comments[3].organisation_kind) == ("赵六", "social")  # not told from the name
    assert {(c.channel, c.created_at) for c in comments} == {("letter", shanghai(2023, 5, 11, 12, 0))}
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "record_comment")) == 4
    db.session.refresh(consultation)
    assert "反馈意见4条（2人、2个单位提出）" in consultation.closing_summary


def test_an_offices_own_list_in_gb18030_with_its_own_column_names(client, clock, consultation, submit):
    clock.set(shanghai(2023, 5, 20, 10, 0))
    sections = consultation.current_draft.sections
    child = next(s for s in sections if s.parent_id is not None)
    path = "".join(a.label for a in child.ancestors()) + child.label  # e.g. 二、（一）: a numbering, not a name
    text = ("序号,条款,修改意见,姓名,联系电话,收到日期,收到方式\r\n"
            f"1,{sections[0].label}{sections[0].heading},建议一。,张三,13800000000,2023年5月2日,电话\r\n"
            f"2,{path},建议二。,,,2023/5/3,来信\r\n"
            "3,全文,建议三。,李四,,,\r\n")
    response = submit(import_url(consultation), file=(text.encode("gb18030"), "汇总.csv"), channel="email",
                      received_on="2023-05-12")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert [(c.section_id, c.channel, c.created_at, c.author_contact) for c in stored()] == [
        (sections[0].id, "phone", shanghai(2023, 5, 2, 12, 0), "13800000000"),
        (child.id, "letter", shanghai(2023, 5, 3, 12, 0), None),
        (None, "email", shanghai(2023, 5, 12, 12, 0), None),
    ]


def test_a_list_giving_the_time_each_opinion_came_is_checked_to_the_moment(client, clock, consultation, submit):
    """A telephone log's 收到日期 gives the time (an Excel date-time cell: 2023-05-12 17:05:00). It was refused as a
    date not understood; a time is now read and checked as the form checks one: after the deadline's hour on its
    day, refused; a day alone still counts when any of it is within the period."""
    from datetime import datetime

    consultation.deadline = shanghai(2023, 5, 12, 12, 0)  # opens 2023-04-20 09:00
    db.session.commit()
    clock.set(shanghai(2023, 5, 20, 10, 0))
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["意见内容", "收到日期", "收到方式"])
    sheet.append(["上午来电的意见。", datetime(2023, 5, 12, 11, 30), "电话"])
    sheet.append(["下午来电的意见。", datetime(2023, 5, 12, 17, 5), "电话"])
    sheet.append(["开始以前来电的意见。", "2023年4月20日 8:40", "电话"])
    sheet.append(["邮戳为截止当天的来信。", datetime(2023, 5, 12), "信函"])
    out = io.BytesIO()
    workbook.save(out)
    url = import_url(consultation)
    response = submit(url, file=(out.getvalue(), "来电记录.xlsx"), channel="phone", received_on="2023-05-12")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "第3行：收到的时间晚于截止时间（2023年5月12日 12:00）：截止以后收到的意见不能计入。" in page
    assert "第4行：收到的时间早于征求意见开始的时间（2023年4月20日 09:00）。" in page
    assert "第2行" not in page and "第5行" not in page and stored() == []

    for row in (4, 3):
        sheet.delete_rows(row)
    out = io.BytesIO()
    workbook.save(out)
    response = submit(url, file=(out.getvalue(), "来电记录.xlsx"), channel="phone", received_on="2023-05-12")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert [(c.channel, c.created_at) for c in stored()] == [("phone", shanghai(2023, 5, 12, 11, 30)),
                                                             ("letter", shanghai(2023, 5, 12, 12, 0))]


def test_a_list_giving_a_time_later_than_now_is_refused_as_the_form_refuses_it(client, clock, consultation, submit):
    """A time typed wrong in the office's list (17:05 of today, read at 10:00) is refused with its row, as the form
    refuses it (收到时刻不能晚于现在); it was stored as received now, a moment the list never gave."""
    from datetime import datetime

    clock.set(shanghai(2023, 5, 5, 10, 0))  # within the period (to 2023-05-12 23:59:59)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["意见内容", "收到日期", "收到方式"])
    sheet.append(["上午来电的意见。", datetime(2023, 5, 5, 9, 30), "电话"])
    sheet.append(["时刻写错的来电意见。", datetime(2023, 5, 5, 17, 5), "电话"])
    response = submit(import_url(consultation), file=(xlsx(workbook), "来电记录.xlsx"), channel="phone",
                      received_on="2023-05-05")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "第3行：收到时刻不能晚于现在。" in page
    assert "第2行" not in page and stored() == []


def word_form(rows_above, header, rows) -> bytes:
    """A Word 意见反馈表 as offices attach them: who sends it above, then the opinions, one a row."""
    from docx import Document

    document = Document()
    document.add_paragraph("附件：意见反馈表")
    table = document.add_table(rows=0, cols=len(header))
    for values in [*rows_above, header, *rows]:
        cells = table.add_row().cells
        for cell, value in zip(cells, values):
            cell.text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_word_feedback_form_with_its_sender_above_the_opinions(client, clock, consultation, submit):
    clock.set(shanghai(2023, 5, 20, 10, 0))
    sections = consultation.current_draft.sections
    data = word_form([["单位（盖章）", "某某养老服务协会", "联系电话", "0523-86880000"]],
                     ["序号", "条款", "修改意见", "理由"],
                     [["1", sections[0].label, "建议补充建设标准。", "标准不明。"],  # the numbering alone: 一、
                      ["2", "", "整体赞成。", ""],
                      ["3", "二、", "建议分年度列出。", ""]])
    response = submit(import_url(consultation), file=(data, "意见反馈表.docx"), channel="email",
                      received_on="2023-05-02")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    second = next(s for s in sections if s.label == "二、")
    # the organisation named above the table made every opinion of it (以单位名义)
    assert [(c.section_id, c.body, c.author_name, c.organisation, c.organisation_kind, c.author_contact)
            for c in stored()] == [
        (sections[0].id, "建议补充建设标准。\n理由：标准不明。", None, "某某养老服务协会", "association", "0523-86880000"),
        (None, "整体赞成。", None, "某某养老服务协会", "association", "0523-86880000"),
        (second.id, "建议分年度列出。", None, "某某养老服务协会", "association", "0523-86880000"),
    ]
    from docx import Document

    document, out = Document(), io.BytesIO()
    document.add_paragraph("我的意见写在这里，没有用表格。")
    document.save(out)
    no_table = out.getvalue()
    response = submit(import_url(consultation), file=(no_table, "说明.docx"), channel="email",
                      received_on="2023-05-02")
    assert response.status_code == 422 and "这个 Word 文件中没有表格" in response.get_data(as_text=True)


def test_an_offices_list_may_be_longer_than_the_form_but_not_endless(client, clock, consultation, submit):
    """The office's own list of letters typed in may run past the form's rows (a contested draft draws thousands);
    one of more rows than it reads is refused with nothing recorded (an e-mailed form stops at the form's rows:
    tests/office/test_import_emails.py)."""
    from portal.comments.feedback_form import MAX_ROWS, OFFICE_LIST_MAX_ROWS

    clock.set(shanghai(2023, 5, 20, 10, 0))
    text = "意见内容,提出人\n" + "".join(f"第{n}条意见。,某人{n}\n" for n in range(OFFICE_LIST_MAX_ROWS + 1))
    response = submit(import_url(consultation), file=(text.encode(), "list.csv"), channel="email",
                      received_on="2023-05-02")
    assert response.status_code == 422
    assert f"表格超过 {OFFICE_LIST_MAX_ROWS:,} 行，请分开上传。" in response.get_data(as_text=True) or \
        f"表格超过 {OFFICE_LIST_MAX_ROWS} 行，请分开上传。" in response.get_data(as_text=True)
    assert stored() == []
    longer = MAX_ROWS + 20
    text = "意见内容,提出人\n" + "".join(f"第{n}条意见。,某人{n}\n" for n in range(longer))
    response = submit(import_url(consultation), file=(text.encode(), "list.csv"), channel="email",
                      received_on="2023-05-02")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert len(stored()) == longer


def test_direction_controls_in_a_lists_names_are_left_out(client, clock, consultation, submit):
    clock.set(shanghai(2023, 5, 20, 10, 0))
    text = ("意见内容,提出人,提出单位\n建议增加助餐点。,\u202e员理管\u202c 张三,\u2067某某协会\u2069\n"
            "整体赞成。,\u202e\u202c,\n")
    response = submit(import_url(consultation), file=(text.encode(), "list.csv"), channel="email",
                      received_on="2023-05-02")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert [(c.author_name, c.organisation) for c in stored()] == [("员理管 张三", "某某协会"), (None, None)]


def test_articles_are_found_by_their_number_in_arabic_or_chinese(app):
    from types import SimpleNamespace

    from portal.comments.feedback_form import _articles, _section_lookup, _key

    def article(label, heading):
        section = SimpleNamespace(label=label, heading=heading, title=f"{label} {heading}", parent_id=None)
        section.ancestors = lambda: []
        return section

    sections = [article("第一条", "目的"), article("第十二条", "补贴"), article("第一百零五条", "附则")]
    lookup = _section_lookup(sections)
    assert [lookup[_key(_articles(name))].label for name in ("第12条", "第十二条", "第 105 条", "第一条目的")] == [
        "第十二条", "第十二条", "第一百零五条", "第一条"]


def test_one_wrong_row_and_nothing_is_imported_every_problem_named(client, clock, consultation, submit):
    clock.set(shanghai(2023, 5, 20, 10, 0))
    text = ("意见内容,针对的章节,态度,收到日期,提出人\n"
            "好的意见。,,,\n"
            "意见。,第九十九章,,\n"
            ",,赞成,,张三\n"  # a name but no opinion (a row with only a section or a position is a blank row)
            "意见。,,也许,\n"
            "意见。,,,五月\n"
            "意见。,,,2023-05-13\n")
    response = submit(import_url(consultation), file=(text.encode(), "list.csv"), channel="email",
                      received_on="2023-05-02")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for problem in ("第3行：草案中找不到章节“第九十九章”。", "第4行：没有意见内容。", "第5行：态度应为赞成、反对、建议之一。",
                    "第6行：收到日期“五月”无法识别（请写成 2023-05-11）。",
                    "第7行：收到日期晚于截止日期（2023年5月12日）：截止以后收到的意见不能计入。"):
        assert problem in page, problem
    assert stored() == []
    assert db.session.scalars(select(AuditEntry)).all() == []


@pytest.mark.parametrize("data, message", [
    (b"", "文件是空的。"),
    (b"PK\x03\x04 not really a workbook", "无法打开这个 Excel 文件"),
    ("姓名,电话\n张三,138\n".encode(), "找不到“意见内容”一列"),
    ("意见内容\n\n".encode(), "表中没有填写意见。"),
])
def test_files_that_are_not_lists_of_opinions_are_refused_plainly(client, consultation, submit, data, message):
    response = submit(import_url(consultation), file=(data, "x.csv"), channel="email", received_on="2023-04-20")
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert stored() == []


def test_problems_are_named_in_english_for_an_english_reader(client, clock, consultation, submit):
    client.get("/settings/language/en")
    text = "意见内容,态度\n意见。,也许\n"
    response = submit(import_url(consultation), file=(text.encode(), "list.csv"), channel="email",
                      received_on="2023-04-20")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Row 2: the stance must be one of 赞成、反对、建议." in page


def test_the_form_is_offered_only_while_the_consultation_is_open(client, clock, consultation):
    clock.set(shanghai(2023, 5, 20, 10, 0))
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "下载意见反馈表" not in page and "下载征求意见稿" in page


def test_a_heading_that_looks_like_a_formula_stays_text_in_the_form_and_is_found_again(client, clock, consultation,
                                                                                      submit):
    section = consultation.current_draft.sections[0]
    section.label, section.heading = "=", "HYPERLINK(\"http://evil.example\")"
    db.session.commit()
    workbook = load_workbook(io.BytesIO(blank_form(client, consultation).data))
    cell = workbook["章节"]["A2"]
    assert cell.data_type == "s" and cell.value == section.title
    sheet = workbook["意见反馈表"]
    sheet["A4"].value, sheet["A4"].data_type = section.title, "s"  # as Excel sets a value chosen from the list
    sheet["C4"], sheet["D4"] = "建议", "意见。"
    clock.set(shanghai(2023, 5, 2, 10, 0))
    response = submit(import_url(consultation), file=(xlsx(workbook), "f.xlsx"), channel="email",
                      received_on="2023-05-02")
    assert response.status_code == 302 and stored()[0].section_id == section.id


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Comment))


def test_a_formula_saved_without_its_result_is_refused_naming_its_row_and_column(client, clock, consultation, submit):
    clock.set(shanghai(2023, 5, 2, 10, 0))
    sections = consultation.current_draft.sections
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["意见内容", "针对的章节", "提出人"])
    sheet.append(["建议一。", sections[0].title, "张三"])
    sheet.append(["建议二。", f'="{sections[1].title}"', "李四"])  # openpyxl saves a formula without its result
    before = count()
    response = submit(import_url(consultation), file=(xlsx(workbook), "list.xlsx"), channel="email",
                      received_on="2023-05-02")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "第3行：B列是公式，但文件里没有保存公式算出的结果。" in page
    assert "请用 Excel 或 WPS 打开这个文件，保存后重新上传。" in page
    assert count() == before == 0

    client.get("/settings/language/en")
    response = submit(import_url(consultation), file=(xlsx(workbook), "list.xlsx"), channel="email",
                      received_on="2023-05-02")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Row 3: column B holds a formula, but the file does not contain its result." in page
    assert "Open the file in Excel or WPS, save it and upload it again." in page
    assert count() == 0


def test_a_formula_saved_with_its_result_is_read_as_that_result(client, clock, consultation, submit):
    clock.set(shanghai(2023, 5, 2, 10, 0))
    sections = consultation.current_draft.sections
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["意见内容", "针对的章节", "理由", "提出人"])
    sheet.append(['="建议"&"一。"', f'="{sections[1].title}"', '=IF(TRUE,"","理由")', "张三"])
    data = with_formula_results(xlsx(workbook), {"A2": "建议一。", "B2": sections[1].title, "C2": ""})
    response = submit(import_url(consultation), file=(data, "list.xlsx"), channel="email", received_on="2023-05-02")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert [(c.section_id, c.body, c.author_name) for c in stored()] == [(sections[1].id, "建议一。", "张三")]


def test_a_csv_cell_starting_with_an_equals_sign_is_text(client, clock, consultation, submit):
    clock.set(shanghai(2023, 5, 2, 10, 0))
    text = "意见内容,提出人\n=1+1 应当写清楚,张三\n"
    response = submit(import_url(consultation), file=(text.encode(), "list.csv"), channel="email",
                      received_on="2023-05-02")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert [(c.body, c.author_name) for c in stored()] == [("=1+1 应当写清楚", "张三")]


def test_words_the_draft_does_not_hold_in_the_quotation_column_are_refused_naming_the_row(client, clock, consultation,
                                                                                        submit):
    clock.set(shanghai(2023, 5, 20, 10, 0))
    section = consultation.current_draft.sections[0]
    text = ("条款,原条款内容,修改意见,提出单位\n"
            f"{section.label}{section.heading},{words_under(section)},建议一。,甲协会\n"
            f"{section.label}{section.heading},本条由火星政府负责解释,建议二。,乙协会\n"
            f",{'长' * 501},建议三。,丙协会\n")
    response = submit(import_url(consultation), file=(text.encode("utf-8"), "汇总.csv"), channel="letter",
                      received_on="2023-05-12")
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page[:2000]
    assert "第3行：在草案原文中找不到“针对的原文”" in page and "第4行：针对的原文超过 500 个字" in page
    assert "第2行" not in page and count() == 0  # one wrong row and nothing is imported


def test_organisations_in_an_offices_list_are_read_as_such(client, clock, consultation, submit):
    """A list's 提出人 holds people and organisations alike: one naming an organisation is its opinion; a column of its
    own (提出单位, 单位类别) says so outright."""
    clock.set(shanghai(2023, 5, 20, 10, 0))
    text = ("序号,修改意见,提出人,提出单位,单位类别\r\n"
            "1,建议一。,张三,,\r\n"
            "2,建议二。,某某康养服务有限公司,,\r\n"
            "3,建议三。,王五,某某老年大学,社会组织\r\n"
            "4,建议四。,王局长,,\r\n")
    response = submit(import_url(consultation), file=(text.encode("utf-8"), "汇总.csv"), channel="letter",
                      received_on="2023-05-12")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert [(c.author_name, c.organisation, c.organisation_kind) for c in stored()] == [
        ("张三", None, None),
        (None, "某某康养服务有限公司", "enterprise"),
        ("王五", "某某老年大学", "social"),  # the column's kind, though the name says a school
        ("王局长", None, None),  # a person signed with a title
    ]
    from portal.consultations.services import closing_summary

    db.session.refresh(consultation)
    assert "反馈意见4条（2人、2个单位提出）" in closing_summary(consultation)
