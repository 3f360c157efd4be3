"""The office narrows its list of comments to answer (section, answer, stance, text, form letter) and answers
every comment of a filtered list at once."""
import re

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.comments.models import Comment
from portal.comments.services import submit_comment
from portal.extensions import db
from portal.responses.filters import ResponseFilters
from portal.responses.models import Response
from tests.helpers import csrf_token, shanghai
from tests.responses.test_responding import bulk, responses_url

LETTER = ("我们强烈要求在本小区周边增设社区老年食堂，并对八十岁以上独居老人提供送餐上门服务，"
          "同时希望价格公开透明、接受居民监督，切实解决老年人吃饭难的问题。")


def listed(page: str) -> list[str]:
    """The receipt numbers of the comments listed on the responses page, in order."""
    return re.findall(r'<p class="comment-meta"><span>([0-9A-Z-]+)</span>', page)


def receipts(*comments) -> list[str]:
    return [c.receipt_number for c in comments]


def test_each_filter_narrows_the_list_and_the_links_keep_it(app, client, login, office_consultation):
    consultation, c = office_consultation
    login("office@example.gov.cn")
    url = responses_url(consultation)
    page = client.get(url).get_data(as_text=True)
    assert listed(page) == receipts(c["goals"], c["pending"], c["formula"], c["whole"])
    # the section filter offers the sections that received comments, with their counts, and the whole draft
    assert re.search(r'<option value="\d+">一、目标要求（2 条，未答复 2 条）</option>', page)
    assert '<option value="whole">对草案整体的意见（1 条，未答复 1 条）</option>' in page
    goals_section = c["goals"].section_id

    def shown(query: str) -> list[str]:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200
        return listed(response.get_data(as_text=True))

    assert shown(f"section={goals_section}") == receipts(c["goals"], c["pending"])
    assert shown("section=whole") == receipts(c["whole"])
    assert shown("stance=oppose") == receipts(c["formula"])
    assert shown("q=食堂") == receipts(c["pending"])  # words of the comment
    assert shown("q=王大爷") == receipts(c["goals"], c["pending"])  # its signature
    assert shown(f"q={c['whole'].receipt_number.lower()}") == receipts(c["whole"])  # its receipt number
    assert shown("q=100%25") == []  # a LIKE wildcard is a character like any other
    assert "没有符合筛选条件的意见。" in client.get(f"{url}?q=100%25").get_data(as_text=True)

    bulk(client, consultation, [c["goals"].id], "adopted", "采纳。")
    assert re.search(r'<option value="\d+">一、目标要求（2 条，未答复 1 条）</option>', client.get(url).get_data(as_text=True))
    assert shown("answer=unanswered") == receipts(c["pending"], c["formula"], c["whole"])
    assert shown("answer=drafted") == receipts(c["goals"])
    assert shown("answer=published") == []
    assert shown(f"answer=unanswered&section={goals_section}") == receipts(c["pending"])

    # the first comment's form letter (id 1) is kept in the links like any other
    assert ResponseFilters(letter=1, page=1).args() == {"letter": 1}
    assert ResponseFilters(advised=True, page=2).args() == {"advised": 1, "page": 2}

    # what a hand-edited address carries is ignored, never an error
    assert shown("section=abc&answer=all&stance=maybe&letter=-1&page=x") == shown("")
    assert shown("section=99999999") == []

    page = client.get(f"{url}?answer=unanswered&stance=suggest").get_data(as_text=True)
    assert "筛选出 1 条意见（共 4 条）。" in page
    assert 'href="/office/consultations/{}/responses"'.format(consultation.id) in page  # "show all"
    # the single answer's link and the bulk form keep the list; saving comes back to it
    one = re.search(r'href="([^"]+/responses/%d\?[^"]+)"' % c["pending"].id, page).group(1).replace("&amp;", "&")
    assert "answer=unanswered" in one and "stance=suggest" in one
    response = client.post(one, data={"csrf_token": csrf_token(client, one), "outcome": "explained",
                                      "reason": "已转交街道。"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"{url}?answer=unanswered&stance=suggest#comment-{c['pending'].id}"
    action = re.search(r'<form method="post" action="([^"]+)" novalidate>', page).group(1).replace("&amp;", "&")
    assert action == f"{url}?answer=unanswered&stance=suggest"
    response = client.post(action, data={"csrf_token": csrf_token(client, url), "comment_ids": [str(c["whole"].id)],
                                         "outcome": "adopted", "reason": "采纳。"})
    assert response.status_code == 302 and response.headers["Location"] == f"{url}?answer=unanswered&stance=suggest"
    assert shown("answer=unanswered") == receipts(c["formula"])


def test_every_comment_of_the_filtered_list_is_answered_at_once(app, client, login, office_consultation,
                                                                monkeypatch):
    consultation, c = office_consultation
    monkeypatch.setattr("portal.responses.views.PAGE_SIZE", 1)  # the list spans pages
    login("office@example.gov.cn")
    url = responses_url(consultation)
    query = f"section={c['goals'].section_id}"
    page = client.get(f"{url}?{query}").get_data(as_text=True)
    assert listed(page) == receipts(c["goals"])
    assert "答复筛选出的全部 2 条意见（包括其他页上的），不用逐条勾选" in page
    assert '<input type="hidden" name="expected" value="2">' in page

    def answer_every(expected: str, reason: str = "已在修改稿中明确。"):
        return client.post(f"{url}?{query}", data={"csrf_token": csrf_token(client, url), "every": "y",
                                                  "expected": expected, "outcome": "partly_adopted", "reason": reason})

    # the list changed since it was shown (the office saw 1, there are 2): nothing is saved, the office is told
    refused = answer_every("1")
    assert refused.status_code == 409
    assert "筛选出的意见已有变化，现在是 2 条，没有保存。" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    missing = answer_every("2", reason=" ")
    assert missing.status_code == 422 and "请填写理由。" in missing.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0

    saved = answer_every("2")
    assert saved.status_code == 302 and saved.headers["Location"] == f"{url}?{query}"
    assert "已保存 2 条答复。" in client.get(saved.headers["Location"]).get_data(as_text=True)
    answered = db.session.execute(select(Response.comment_id, Response.outcome).order_by(Response.comment_id)).all()
    assert answered == [(c["goals"].id, "partly_adopted"), (c["pending"].id, "partly_adopted")]
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "respond")).all()
    assert sorted(e.after["comment_id"] for e in entries) == sorted([c["goals"].id, c["pending"].id])
    assert all(e.target_id is not None for e in entries)

    # with no comment ticked and the box left empty, nothing is chosen
    none = client.post(url, data={"csrf_token": csrf_token(client, url), "expected": "4", "outcome": "adopted",
                                  "reason": "采纳。"})
    assert none.status_code == 422 and "请至少选择一条意见。" in none.get_data(as_text=True)


