"""A message translated lazily (``_l("…%(name)s…", name=…)``: Flask-Babel's LazyString) holding text someone typed,
a file's name, a consultation's title or a key question, is shown inert. Flask-Babel gives a LazyString an
``__html__`` that returns its text as it is (python-babel/flask-babel #121, #224), so Jinja and WTForms took such a
message for markup already made safe and wrote its text into the page unescaped: a citizen's file named
``<img src=x onerror=…>`` came back as an element in the form's error, and a hostile title or question became
markup in a <select>'s options. portal/core/i18n.py makes a LazyString's HTML its text escaped."""
from __future__ import annotations

import io
import re

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select

from portal.extensions import db
from tests.helpers import csrf_token, shanghai
from tests.security.conftest import OFFICE, SCRIPT, assert_inert, shown_escaped


def test_a_lazy_message_is_escaped_where_a_page_writes_it(app):
    with app.test_request_context():
        message = _l("附件“%(name)s”是空文件。", name=SCRIPT)
        assert str(escape(message)) == "附件“&lt;script&gt;alert(1)&lt;/script&gt;”是空文件。"
        assert str(Markup("<p>%s</p>") % message) == "<p>附件“&lt;script&gt;alert(1)&lt;/script&gt;”是空文件。</p>"
        # a message without markup reads as before, and str() is still the plain text
        assert str(escape(_l("不针对具体问题"))) == "不针对具体问题" and str(message).startswith("附件“<script>")


def test_a_citizen_s_hostile_file_name_comes_back_inert_in_the_form_s_error(app, client, clock, import_seed):
    clock.set(shanghai(2023, 4, 21, 9, 0))
    consultation = import_seed("003", opens=shanghai(2023, 4, 20, 9, 0), deadline=shanghai(2023, 5, 20, 23, 59))
    page = f"/consultations/{consultation.id}"
    response = client.post(f"/consultations/{consultation.id}/comments", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, page), "stance": "suggest", "body": "建议增加社区助餐点。",
        "section_id": "", "parent_id": "", "attachments": [(io.BytesIO(b"MZ\x90\x00 not a document"), "<img src=x onerror=alert(1)>.exe")]})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "不是可以接收的文件" in html  # the refusal is shown, naming the file
    assert_inert(html, "the comment form's error")
    assert "_img src=x onerror=alert(1)_.exe" in html  # its name as stored: brackets taken out


def test_a_hostile_title_and_key_question_are_inert_in_the_office_s_choices(hostile, client_as, clock, tmp_path):
    consultation = hostile["consultation"]
    office = client_as(OFFICE)
    # a key question in the office's own words, then the office types in an opinion received by letter
    token = csrf_token(office, f"/office/consultations/{consultation.id}/questions")
    response = office.post(f"/office/consultations/{consultation.id}/questions",
                           data={"csrf_token": token, "text": f"补贴标准{SCRIPT}是否合适？"})
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    db.session.expire_all()  # the test's session holds the consultation as the fixture left it
    html = office.get(f"/office/consultations/{consultation.id}/comments/new").get_data(as_text=True)
    assert "补贴标准" in html and re.search(r"<option[^>]*>问题1：补贴标准&lt;script&gt;", html), html[:3000]
    assert_inert(html, "the question choices")

    # once the hostile consultation is closed, a new upload may follow it: its title is offered as the earlier round
    clock.set(shanghai(2030, 1, 1, 9, 0))
    path = tmp_path / "second.txt"
    path.write_text("关于养老服务的第二稿（征求意见稿）\n一、总则\n本办法适用于全市。\n", encoding="utf-8")
    with path.open("rb") as upload:
        response = office.post("/office/upload", content_type="multipart/form-data", data={
            "csrf_token": csrf_token(office, "/office/upload"), "file": (upload, "second.txt")})
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    html = office.get(response.headers["Location"]).get_data(as_text=True)
    assert f'value="{consultation.id}"' in html  # the hostile consultation is among the choices
    assert_inert(html, "the previous round's choices")
    assert shown_escaped(html)


def test_stored_questions_keep_what_was_typed(hostile, client_as):
    from portal.consultations.models import Consultation

    consultation = hostile["consultation"]
    office = client_as(OFFICE)
    token = csrf_token(office, f"/office/consultations/{consultation.id}/questions")
    office.post(f"/office/consultations/{consultation.id}/questions",
                data={"csrf_token": token, "text": f"补贴标准{SCRIPT}是否合适？"})
    db.session.expire_all()
    assert db.session.scalar(select(Consultation.questions).where(Consultation.id == consultation.id)) == [
        f"补贴标准{SCRIPT}是否合适？"]


def test_a_lazy_message_in_json_is_its_text(app):
    with app.test_request_context():
        assert app.json.loads(app.json.dumps({"error": _l("附件“%(name)s”是空文件。", name="a&b<c>")})) == {
            "error": "附件“a&b<c>”是空文件。"}
