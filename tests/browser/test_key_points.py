"""A section's key points (要点) in Chromium: set apart before the text, accessible, and never quoted as the draft."""
import pytest

from portal.drafts.models import Section
from portal.extensions import db
from tests.browser.conftest import PHONE, run_axe

pytestmark = pytest.mark.browser


def test_key_points_stand_before_the_text_and_a_selection_in_them_offers_no_quotation(open_page, live_portal):
    with live_portal.app.app_context():
        from portal.consultations.models import Consultation

        consultation = db.session.get(Consultation, live_portal.consultation_id)
        section = next(s for s in consultation.current_draft.sections if s.lines and not s.run_in)
        db.session.get(Section, section.id).key_points = "这一部分说的是：社区里要办老年食堂。"
        db.session.commit()
        anchor, first_line, section_id = section.anchor, section.lines[0], section.id
        db.session.remove()
    try:
        page = open_page(viewport=PHONE, bypass_csp=True)  # only so that axe itself can be injected
        page.goto(f"/consultations/{live_portal.consultation_id}/sections/{anchor}")
        note = page.get_by_role("note", name="要点")
        assert "社区里要办老年食堂" in note.inner_text() and "不是草案正文" in note.inner_text()
        note_box = note.bounding_box()
        text_box = page.locator(f"#{anchor} > p", has_text=first_line[:10]).first.bounding_box()
        assert note_box["y"] < text_box["y"]  # read before the draft's own words
        assert run_axe(page) == []

        page.evaluate("""() => {
            const range = document.createRange();
            range.selectNodeContents(document.querySelector('.key-points p:last-child'));
            window.getSelection().removeAllRanges();
            window.getSelection().addRange(range);
        }""")
        page.wait_for_timeout(400)  # the bar would have appeared by now
        assert page.locator(".quote-bar").is_hidden()
    finally:
        with live_portal.app.app_context():
            db.session.get(Section, section_id).key_points = None
            db.session.commit()
            db.session.remove()
