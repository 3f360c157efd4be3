"""Key questions (重点问题): the office lists what it most wants to hear about; a commenter says which question their
comment answers; the office reads, filters, counts and digests the comments question by question."""
import csv
import io
import re

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.comments.models import Comment
from portal.consultations.questions import QuestionsRefused, read_questions
from portal.extensions import db
from tests.helpers import post_comment, receipt_from

QUESTIONS = "1. 补贴标准定为每人每月200元是否合适？\n2、社区助餐点应当由谁来办？\n\n（三）还有哪些困难需要解决？"


def questions_url(consultation) -> str:
    return f"/office/consultations/{consultation.id}/questions"


def test_questions_are_read_one_a_line_without_their_numbering():
    assert read_questions(QUESTIONS) == ["补贴标准定为每人每月200元是否合适？", "社区助餐点应当由谁来办？",
                                         "还有哪些困难需要解决？"]
    assert read_questions("一是补贴标准；\n二是服务范围；") == ["补贴标准", "服务范围"]
    with pytest.raises(QuestionsRefused) as refused:
        read_questions("问题甲？\n问题甲？\n" + "长" * 201 + "\n" + "\n".join(f"问题{n}？" for n in range(20, 30)))
    assert [p.split("：")[0] for p in refused.value.problems] == ["第2行", "第3行", "最多列出 10 个问题。"]


def test_the_office_asks_and_citizens_answer_question_by_question(app, client, clock, consultation, office, submit):
    assert submit(questions_url(consultation), text=QUESTIONS).status_code == 302
    consultation = db.session.merge(consultation)
    db.session.refresh(consultation)
    assert consultation.questions[1] == "社区助餐点应当由谁来办？"
    # open already: the questions asked stay as they are; more may follow them
    changed = submit(questions_url(consultation), text="社区助餐点应当由谁来办？\n补贴标准是否合适？")
    assert changed.status_code == 422 and "不能修改、删除或调整顺序" in changed.get_data(as_text=True)
    more = submit(questions_url(consultation), text=QUESTIONS + "\n4. 其他意见？")
    assert more.status_code == 302
    db.session.refresh(consultation)
    assert len(consultation.questions) == 4
    assert db.session.scalars(select(AuditEntry.action).where(AuditEntry.action == "questions")).all() == [
        "questions", "questions"]

    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "起草单位希望重点听取您对这些问题的意见" in page and '<a href="#comment-form" data-question="2">' in page
    assert '<select id="question" name="question">' in page and '<option value="2">问题2：社区助餐点应当由谁来办？</option>' in page

    url = f"/consultations/{consultation.id}"
    number = receipt_from(post_comment(client, consultation, url, body="建议由街道统一办。", question="2"))
    post_comment(client, consultation, url, body="补贴太低。", question="1")
    post_comment(client, consultation, url, body="整体赞成。")
    wrong = post_comment(client, consultation, url, body="第五个问题。", question="5")
    assert wrong.status_code == 422 and "请从列表中选择您的意见针对的问题，也可以不选。" in wrong.get_data(as_text=True)
    assert '<option value="5"' not in wrong.get_data(as_text=True)
    comments = list(db.session.scalars(select(Comment).order_by(Comment.id)))
    assert [c.question for c in comments] == [2, 1, None]

    receipt = client.get(f"/receipts/{number}").get_data(as_text=True)
    assert "针对的问题" in receipt and "问题2：社区助餐点应当由谁来办？" in receipt
    responses = f"/office/consultations/{consultation.id}/responses"
    listed = client.get(responses, query_string={"question": "2"}).get_data(as_text=True)
    assert "建议由街道统一办。" in listed and "补贴太低。" not in listed and "整体赞成。" not in listed
    assert '针对问题2：<span lang="zh-CN">社区助餐点应当由谁来办？</span>' in listed
    assert '<option value="2" selected>问题2：社区助餐点应当由谁来办？ （1 条）</option>' in listed
    rows = list(csv.DictReader(io.StringIO(client.get(f"/office/consultations/{consultation.id}/digest.csv")
                                           .data.decode("utf-8-sig"))))
    assert [r["针对的问题"] for r in rows] == ["问题2：社区助餐点应当由谁来办？", "问题1：补贴标准定为每人每月200元是否合适？", ""]
    word = client.get(f"/office/consultations/{consultation.id}/digest.docx", query_string={"question": "1"})
    import docx

    document = docx.Document(io.BytesIO(word.data))
    assert "针对问题1：补贴标准定为每人每月200元是否合适？" in "\n".join(p.text for p in document.paragraphs)
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert "针对问题1：补贴标准定为每人每月200元是否合适？\n补贴太低。" in cells

    stats = client.get(f"/consultations/{consultation.id}/statistics").get_data(as_text=True)
    table = stats[stats.index('id="stat-questions-h"'):]
    assert re.search(r"问题2：<span lang=\"zh-CN\">社区助餐点应当由谁来办？</span></th><td class=\"number\">1</td>", table)
    assert re.search(r"问题4：<span lang=\"zh-CN\">其他意见？</span></th><td class=\"number\">0</td>", table)
    api = client.get(f"/api/v1/consultations/{consultation.id}/statistics").get_json()["questions"]
    assert api[1] == {"number": 2, "question": "社区助餐点应当由谁来办？", "count": 1} and api[3]["count"] == 0


