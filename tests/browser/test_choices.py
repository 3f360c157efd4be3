"""Choosing an answer to a key question (表态) in Chromium on a phone, in elderly mode: large radios, labelled, and
the thanks shown where the reader chose."""
import pytest
from sqlalchemy import select

from tests.browser.conftest import PHONE, run_axe

pytestmark = pytest.mark.browser


def test_an_elderly_reader_chooses_on_a_phone(open_page, live_portal):
    page = open_page(viewport=PHONE, bypass_csp=True)  # only so that axe itself can be injected
    page.goto(f"/settings/elderly/on?next=/consultations/{live_portal.consultation_id}")
    box = page.locator("#choices")
    choice = box.get_by_label("偏低")
    size = choice.bounding_box()
    assert size["width"] >= 24 and size["x"] + size["width"] <= PHONE["width"]
    assert run_axe(page) == []
    choice.check()
    box.get_by_role("button", name="提交我的选择").click()
    assert "谢谢，已记下您的选择" in page.locator("#choices").inner_text()


def test_a_multiple_choice_question_has_check_boxes_on_a_phone(open_page, live_portal):
    """The second key question offered choices to tick several of (可多选) for this test only: then restored."""
    from portal.consultations.models import ChoiceAnswer, Consultation
    from portal.extensions import db

    def set_choices(choices, multiple):
        with live_portal.app.app_context():
            consultation = db.session.get(Consultation, live_portal.consultation_id)
            consultation.question_choices, consultation.multiple_choice_questions = choices, multiple
            db.session.commit()

    set_choices([["合适", "偏低", "偏高"], ["社区", "企业", "志愿者"]], [2])
    try:
        page = open_page(viewport=PHONE, bypass_csp=True)  # only so that axe itself can be injected
        page.goto(f"/settings/elderly/on?next=/consultations/{live_portal.consultation_id}")
        box = page.locator("#choices")
        assert "（可多选）" in box.locator("legend").nth(1).inner_text()
        assert box.get_by_label("社区").get_attribute("type") == "checkbox"
        assert box.get_by_label("合适").get_attribute("type") == "radio"
        assert run_axe(page) == []
        box.get_by_label("社区").check()
        box.get_by_label("志愿者").check()
        box.get_by_role("button", name="提交我的选择").click()
        assert "谢谢，已记下您的选择" in page.locator("#choices").inner_text()
        with live_portal.app.app_context():
            answers = db.session.scalars(select(ChoiceAnswer.choice).where(ChoiceAnswer.question == 2)).all()
        assert answers == [0b101]  # 社区 and 志愿者, as bits
    finally:
        set_choices([["合适", "偏低", "偏高"], None], None)