def test_copies_of_a_form_letter_are_shown_and_answered_together(app, client, clock, login, office_consultation):
    consultation, c = office_consultation
    goals = db.session.get(Comment, c["goals"].id).section
    copies = []
    for n, signature in enumerate(["张三", "李四", "王五"]):
        clock.set(shanghai(2023, 4, 28, 10, n))
        copies.append(submit_comment(consultation, f"{signature}：{LETTER}", "suggest", goals, author_name=signature))
    db.session.commit()
    login("office@example.gov.cn")
    url = responses_url(consultation)
    page = client.get(url).get_data(as_text=True)  # the page groups what the grouping worker has not reached
    assert page.count("同文意见，共 3 份") == 3
    assert 'href="{}?letter={}"'.format(url, copies[0].id) in page

    one = client.get(f"{url}/{copies[1].id}").get_data(as_text=True)  # one copy's page points to all of them
    assert "这是一份同文意见，共 3 份。" in one and f'href="{url}?letter={copies[0].id}">一起答复这些同文意见' in one
    assert "同文意见" not in client.get(f"{url}/{c['whole'].id}").get_data(as_text=True)

    page = client.get(f"{url}?letter={copies[0].id}").get_data(as_text=True)
    assert listed(page) == receipts(*copies)
    assert "只显示同一份同文意见的 3 份，筛选出 3 条意见（共 7 条）。" in page
    response = client.post(f"{url}?letter={copies[0].id}", data={
        "csrf_token": csrf_token(client, url), "every": "y", "expected": "3", "outcome": "adopted",
        "reason": "已增设社区老年食堂。",
    })
    assert response.status_code == 302
    answered = db.session.scalars(select(Response.comment_id).order_by(Response.comment_id)).all()
    assert answered == [copy.id for copy in copies]


@pytest.mark.parametrize("lang", ["en"])
def test_the_filters_speak_english(app, client, login, office_consultation, lang):
    consultation, c = office_consultation
    login("office@example.gov.cn")
    client.get(f"/settings/language/{lang}")
    page = client.get(f"{responses_url(consultation)}?answer=unanswered").get_data(as_text=True)
    assert "Filter the comments" in page and "No response yet" in page
    assert "4 comments match (of 4)." in page
    assert "Respond to all 4 comments that match (on other pages too), without ticking each" in page


