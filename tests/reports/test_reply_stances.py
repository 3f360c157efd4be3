"""A reply (回复) has no stance of its own: its form sends "suggest" as a hidden field, and "同意楼上的意见" is no
suggestion. The statistics page and the API count the stances of the opinions that are not replies and the replies
apart, adding up to the opinions received; the feedback report says "回复" beside a reply; the office's and the
moderators' stance filters leave replies out."""
import io
import re

from docx import Document
from sqlalchemy import select

from portal.comments.models import Comment
from portal.comments.services import approve_comment
from portal.consultations.models import Consultation
from portal.extensions import db
from portal.responses.services import publish_responses, respond_to_comments
from tests.helpers import post_comment, receipt_from, shanghai

REPLY = "同意楼上的意见。"


def reply_through_the_page(client, consultation, parent) -> Comment:
    """Answer ``parent`` from its reply page, as a reader does (the page's hidden stance field sent as it is)."""
    url = f"/consultations/{consultation.id}/comments/{parent.id}/reply"
    page = client.get(url).get_data(as_text=True)
    assert '<input type="hidden" name="stance" value="suggest">' in page  # the reply form asks for no stance
    receipt = receipt_from(post_comment(client, consultation, url, parent_id=parent.id, body=REPLY))
    return db.session.scalar(select(Comment).where(Comment.receipt_number == receipt))


def table_rows(page: str) -> dict[str, str]:
    return dict(re.findall(r'<tr><th scope="row"(?: lang="[^"]+")?>([^<]+)</th><td class="number">(\d+)</td></tr>',
                           page))


def test_the_statistics_count_replies_apart_from_the_stances_and_add_up(app, client, office_consultation):
    consultation, comments = office_consultation  # received: goals (建议), formula (反对), whole (赞成), pending (建议)
    reply = reply_through_the_page(client, consultation, comments["goals"])
    assert reply.parent_id == comments["goals"].id and reply.stance == "suggest"  # stored as before

    page = client.get(f"/consultations/{consultation.id}/statistics").get_data(as_text=True)
    assert "截至目前共收到 5 条意见" in page
    stances = page[page.index('id="stat-stances-h"'):page.index('id="stat-days-h"')]
    rows = table_rows(stances)
    assert rows == {"赞成": "1", "反对": "1", "建议": "2", "回复": "1"}  # the reply was counted as 建议: 3
    assert sum(int(n) for n in rows.values()) == 5
    assert "回复 1 条：是对别人意见的回复，不分赞成、反对或建议。" in stances
    assert "赞成：1；反对：1；建议：2；回复：1" in stances  # the chart's description, its bars the same

    api = client.get(f"/api/v1/consultations/{consultation.id}/statistics").get_json()
    assert api["stances"] == {"support": 1, "oppose": 1, "suggest": 2} and api["replies"] == 1
    assert sum(api["stances"].values()) + api["replies"] == api["total"] == 5

    client.get("/settings/language/en")
    english = client.get(f"/consultations/{consultation.id}/statistics").get_data(as_text=True)
    assert table_rows(english[english.index('id="stat-stances-h"'):])["Replies"] == "1"
    assert "1 reply: an answer to someone else" in english


def test_without_replies_the_statistics_show_no_reply_row(app, client, office_consultation):
    consultation, _comments = office_consultation
    page = client.get(f"/consultations/{consultation.id}/statistics").get_data(as_text=True)
    stances = page[page.index('id="stat-stances-h"'):page.index('id="stat-days-h"')]
    assert table_rows(stances) == {"赞成": "1", "反对": "1", "建议": "2"} and "回复" not in stances
    assert client.get(f"/api/v1/consultations/{consultation.id}/statistics").get_json()["replies"] == 0


def test_the_feedback_report_calls_a_reply_a_reply(app, client, clock, office_consultation):
    consultation, comments = office_consultation
    reply = reply_through_the_page(client, consultation, comments["goals"])
    approve_comment(reply)
    consultation = db.session.get(Consultation, consultation.id)
    respond_to_comments(consultation, [comments["goals"], reply], "adopted", "已补充建设标准。", "test")
    clock.set(shanghai(2023, 5, 13, 8, 0))
    publish_responses(consultation, "test")
    db.session.commit()

    page = client.get(f"/consultations/{consultation.id}/feedback").get_data(as_text=True)
    items = {re.sub(r"<[^>]+>", "", re.search(r'feedback-opinion">(.*?)</p>', item, re.S)[1]).split("：", 1)[1].strip():
             re.search(r'<p class="comment-meta">(.*?)</p>', item, re.S)[1]
             for item in page.split('<li class="feedback-item">')[1:]}
    assert "<span>回复</span>" in items[REPLY] and "建议" not in items[REPLY]
    assert "<span>建议</span>" in items["建议明确养老服务中心的建设标准。"]

    data = client.get(f"/consultations/{consultation.id}/feedback.docx").data
    lines = [p.text for p in Document(io.BytesIO(data)).paragraphs]
    assert any(line.endswith(f"（匿名，回复）{REPLY}") for line in lines), lines
    assert any(line.endswith("（王大爷，建议）建议明确养老服务中心的建设标准。") for line in lines), lines

    api = client.get(f"/api/v1/consultations/{consultation.id}/feedback").get_json()
    entries = {e["text"]: e for group in api["groups"] for e in group["entries"]}
    assert entries[REPLY]["reply"] is True and entries["建议明确养老服务中心的建设标准。"]["reply"] is False


def test_the_stance_filters_leave_replies_out(app, client, login, make_user, office_consultation):
    consultation, comments = office_consultation
    reply = reply_through_the_page(client, consultation, comments["goals"])
    make_user("admin", email="admin@example.gov.cn")
    assert login("admin@example.gov.cn").status_code == 302

    queue = client.get(f"/moderation?consultation={consultation.id}&stance=suggest").get_data(as_text=True)
    assert "社区食堂要多开几家。" in queue and REPLY not in queue  # both wait for moderation, both sent "suggest"
    assert REPLY in client.get(f"/moderation?consultation={consultation.id}").get_data(as_text=True)

    url = f"/office/consultations/{consultation.id}/responses"
    suggested = client.get(f"{url}?stance=suggest").get_data(as_text=True)
    assert comments["goals"].receipt_number in suggested and reply.receipt_number not in suggested
    assert reply.receipt_number in client.get(url).get_data(as_text=True)