def test_a_reply_names_no_question_and_the_thread_shows_it(app, client, consultation, office, submit):
    assert submit(questions_url(consultation), text=QUESTIONS).status_code == 302
    url = f"/consultations/{consultation.id}"
    number = receipt_from(post_comment(client, consultation, url, body="建议由街道统一办。", question="2"))
    assert app.test_cli_runner().invoke(args=["comments", "approve", number]).exit_code == 0
    comment = db.session.scalars(select(Comment)).one()
    page = client.get(url).get_data(as_text=True)
    shown = page[page.index(f'id="comment-{comment.id}"'):]
    assert shown.index("针对问题2：") < shown.index("建议由街道统一办。")
    reply = post_comment(client, consultation, f"/consultations/{consultation.id}/comments/{comment.id}/reply",
                         body="同意。", parent_id=comment.id, question="1")
    assert reply.status_code == 422 and "回复不能选择针对的问题。" in reply.get_data(as_text=True)
    api = client.get(f"/api/v1/consultations/{consultation.id}").get_json()
    assert api["questions"][0] == "补贴标准定为每人每月200元是否合适？"
    items = client.get(f"/api/v1/consultations/{consultation.id}/comments").get_json()["items"]
    assert items[0]["question"] == 2


def test_the_office_records_letters_answering_a_question(app, client, clock, consultation, office, submit):
    from tests.helpers import shanghai

    assert submit(questions_url(consultation), text=QUESTIONS).status_code == 302
    clock.set(shanghai(2023, 5, 2, 10, 0))
    form_url = f"/office/consultations/{consultation.id}/comments/new"
    page = client.get(form_url).get_data(as_text=True)
    assert '<option value="3">问题3：还有哪些困难需要解决？</option>' in page
    recorded = submit(form_url, channel="letter", received_on="2023-05-02", section_id="0", stance="suggest",
                      body="来信：助餐点由街道办。", question="2")
    assert recorded.status_code == 302
    wrong = submit(form_url, channel="letter", received_on="2023-05-02", section_id="0", stance="suggest",
                   body="来信二。", question="7")
    assert wrong.status_code == 422 and "请从列表中选择重点问题，也可以不选。" in wrong.get_data(as_text=True)

    text = ("序号,意见内容,针对的问题\r\n"
            "1,补贴太低。,问题1\r\n"
            "2,困难很多。,还有哪些困难需要解决？\r\n"
            "3,整体赞成。,\r\n")
    imported = submit(f"/office/consultations/{consultation.id}/comments/import", file=(text.encode(), "汇总.csv"),
                      channel="letter", received_on="2023-05-02")
    assert imported.status_code == 302, imported.get_data(as_text=True)[:2000]
    assert [c.question for c in db.session.scalars(select(Comment).order_by(Comment.id))] == [2, 1, 3, None]
    bad = ("序号,意见内容,针对的问题\r\n1,随便说说。,问题9\r\n")
    refused = submit(f"/office/consultations/{consultation.id}/comments/import", file=(bad.encode(), "汇总.csv"),
                     channel="letter", received_on="2023-05-02")
    assert refused.status_code == 422 and "第2行：没有“问题9”这个重点问题。" in refused.get_data(as_text=True)


