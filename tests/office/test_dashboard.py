"""The office's dashboard says, for each of its consultations, how many comments came in, how many still wait for a
moderator and how many the office has answered."""
import re

from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.responses.services import respond_to_comments
from portal.units.models import Unit


def _counts_line(page: str, title: str) -> str:
    """The text of the counts line of the consultation titled ``title`` on the dashboard ('' when there is none)."""
    item = re.search(r"<li>\s*<a class=\"consultation-title\"[^>]*>" + re.escape(title) + r"</a>(.*?)</li>", page, re.S)
    assert item, f"{title} is not listed"
    line = re.search(r'<p class="meta comment-counts">(.*?)</p>', item.group(1), re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", line.group(1)).split()) if line else ""


def test_the_dashboard_counts_received_pending_and_answered_comments(app, client, login, office_consultation,
                                                                     small_consultation):
    consultation, comments = office_consultation  # 3 approved, 1 pending, 1 spam
    unpublished = small_consultation(unit=db.session.get(Unit, consultation.owner_unit_id))
    login("office@example.gov.cn")

    page = client.get("/office/").get_data(as_text=True)
    assert _counts_line(page, consultation.title) == ("收到意见 4 条 待审核 1 条 已答复 0 条，共 4 条 "
                                                      "答复未答复的 4 条")  # spam not counted
    assert _counts_line(page, unpublished.title) == ""  # not published, nothing received: no line
    assert f'href="/office/consultations/{consultation.id}/responses"' in page

    office = db.session.scalar(select(User).where(User.email == "office@example.gov.cn"))
    respond_to_comments(consultation, [comments["goals"], comments["formula"]], "adopted", "已吸收。", office)
    comments["formula"].status = "spam"  # marked spam after it was answered: neither received nor answered now
    comments["pending"].status = "approved"
    db.session.commit()
    page = client.get("/office/").get_data(as_text=True)
    assert _counts_line(page, consultation.title) == "收到意见 3 条 已答复 1 条，共 3 条 答复未答复的 2 条"
    assert f'href="/office/consultations/{consultation.id}/responses?answer=unanswered"' in page

    client.get("/settings/language/en")
    page = client.get("/office/").get_data(as_text=True)
    assert _counts_line(page, consultation.title) == ("3 comments received 1 of 3 responded to "
                                                      "Respond to the 2 without a response")
