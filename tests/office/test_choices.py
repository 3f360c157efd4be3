"""Choice questions (选择题): the office gives a key question choices; readers answer on the consultation's page
without writing (表态), each question once a browser; the office sees the answers as they come, the public once the
consultation has closed (statistics, feedback report)."""
import re

import pytest
from sqlalchemy import func, select

from portal.consultations.models import ChoiceAnswer
from portal.consultations.questions import QuestionsRefused, read_question_lines
from portal.extensions import db
from tests.helpers import Browser, csrf_token, shanghai

QUESTIONS = "1. 补贴标准定为每人每月200元是否合适？选项：合适｜偏低｜偏高\n2、社区助餐点应当由谁来办？"


def test_choices_are_read_after_their_question():
    assert read_question_lines(QUESTIONS) == (
        ["补贴标准定为每人每月200元是否合适？", "社区助餐点应当由谁来办？"], [["合适", "偏低", "偏高"], None], [])
    assert read_question_lines("是否同意？（选项：同意/不同意）") == (["是否同意？"], [["同意", "不同意"]], [])
    assert read_question_lines("Is it right? Choices: yes | no") == (["Is it right?"], [["yes", "no"]], [])
    # several may be ticked (可多选): the question's number listed
    assert read_question_lines("是否同意？\n最需要哪些服务？选项（可多选）：助餐｜助浴｜助医") == (
        ["是否同意？", "最需要哪些服务？"], [None, ["助餐", "助浴", "助医"]], [2])
    assert read_question_lines("Which services? Choices (multiple): meals | baths")[2] == [1]
    with pytest.raises(QuestionsRefused) as refused:
        read_question_lines("只有一个？选项：是\n重复？选项：是｜是\n太长？选项：" + "长" * 21 + "｜短")
    assert [p.split("：")[0] for p in refused.value.problems] == ["第1行", "第2行", "第3行"]


def answer(reader, consultation, token_page=None, **choices):
    page = f"/consultations/{consultation.id}"
    return reader.post(f"{page}/choices", data={"csrf_token": csrf_token(reader, token_page or page),
                                                 **{f"question-{n[1:]}": v for n, v in choices.items()}})


def test_a_refused_choice_is_said_in_the_language_of_the_page_that_shows_it(app, consultation, submit):
    """Refused on a Chinese page, read in English after switching (and the reverse)."""
    assert submit(f"/office/consultations/{consultation.id}/questions", text=QUESTIONS).status_code == 302
    reader = Browser(app)
    assert answer(reader, consultation, q1="9").status_code == 303
    reader.get("/settings/language/en")
    english = reader.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "Please choose among the choices listed." in english and "请从列出的选项中选择" not in english
    assert answer(reader, consultation).status_code == 303  # nothing chosen, on an English page
    reader.get("/settings/language/zh_CN")
    chinese = reader.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "请至少选择一项。" in chinese and "Please choose at least one." not in chinese


def test_readers_choose_once_the_office_counts_the_public_sees_after_the_close(app, client, clock, consultation,
                                                                               office, submit):
    url = f"/office/consultations/{consultation.id}/questions"
    assert submit(url, text=QUESTIONS).status_code == 302
    changed = submit(url, text=QUESTIONS.replace("偏高", "太高"))
    assert changed.status_code == 422 and "已经列出的问题和选项不能修改" in changed.get_data(as_text=True)
    assert "选项：合适｜偏低｜偏高" in client.get(url).get_data(as_text=True)  # the office's text, as typed

    reader = Browser(app)
    page = reader.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "不想写字？直接选择" in page and 'name="question-1" value="2"' in page and 'name="question-2"' not in page
    assert answer(reader, consultation, q1="2").status_code == 303
    assert "谢谢，已记下您的选择" in reader.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    answer(reader, consultation, q1="3")  # the same browser again: not counted twice
    assert "您已经对这些问题表过态了" in reader.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    other = Browser(app)
    answer(other, consultation, q1="2")
    wrong = Browser(app)
    answer(wrong, consultation, q1="9")
    answer(wrong, consultation, q2="1")  # a question without choices
    assert "请从列出的选项中选择" in wrong.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    for odd in ("²", "①", "9" * 40):  # "²" and "①" are digits int() refuses: was a server error
        assert answer(wrong, consultation, q1=odd).status_code == 303
        assert "请从列出的选项中选择" in wrong.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert answer(wrong, consultation, **{"q²": "1"}).status_code == 303  # no such question: nothing taken
    assert db.session.scalars(select(ChoiceAnswer.choice).order_by(ChoiceAnswer.id)).all() == [2, 2]

    office_page = client.get(url).get_data(as_text=True)  # the office sees them as they come
    assert "直接选择的表态情况" in office_page and "<td class=\"number\">2</td><td class=\"number\">100%</td>" in office_page
    import io

    from openpyxl import load_workbook

    digest = client.get(f"/office/consultations/{consultation.id}/digest.xlsx")
    summary = [[cell for cell in row] for row in load_workbook(io.BytesIO(digest.data))["汇总"].iter_rows(values_only=True)]
    at = summary.index(["问题1：补贴标准定为每人每月200元是否合适？", "表态人数"])
    assert summary[at + 1:at + 4] == [["合适", 0], ["偏低", 2], ["偏高", 0]]
    statistics = f"/consultations/{consultation.id}/statistics"
    assert "直接选择的表态情况" not in reader.get(statistics).get_data(as_text=True)  # not while it is open

    clock.set(shanghai(2023, 5, 13, 9, 0))
    late = Browser(app)
    assert answer(late, consultation, "/login", q1="1").status_code == 303
    assert "征求意见不在进行中，不能表态" in late.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ChoiceAnswer)) == 2
    shown = reader.get(statistics).get_data(as_text=True)
    assert "直接选择的表态情况" in shown and "（2 人表态）" in shown
    from tests.api.test_public_api import get_json

    (chosen,) = get_json(Browser(app), f"/api/v1/consultations/{consultation.id}/statistics", schema="Statistics")[
        "choices"]
    assert chosen["total"] == 2 and [c["count"] for c in chosen["choices"]] == [0, 2, 0]
    detail = get_json(Browser(app), f"/api/v1/consultations/{consultation.id}", schema="Consultation")
    assert detail["question_choices"] == [["合适", "偏低", "偏高"], None]
    report = reader.get(f"/consultations/{consultation.id}/feedback").get_data(as_text=True)
    assert "对问题1“补贴标准定为每人每月200元是否合适？”，网上表态2人，其中选“合适”的0人、“偏低”的2人、“偏高”的0人。" in report

    # the hash of the network address goes with the commenters' contacts
    assert db.session.scalar(select(func.count()).select_from(ChoiceAnswer).where(ChoiceAnswer.client_hash.is_not(None))) == 2
    assert app.test_cli_runner().invoke(args=["consultations", "close-due"]).exit_code == 0  # finalised 2023-05-13
    clock.set(shanghai(2024, 5, 14, 9, 0))
    assert app.test_cli_runner().invoke(args=["comments", "erase-contacts", "--days", "365"]).exit_code == 0
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ChoiceAnswer).where(ChoiceAnswer.client_hash.is_not(None))) == 0