def test_the_blank_feedback_form_offers_the_questions_and_reads_them_back(app, client, clock, consultation, office,
                                                                          submit):
    from openpyxl import load_workbook

    from tests.helpers import shanghai
    from tests.office.test_import_comments import blank_form, xlsx

    assert submit(questions_url(consultation), text=QUESTIONS).status_code == 302
    workbook = load_workbook(io.BytesIO(blank_form(client, consultation).data))
    sheet, asked = workbook["意见反馈表"], workbook["问题"]
    assert sheet.cell(row=3, column=11).value == "针对的问题" and asked.sheet_state == "hidden"
    assert [row[0].value for row in asked.iter_rows()][1] == "问题2：社区助餐点应当由谁来办？"
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert lists["K4:K203"] == "=问题!$A$1:$A$3"
    sheet.append([None, None, None, "由街道办。", None, None, None, None, None, None, "问题2：社区助餐点应当由谁来办？"])
    clock.set(shanghai(2023, 5, 2, 10, 0))
    imported = submit(f"/office/consultations/{consultation.id}/comments/import", file=(xlsx(workbook), "表.xlsx"),
                      channel="letter", received_on="2023-05-02")
    assert imported.status_code == 302, imported.get_data(as_text=True)[:2000]
    assert db.session.scalars(select(Comment)).one().question == 2


def test_the_feedback_report_says_which_question_an_opinion_answers(app, client, clock, consultation, office, submit):
    import docx

    from tests.helpers import shanghai

    assert submit(questions_url(consultation), text=QUESTIONS).status_code == 302
    url = f"/consultations/{consultation.id}"
    number = receipt_from(post_comment(client, consultation, url, body="建议由街道统一办。", question="2"))
    assert app.test_cli_runner().invoke(args=["comments", "approve", number]).exit_code == 0
    clock.set(shanghai(2023, 5, 20, 10, 0))
    report = client.get(f"{url}/feedback").get_data(as_text=True)
    assert '针对问题2：<span lang="zh-CN">社区助餐点应当由谁来办？</span>' in report
    entries = app.test_client().get(f"/api/v1/consultations/{consultation.id}/feedback").get_json()["groups"][0]["entries"]
    assert entries[0]["question"] == 2
    word = docx.Document(io.BytesIO(client.get(f"{url}/feedback.docx").data))
    assert "针对问题2“社区助餐点应当由谁来办？”，建议由街道统一办。" in "\n".join(p.text for p in word.paragraphs)


def test_the_excel_digest_sums_up_the_questions_and_who_commented(app, client, consultation, office, submit):
    from openpyxl import load_workbook

    assert submit(questions_url(consultation), text=QUESTIONS).status_code == 302
    url = f"/consultations/{consultation.id}"
    post_comment(client, consultation, url, body="补贴太低。", question="1", organisation="某某养老服务有限公司")
    post_comment(client, consultation, url, body="建议由街道办。", question="2")
    post_comment(client, consultation, url, body="整体赞成。")
    book = load_workbook(io.BytesIO(client.get(f"/office/consultations/{consultation.id}/digest.xlsx").data))
    rows = [tuple(c for c in row if c is not None) for row in book["汇总"].iter_rows(values_only=True)]
    at = rows.index(("提出者", "意见数"))
    assert rows[at + 1:at + 3] == [("个人", 2), ("企业", 1)]
    at = rows.index(("重点问题", "意见数"))
    assert rows[at + 1:at + 4] == [("问题1：补贴标准定为每人每月200元是否合适？", 1), ("问题2：社区助餐点应当由谁来办？", 1),
                                   ("问题3：还有哪些困难需要解决？", 0)]