def test_the_office_steps_through_the_filtered_list_one_comment_at_a_time(app, client, login, office_consultation):
    consultation, c = office_consultation
    login("office@example.gov.cn")
    url = responses_url(consultation)
    first = f"{url}/{c['goals'].id}?answer=unanswered"
    page = client.get(first).get_data(as_text=True)
    assert "第 1 条，共 4 条（筛选后）" in page and "上一条" not in page
    assert f'href="{url}/{c["pending"].id}?answer=unanswered"' in page  # the next one, in the list's order
    response = client.post(first, data={"csrf_token": csrf_token(client, first), "outcome": "adopted",
                                        "reason": "采纳。", "then": "next"})
    # saved; on to the next one of the list, which still holds the comments not answered
    assert response.status_code == 302
    assert response.headers["Location"] == f"{url}/{c['pending'].id}?answer=unanswered"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "答复已保存。" in page and "第 1 条，共 3 条（筛选后）" in page
    assert db.session.scalar(select(Response.outcome).where(Response.comment_id == c["goals"].id)) == "adopted"

    last = f"{url}/{c['whole'].id}"
    page = client.get(last).get_data(as_text=True)
    assert "第 4 条，共 4 条" in page and "（筛选后）" not in page and "保存并答复下一条" not in page
    assert f'href="{url}/{c["formula"].id}"' in page  # the previous one
    response = client.post(last, data={"csrf_token": csrf_token(client, last), "outcome": "explained",
                                       "reason": "将在实施中考虑。", "then": "next"})
    assert response.headers["Location"] == f"{url}#comment-{c['whole'].id}"  # no next one: back to the list


def test_the_reasons_used_most_are_offered_again(app, client, login, office_consultation):
    consultation, c = office_consultation
    login("office@example.gov.cn")
    url = responses_url(consultation)
    assert "常用理由" not in client.get(url).get_data(as_text=True)  # nothing answered yet
    bulk(client, consultation, [c["goals"].id, c["pending"].id], "adopted", "已在修改稿中采纳。")
    bulk(client, consultation, [c["formula"].id], "not_adopted", "与上位法不符。")
    for page in (client.get(url), client.get(f"{url}/{c['whole'].id}")):
        html = page.get_data(as_text=True)
        assert "常用理由（本次征求意见中用过的）" in html
        first, second = html.index("已在修改稿中采纳。</span>"), html.index("与上位法不符。</span>")
        assert first < second  # the most used first
        assert "（用过 2 次）" in html and "（用过 1 次）" in html
        assert 'data-fill-reason="reason" data-outcome="adopted"' in html


def test_the_filtered_comments_download_as_a_digest_of_their_own(app, client, login, office_consultation):
    import csv
    import io

    from docx import Document
    from openpyxl import load_workbook

    consultation, c = office_consultation
    login("office@example.gov.cn")
    url = responses_url(consultation)
    goals_section = c["goals"].section_id
    page = client.get(f"{url}?section={goals_section}&page=1").get_data(as_text=True)
    link = f"/office/consultations/{consultation.id}/digest.xlsx?section={goals_section}"
    assert f'href="{link}"' in page and "只含筛选出的 2 条意见的 Excel 表格" in page

    response = client.get(link)
    assert response.status_code == 200
    assert "%E7%AD%9B%E9%80%89" in response.headers["Content-Disposition"]  # 筛选 in the file's name
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["汇总", "一、目标要求", "对草案整体的意见"]  # the parts holding them, and the rest
    summary = [v for row in workbook["汇总"].iter_rows(values_only=True) for v in row if v]
    assert any(str(v).startswith("本文件只含筛选出的意见（章节：一、目标要求），共2条；") and "共收到反馈意见4条" in str(v)
               for v in summary)
    bodies = [row[3] for row in workbook["一、目标要求"].iter_rows(min_row=2, values_only=True)]
    assert bodies == ["建议明确养老服务中心的建设标准。", "社区食堂要多开几家。"]
    assert list(workbook["对草案整体的意见"].iter_rows(min_row=2, values_only=True)) == []

    bulk(client, consultation, [c["goals"].id], "adopted", "采纳。")
    text = client.get(f"/office/consultations/{consultation.id}/digest.csv?answer=unanswered&stance=suggest")
    rows = list(csv.reader(io.StringIO(text.data.decode("utf-8-sig"))))
    assert [r[3] for r in rows[1:]] == ["社区食堂要多开几家。"]
    word = Document(io.BytesIO(client.get(f"/office/consultations/{consultation.id}/digest.docx?q=%E6%95%B4%E4%BD%93")
                               .data))
    paragraphs = "\n".join(p.text for p in word.paragraphs)
    assert "本文件只含筛选出的意见（包含“整体”），共1条" in paragraphs
    assert "一、目标要求" not in paragraphs and "对草案整体的意见（1条）" in paragraphs

    full = load_workbook(io.BytesIO(client.get(f"/office/consultations/{consultation.id}/digest.xlsx").data))
    assert len(full.sheetnames) == 6  # unfiltered: every part, as before