MULTIPLE = "最需要哪些上门服务？选项（可多选）：助餐｜助浴｜助医\n补贴标准是否合适？选项：合适｜偏低｜偏高"


def test_a_multiple_choice_question_counts_those_who_answered_and_each_choice(app, client, clock, consultation,
                                                                             office, submit):
    url = f"/office/consultations/{consultation.id}/questions"
    assert submit(url, text=MULTIPLE).status_code == 302
    assert "选项（可多选）：助餐｜助浴｜助医" in client.get(url).get_data(as_text=True)
    single = submit(url, text=MULTIPLE.replace("选项（可多选）：助餐", "选项：助餐"))  # open: it may not become single
    assert single.status_code == 422 and "已经列出的问题和选项不能修改" in single.get_data(as_text=True)

    reader = Browser(app)
    page = reader.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert 'type="checkbox" id="choice-1-1" name="question-1" value="1"' in page and "（可多选）" in page
    assert 'type="radio" id="choice-2-1" name="question-2" value="1"' in page
    token = csrf_token(reader, f"/consultations/{consultation.id}")
    posted = reader.post(f"/consultations/{consultation.id}/choices",
                         data={"csrf_token": token, "question-1": ["1", "3"], "question-2": "2"})
    assert posted.status_code == 303
    other = Browser(app)
    answer(other, consultation, q1="1")
    refused = Browser(app)  # two choices where one is asked
    token = csrf_token(refused, f"/consultations/{consultation.id}")
    refused.post(f"/consultations/{consultation.id}/choices",
                 data={"csrf_token": token, "question-2": ["1", "2"]})
    assert "这个问题只能选一项" in refused.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    rows = db.session.execute(select(ChoiceAnswer.question, ChoiceAnswer.choice).order_by(ChoiceAnswer.id)).all()
    assert [tuple(r) for r in rows] == [(1, 0b101), (2, 2), (1, 0b001)]

    clock.set(shanghai(2023, 5, 13, 9, 0))
    shown = reader.get(f"/consultations/{consultation.id}/statistics").get_data(as_text=True)
    assert "（2 人表态）（可多选，各项占比相加可能超过百分之百）" in shown
    table = shown[shown.index("最需要哪些上门服务？"):]
    assert re.search(r"助餐</th><td class=\"number\">2</td><td class=\"number\">100%</td>", table)
    assert re.search(r"助医</th><td class=\"number\">1</td><td class=\"number\">50%</td>", table)
    from tests.api.test_public_api import get_json

    first = get_json(Browser(app), f"/api/v1/consultations/{consultation.id}/statistics", schema="Statistics")[
        "choices"][0]
    assert first["multiple"] is True and first["total"] == 2 and [c["count"] for c in first["choices"]] == [2, 0, 1]
    detail = get_json(Browser(app), f"/api/v1/consultations/{consultation.id}", schema="Consultation")
    assert detail["multiple_choice_questions"] == [1]
    report = reader.get(f"/consultations/{consultation.id}/feedback").get_data(as_text=True)
    assert "对问题1“最需要哪些上门服务？”（可多选），网上表态2人，选“助餐”的2人、“助浴”的0人、“助医”的1人。" in report


def test_choices_sent_twice_at_one_moment_count_once(app, client, consultation, office, submit):
    """A double click without the page's guard: both sendings left before either was remembered in the session, and
    both had been counted. The browser's answer is now unique in the database."""
    assert submit(f"/office/consultations/{consultation.id}/questions", text=QUESTIONS).status_code == 302
    reader = Browser(app)
    page = f"/consultations/{consultation.id}"
    token = csrf_token(reader, page)
    before = reader.client.get_cookie("session").value  # the session both sendings carry
    assert reader.post(f"{page}/choices", data={"csrf_token": token, "question-1": "2"}).status_code == 303
    reader.client.set_cookie("session", before)
    assert reader.post(f"{page}/choices", data={"csrf_token": token, "question-1": "2"}).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(ChoiceAnswer)) == 1
    answer(Browser(app), consultation, q1="2")  # another reader is counted
    assert db.session.scalar(select(func.count()).select_from(ChoiceAnswer)) == 2
