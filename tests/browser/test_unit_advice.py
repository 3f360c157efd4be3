"""A responsible unit's advice page, opened from the link in its mail on a phone, in Chromium: readable (axe finds
no serious problem, in English too), no wider than the screen, and the advice is sent."""
import pytest

from tests.browser.conftest import PHONE, run_axe

pytestmark = pytest.mark.browser
UNIT_ADDRESS = "advice@units.example.gov.cn"


@pytest.fixture
def advice_path(live_portal):
    """The advice link of a new comment on a section with responsible units, made as the mail would make it."""
    from sqlalchemy import select

    from portal.comments.services import approve_comment, submit_comment
    from portal.consultations.models import Consultation
    from portal.extensions import db
    from portal.responses.advice import advice_token
    from portal.units.models import Unit

    with live_portal.app.test_request_context():
        consultation = db.session.get(Consultation, live_portal.consultation_id)
        section = next(s for s in consultation.current_draft.sections if s.unit_names)
        for name in section.unit_names:
            unit = db.session.scalar(select(Unit).where(Unit.name == name))
            if unit is None:
                db.session.add(Unit(name=name, emails=[UNIT_ADDRESS]))
            elif UNIT_ADDRESS not in (unit.emails or []):
                unit.emails = [*(unit.emails or []), UNIT_ADDRESS]
        comment = submit_comment(consultation, "建议写明服务标准和办理时限，并向社会公开。", "suggest", section)
        approve_comment(comment)
        db.session.commit()
        path = f"/advice/{advice_token(comment, UNIT_ADDRESS)}"
        db.session.remove()
    return path


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_a_unit_gives_its_advice_on_a_phone(open_page, advice_path, language):
    page = open_page(viewport=PHONE, bypass_csp=True)  # only so that axe itself can be injected
    page.goto(f"/settings/language/{language}")
    page.goto(advice_path)
    assert run_axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    if language == "en":
        return
    page.get_by_role("button", name="提交建议").click()  # nothing filled in
    assert "请填写理由。" in page.locator(".error-summary").inner_text()
    assert run_axe(page) == []
    page.get_by_label("部分采纳").check()
    page.get_by_label("理由").fill("服务标准可以写明；办理时限由各部门另行公布。")
    page.get_by_label("经办人（可不填）").fill("张科长")
    page.get_by_role("button", name="提交建议").click()
    assert "已收到您的建议" in page.get_by_role("status").first.inner_text()
    assert page.get_by_label("理由").input_value() == "服务标准可以写明；办理时限由各部门另行公布。"


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_a_unit_works_through_its_list_on_a_phone(open_page, live_portal, advice_path, language):
    from portal.extensions import db
    from portal.responses.advice import unit_list_url

    with live_portal.app.test_request_context():
        path = unit_list_url(live_portal.consultation_id, UNIT_ADDRESS).split("://", 1)[1].split("/", 1)[1]
        db.session.remove()
    page = open_page(viewport=PHONE, bypass_csp=True)  # only so that axe itself can be injected
    page.goto(f"/settings/language/{language}")
    page.goto("/" + path)
    assert run_axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    if language == "en":
        return
    assert "建议写明服务标准和办理时限" in page.locator("table").inner_text()
    page.get_by_role("link", name="提出处理建议").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "责任单位处理建议"
