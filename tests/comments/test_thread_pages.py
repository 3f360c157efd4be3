"""A section with many comments shows them 20 threads a page, oldest or newest first, with plain page links."""
import re

import pytest
from sqlalchemy import event

from portal.comments import page_cache
from portal.comments.services import approve_comment, submit_comment
from portal.extensions import db
from tests.helpers import shanghai


@pytest.fixture
def busy_section(app, clock, import_seed):
    """Seed 003 with 44 approved comments on one section (one a minute), a withheld one with a public
    reply, replies two levels deep under the first comment, and a pending one (never shown)."""
    clock.set(shanghai(2023, 4, 20, 9, 0))
    consultation = import_seed("003")
    section = consultation.current_draft.sections[3]
    comments = []
    for n in range(1, 46):
        clock.advance(minutes=1)
        comments.append(approve_comment(submit_comment(consultation, f"第{n:02d}条意见：建议增加社区食堂。", "suggest", section)))
    clock.set(shanghai(2023, 4, 21, 9, 0))
    reply = approve_comment(submit_comment(consultation, "回复第01条：同意。", parent=comments[0]))
    approve_comment(submit_comment(consultation, "回复那条回复：我也同意。", parent=reply))
    approve_comment(submit_comment(consultation, "回复第10条：这条被隐藏了，但我的回复还在。", parent=comments[9]))
    comments[9].status, comments[9].hidden_reason = "hidden", "abuse"  # hidden after it was answered
    submit_comment(consultation, "第46条意见：还在等待审核。", "suggest", section)
    db.session.commit()
    return consultation, section


def page_of(client, consultation, section, query=""):
    response = client.get(f"/consultations/{consultation.id}/sections/{section.anchor}{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def shown(html):
    return [int(n) for n in re.findall(r"第(\d\d)条意见：", html)]


def test_first_page_shows_the_twenty_oldest_threads_with_their_replies(client, busy_section):
    consultation, section = busy_section
    html = page_of(client, consultation, section)
    assert shown(html) == [n for n in range(1, 21) if n != 10] and "第46条意见" not in html
    assert "回复第01条：同意。" in html and "回复那条回复：我也同意。" in html
    # the withheld comment keeps its place as a notice, with its public reply; its text is not shown
    assert "第10条意见" not in html and "回复第10条：这条被隐藏了，但我的回复还在。" in html
    assert "共 45 条意见" in html and "第 1 页，共 3 页" in html
    links = re.findall(r'href="([^"]*page=\d[^"]*)"', html)
    assert f"/consultations/{consultation.id}/sections/{section.anchor}?page=2#comments" in links
    assert "下一页" in html and "上一页" not in html and 'aria-current="page">1<' in html


def test_following_pages_and_a_page_out_of_range(client, busy_section):
    consultation, section = busy_section
    assert shown(page_of(client, consultation, section, "?page=2")) == list(range(21, 41))
    last = page_of(client, consultation, section, "?page=3")
    assert shown(last) == list(range(41, 46)) and "下一页" not in last and "上一页" in last
    assert shown(page_of(client, consultation, section, "?page=99")) == list(range(41, 46))
    assert shown(page_of(client, consultation, section, "?page=x")) == [n for n in range(1, 21) if n != 10]


def test_newest_first_keeps_its_order_across_pages(client, busy_section):
    consultation, section = busy_section
    html = page_of(client, consultation, section, "?order=newest")
    assert shown(html) == list(range(45, 25, -1))
    assert f"/consultations/{consultation.id}/sections/{section.anchor}?page=2&amp;order=newest#comments" in html
    assert shown(page_of(client, consultation, section, "?order=newest&page=3")) == [5, 4, 3, 2, 1]
    # the reply chain is shown under its thread on the page that thread is on
    assert "回复那条回复：我也同意。" in page_of(client, consultation, section, "?order=newest&page=3")


def test_a_page_of_threads_costs_the_same_few_queries_however_many_replies(app, client, busy_section):
    consultation, section = busy_section
    statements = []

    def record(_conn, _cursor, statement, *_args):
        if re.search(r"\bcomments\b", statement):  # the comments table (not consultations.comments_token)
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        page_cache.clear()  # what a page costs when it is not cached yet (tests/comments/test_page_cache.py)
        page_of(client, consultation, section)  # 20 threads, with replies two levels deep
        first = list(statements)
        statements.clear()
        page_cache.clear()
        page_of(client, consultation, section, "?page=3")  # 5 threads, no replies
        last = list(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    # counts per section (one grouped query), the comments quoting the draft (its sentences are marked), threads
    # on all pages, the page's threads, all their replies
    assert len(first) == len(last) == 5, first
    assert "GROUP BY comments.section_id" in first[0] and "comments.quote IS NOT NULL" in first[1]
    assert "WITH RECURSIVE" in first[4]


def test_whole_draft_comments_are_paged_too(client, clock, import_seed):
    clock.set(shanghai(2023, 4, 20, 9, 0))
    consultation = import_seed("003")
    for n in range(1, 23):
        clock.advance(minutes=1)
        approve_comment(submit_comment(consultation, f"第{n:02d}条意见：整体赞成。", "support"))
    db.session.commit()
    first = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert shown(first) == list(range(1, 21)) and "共 22 条意见" in first
    second = client.get(f"/consultations/{consultation.id}?page=2").get_data(as_text=True)
    assert shown(second) == [21, 22]
