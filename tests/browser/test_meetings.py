"""Signing up for a meeting (座谈会) in Chromium on a phone: from the consultation's page to the meeting's, the form
filled in, the registrant's own page, and withdrawing there."""
from datetime import UTC, datetime

import pytest

from portal.extensions import db
from tests.browser.conftest import PHONE, run_axe

pytestmark = pytest.mark.browser


def test_a_citizen_signs_up_for_a_forum_on_a_phone_and_withdraws(open_page, live_portal):
    from portal.consultations.models import Consultation
    from portal.meetings.models import Meeting

    with live_portal.app.app_context():
        consultation = db.session.get(Consultation, live_portal.consultation_id)
        db.session.add(Meeting(consultation=consultation, kind="symposium", title="社区养老服务征求意见座谈会",
                               starts_at=datetime(2023, 4, 28, 1, 30, tzinfo=UTC), place="市民政局三楼会议室",
                               seats=20, status="scheduled"))
        db.session.commit()
        db.session.remove()
    page = open_page(viewport=PHONE, bypass_csp=True)  # only so that axe itself can be injected
    page.goto(f"/consultations/{live_portal.consultation_id}")
    page.get_by_role("link", name="社区养老服务征求意见座谈会").click()
    assert page.get_by_role("heading", level=1).inner_text() == "社区养老服务征求意见座谈会"
    assert run_axe(page) == []
    phone = page.get_by_label("联系电话")
    box = phone.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # within a 360 px wide screen

    page.get_by_label("姓名").fill("王大爷")
    phone.fill("138 0013 8000")
    page.get_by_role("button", name="提交报名").click()
    assert page.get_by_role("heading", level=1).inner_text() == "已报名，等待确定"
    assert "138****8000" in page.locator(".summary-list").nth(1).inner_text()
    assert run_axe(page) == []
    page.get_by_role("button", name="取消报名").click()
    assert page.get_by_role("heading", level=1).inner_text() == "已取消报名"
    assert page.get_by_role("button", name="取消报名").count() == 0


def test_a_full_first_come_meeting_takes_a_phone_sign_up_on_its_waiting_list(open_page, live_portal):
    """A one-place first-come meeting whose place is taken: the page offers the waiting list, the registrant's page
    says where they stand (axe clean, in elderly mode)."""
    from portal.consultations.models import Consultation
    from portal.meetings.models import Meeting, MeetingRegistration

    with live_portal.app.app_context():
        consultation = db.session.get(Consultation, live_portal.consultation_id)
        meeting = Meeting(consultation=consultation, kind="symposium", title="助餐服务候补测试座谈会",
                          starts_at=datetime(2023, 4, 29, 1, 30, tzinfo=UTC), place="社区活动中心", seats=1,
                          first_come=True, status="scheduled")
        db.session.add(meeting)
        db.session.add(MeetingRegistration(meeting=meeting, name="张先生", phone="13900139000",
                                           phone_key="13900139000", status="accepted", key_hash="x" * 64))
        db.session.commit()
        meeting_id = meeting.id
        db.session.remove()
    page = open_page(viewport=PHONE, bypass_csp=True)  # only so that axe itself can be injected
    page.goto(f"/settings/elderly/on?next=/consultations/{live_portal.consultation_id}/meetings/{meeting_id}")
    assert "现在报名的，列入候补名单" in page.locator("#signup").inner_text()
    assert run_axe(page) == []
    page.get_by_label("姓名").fill("王大爷")
    page.get_by_label("联系电话").fill("138 0013 8000")
    page.get_by_role("button", name="报名候补").click()
    assert page.get_by_role("heading", level=1).inner_text() == "候补中"
    assert "您排在候补第 1 位。" in page.locator(".waiting-note").inner_text()
    assert run_axe(page) == []
