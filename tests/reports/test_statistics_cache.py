"""The statistics (the page and the API's) are counted once and kept in memory until a comment of the consultation
changes or arrives, pending ones too: a repeated request runs none of the whole-consultation counts."""
from portal.comments.services import submit_comment
from portal.extensions import db
from tests.helpers import Browser, statements

COUNTS = "count("  # each whole-consultation figure is a count (or a sum, or reads every comment's day)


def _counting(seen: list[str]) -> list[str]:
    return [s for s in seen if COUNTS in s.lower() or "sum(" in s.lower() or "comments.created_at \nFROM" in s]


def test_the_statistics_are_counted_once_until_a_comment_arrives(app, clock, office_consultation):
    consultation, comments = office_consultation
    browser = Browser(app)
    page_url = f"/consultations/{consultation.id}/statistics"
    api_url = f"/api/v1/consultations/{consultation.id}/statistics"
    with statements() as first:
        assert "截至目前共收到 4 条意见" in browser.get(page_url).get_data(as_text=True)
    recount = len(_counting(first))
    assert recount >= 5  # the key's, the sections', the days' … (stances, ways received, proposals, organisations'
    # kinds and agreements are one statement: portal/reports/services.py: received_breakdown)
    with statements() as again:
        assert "截至目前共收到 4 条意见" in browser.get(page_url).get_data(as_text=True)
        assert browser.get(api_url).get_json()["total"] == 4
    assert len(_counting(again)) == 2  # the key's: how many comments and the newest (page and API)

    submit_comment(consultation, "再补充一条：养老床位要按常住人口配置。", section=comments["goals"].section)  # pending
    db.session.commit()
    with statements() as after:
        assert "截至目前共收到 5 条意见" in browser.get(page_url).get_data(as_text=True)
        assert browser.get(api_url).get_json()["total"] == 5
    assert len(_counting(after)) == recount + 1  # counted again once (the API's answer read it from memory)
    with statements() as kept:
        assert browser.get(api_url).get_json()["total"] == 5
    assert len(_counting(kept)) == 1

    from portal.comments.models import Comment
    from portal.moderation.services import CommentSelection, moderate

    pending = db.session.query(Comment).filter_by(consultation_id=consultation.id, status="pending").first()
    moderate("cli", "spam", [CommentSelection(pending.id, pending.moderation_version)], view="queue")
    db.session.commit()  # a pending comment marked spam renews no token: no longer counted all the same
    assert "截至目前共收到 4 条意见" in browser.get(page_url).get_data(as_text=True)
    assert browser.get(api_url).get_json()["total"] == 4
