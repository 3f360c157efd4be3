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
