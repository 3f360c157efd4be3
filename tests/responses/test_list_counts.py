"""The counts the answering page shows (its lead, each section's and key question's choice in the filters, a form
letter's copies, the filtered list's line) are exactly the comments listed under each filter, however the comments
are answered, published, withdrawn or marked spam, and at once after a change (nothing is kept between requests)."""
import re

import pytest
from sqlalchemy import select

from portal.comments.models import Comment
from portal.comments.services import submit_comment
from portal.extensions import db
from portal.reports.services import question_counts
from portal.responses.filters import list_counts
from portal.responses.models import Response
from portal.responses.services import respond_to_comments, response_counts
from tests.helpers import shanghai
from tests.responses.test_filters import LETTER, listed
from tests.responses.test_responding import bulk, responses_url


@pytest.fixture
def answering(app, clock, office_consultation):
    """office_consultation with key questions, a form letter of three copies, comments naming a question, on behalf
    of an organisation, withdrawn, hidden and marked spam, and answers drafted, published and adopting proposed
    wording."""
    consultation, c = office_consultation
    consultation.questions = ["补贴标准是否合适？", "服务网点怎样布局？"]
    sections = consultation.current_draft.sections
    goals, friendly, later = sections[0], sections[2], sections[5]
    made = []
    specs = [
        (goals, "建议提高补贴标准。", "suggest", 1, None, None),
        (goals, "补贴标准太低。", "oppose", 1, "某某养老服务协会", None),
        (friendly, "网点要多设在老小区。", "suggest", 2, None, "建议修改为：每个社区设一个网点。"),
        (later, "赞成这一条。", "support", None, None, None),
        (later, "反对收费。", "oppose", 2, "某某律师事务所", None),
        (None, "整体上希望更快落实。", "suggest", 1, None, None),
        (friendly, "这条意见被撤回了。", "suggest", 1, None, None),
        (friendly, "这条意见被隐藏了。", "suggest", 2, None, None),
        (later, "广告", "support", 1, None, None),
    ]
    for n, (section, body, stance, question, organisation, proposal) in enumerate(specs):
        clock.set(shanghai(2023, 4, 26, 10, n))
        made.append(submit_comment(consultation, body, stance, section, author_name="张三", question=question,
                                   organisation=organisation, proposal=proposal))
    for n, signature in enumerate(["赵一", "钱二", "孙三"]):
        clock.set(shanghai(2023, 4, 27, 10, n))
        made.append(submit_comment(consultation, f"{signature}：{LETTER}", "suggest", goals, author_name=signature))
    for comment in made:
        comment.status = "approved"
    db.session.flush()
    respond_to_comments(consultation, [made[0], made[2], c["formula"]], "adopted", "采纳。", "system")
    respond_to_comments(consultation, [made[3], made[9], made[8]], "explained", "已有规定。", "system")
    made[6].status, made[7].status, made[8].status = "withdrawn", "hidden", "spam"  # the spam one had an answer
    for response in db.session.scalars(select(Response).where(Response.comment_id.in_([made[0].id, made[3].id,
                                                                                      made[8].id]))):
        response.published_at = shanghai(2023, 5, 1, 9, 0)  # as publishing after the close does
    db.session.commit()
    return consultation, made


def counts_shown(page: str) -> dict:
    lead = re.search(r"共 (\d+) 条意见，已答复 (\d+) 条，其中已公布 (\d+) 条。", page)

    def select(name: str) -> str:
        return re.search(r'<select id="f-%s".*?</select>' % name, page, re.S).group(0)

    sections = {
        value: (int(count), int(left or 0)) for value, count, left in re.findall(
            r'<option value="(\d+|whole)"[^>]*>[^<]*（(\d+) 条(?:，未答复 (\d+) 条)?）</option>', select("section"))}
    questions = {int(n): int(count) for n, count in re.findall(
        r'<option value="(\d)"[^>]*>问题\d：[^<]*（(\d+) 条）</option>', select("question"))}
    return {"total": int(lead.group(1)), "answered": int(lead.group(2)), "published": int(lead.group(3)),
            "sections": sections, "questions": questions}


def test_each_count_shown_is_the_comments_listed_under_its_filter(client, login, answering):
    consultation, made = answering
    login("office@example.gov.cn")
    url = responses_url(consultation)

    def shown(query: str = "") -> list[str]:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200
        return listed(response.get_data(as_text=True))

    page = client.get(url).get_data(as_text=True)
    shown_counts = counts_shown(page)
    everything = shown()
    # 5 of the fixture, spam left out; 12 made here, the withdrawn one and the spam left out; the hidden one counted
    assert shown_counts["total"] == len(everything) == 4 + 10
    assert made[7].receipt_number in everything and made[6].receipt_number not in everything
    assert made[8].receipt_number not in everything
    assert shown_counts["answered"] == len(shown("answer=drafted")) + len(shown("answer=published")) == 5
    assert shown_counts["published"] == len(shown("answer=published")) == 2
    assert len(shown("answer=unanswered")) == shown_counts["total"] - shown_counts["answered"]

    assert len(shown_counts["sections"]) == 4  # goals, friendly, later and the whole draft
    assert sum(count for count, _left in shown_counts["sections"].values()) == shown_counts["total"]
    for value, (count, unanswered) in shown_counts["sections"].items():
        assert len(shown(f"section={value}")) == count, value
        assert len(shown(f"section={value}&answer=unanswered")) == unanswered, value
    assert shown_counts["sections"]["whole"] == (2, 2)

    assert shown_counts["questions"] == {1: 3, 2: 3}  # the withdrawn and spam ones left out, the hidden one counted
    for number, count in shown_counts["questions"].items():
        assert len(shown(f"question={number}")) == count

    letter = re.search(r"同文意见，共 (\d+) 份</span><a href=\"[^\"]+\?letter=(\d+)\"", page)
    assert int(letter.group(1)) == len(shown(f"letter={letter.group(2)}")) == 3
    for query in ("stance=oppose", "commenter=organisation", "q=补贴", "proposed=1", "question=2&answer=unanswered"):
        filtered = client.get(f"{url}?{query}").get_data(as_text=True)
        line = re.search(r"筛选出 (\d+) 条意见（共 (\d+) 条）。", filtered)
        assert (int(line.group(1)), int(line.group(2))) == (len(listed(filtered)), shown_counts["total"]), query
    assert "采纳建议修订稿（1 处修改建议）" in page  # the answer adopting the proposed wording


def test_the_counts_follow_each_change_at_once(app, client, clock, login, answering):
    consultation, made = answering
    login("office@example.gov.cn")
    url = responses_url(consultation)
    before = counts_shown(client.get(url).get_data(as_text=True))
    clock.set(shanghai(2023, 4, 29, 10, 0))
    waiting = submit_comment(consultation, "刚收到的意见。", "suggest", None, question=1)  # pending: no token renewed
    db.session.commit()
    after = counts_shown(client.get(url).get_data(as_text=True))
    assert after["total"] == before["total"] + 1
    assert after["sections"]["whole"] == (3, 3) and after["questions"][1] == before["questions"][1] + 1
    assert bulk(client, consultation, [waiting.id], "adopted", "采纳。").status_code == 302
    answered = counts_shown(client.get(url).get_data(as_text=True))
    assert answered["answered"] == after["answered"] + 1 and answered["sections"]["whole"] == (3, 2)
    db.session.get(Comment, made[5].id).status = "spam"  # the whole draft's own comment marked spam
    db.session.commit()
    marked = counts_shown(client.get(url).get_data(as_text=True))
    assert marked["total"] == answered["total"] - 1 and marked["sections"]["whole"] == (2, 1)


def test_list_counts_agree_with_each_count_made_alone(app, answering):
    consultation, _made = answering
    counts = list_counts(consultation)
    assert counts.responses == response_counts(consultation)
    assert counts.question_counts(consultation) == question_counts(consultation) == {1: 3, 2: 3}
    received = db.session.scalars(select(Comment).where(Comment.consultation_id == consultation.id,
                                                        Comment.status.not_in(("spam", "withdrawn")))).all()
    answered = set(db.session.scalars(select(Response.comment_id)))
    assert counts.total == len(received)
    assert counts.sections == {
        section_id: (sum(1 for c in received if c.section_id == section_id),
                     sum(1 for c in received if c.section_id == section_id and c.id not in answered))
        for section_id in {c.section_id for c in received}}
    assert not list_counts(consultation, questions=False).questions


def test_a_filtered_lists_pages_and_a_page_past_its_end(client, login, answering, monkeypatch):
    """The filtered list's count comes from its page's own statement (responses/services.py: filtered_page): each page
    says the same count and lists its part, the pages together list each filtered comment once, and a page past the
    end (an old link, after answers took comments out of the list) shows the last page."""
    from portal.responses import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    consultation, _made = answering
    login("office@example.gov.cn")
    url = responses_url(consultation)

    def page(query):
        text = client.get(f"{url}?{query}").get_data(as_text=True)
        return int(re.search(r"筛选出 (\d+) 条意见（共 \d+ 条）。", text).group(1)), listed(text)

    total, first = page("question=1")
    second = page("question=1&page=2")
    assert total == 3 and len(first) == 2 and second[0] == 3 and len(second[1]) == 1
    assert len(set(first + second[1])) == 3  # each once
    assert page("question=1&page=9") == second  # past the end: the last page
    assert page("q=没有这样的意见&page=3") == (0, [])
