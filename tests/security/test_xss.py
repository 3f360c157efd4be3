"""Hostile text in comments, names, section headings and imported drafts is shown inert everywhere: public
pages, search snippets, the moderation queue, the office's pages, mails, the feedback report, statistics and
the DOCX/XLSX/CSV digests (where a text starting with = + - @ must not become a formula)."""
from __future__ import annotations

import csv
import io
import re
import zipfile

from openpyxl import load_workbook
from sqlalchemy import select

from portal.extensions import db
from tests.helpers import csrf_token, shanghai
from tests.security.conftest import (
    ADMIN, EMAIL, FORMULAS, HOSTILE, HOSTILE_DRAFT, IMG, OFFICE, SCRIPT, assert_inert, shown_escaped,
)


def _page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def test_public_pages_show_hostile_text_inert(hostile, client_as, app):
    consultation, sections = hostile["consultation"], hostile["sections"]
    comments = hostile["comments"]
    citizen = client_as()
    cid = consultation.id
    urls = [
        "/consultations/",
        f"/consultations/{cid}",
        *[f"/consultations/{cid}/sections/{s.anchor}" for s in sections],
        *[f"/receipts/{number}" for number in hostile["receipts"]],
        f"/consultations/{cid}/comments/{comments[0].id}/reply",
        f"/consultations/{cid}/comments/{comments[0].id}/report",
        f"/consultations/{cid}/statistics",
        f"/consultations/{cid}/versions/1",
    ]
    for url in urls:
        page = _page(citizen, url)
        assert_inert(page, url)
        assert shown_escaped(page) or IMG.replace('"', "&#34;").replace(">", "&gt;").replace("<", "&lt;") in page, url
    # the draft as a Word file: the hostile headings and text are text there, no markup and no field codes
    draft = zipfile.ZipFile(io.BytesIO(citizen.get(f"/consultations/{cid}/versions/1/draft.docx").get_data()))
    document = draft.read("word/document.xml").decode("utf-8")
    assert "<script>" not in document and "<img" not in document and "&lt;script&gt;alert(1)&lt;/script&gt;" in document
    assert not re.search(r"<w:(fldSimple|instrText|hyperlink)", document)
    statistics = _page(citizen, f"/consultations/{cid}/statistics")
    assert "<svg" in statistics and "&lt;script&gt;" in statistics  # section titles in the SVG labels, escaped
    # the comment form sent back with errors repeats the hostile text in the fields: escaped there too
    token = csrf_token(citizen, f"/consultations/{cid}")
    again = citizen.post(f"/consultations/{cid}/comments", data={
        "csrf_token": token, "body": "", "stance": "suggest", "author_name": SCRIPT, "author_contact": IMG,
        "section_id": "", "parent_id": ""})
    assert again.status_code == 422
    assert_inert(again.get_data(as_text=True), "form again")


def test_feedback_report_shows_hostile_response_inert(hostile, client_as, clock):
    consultation, comment = hostile["consultation"], hostile["comments"][0]
    office = client_as(OFFICE)
    url = f"/office/consultations/{consultation.id}/responses/{comment.id}"
    response = office.post(url, data={"csrf_token": csrf_token(office, url), "outcome": "not_adopted",
                                      "reason": f"理由 {SCRIPT} {IMG}", "paraphrase": ""})
    assert response.status_code == 302
    clock.set(shanghai(2023, 5, 13, 9, 0))
    publish = f"/office/consultations/{consultation.id}/responses/publish"
    response = office.post(publish, data={"csrf_token": csrf_token(office, f"/office/consultations/{consultation.id}/responses")})
    assert response.status_code == 302 and response.headers["Location"].endswith("/feedback")
    page = _page(client_as(), f"/consultations/{consultation.id}/feedback")
    assert_inert(page, "feedback")
    assert shown_escaped(page) and "理由 " in page


def test_search_results_and_snippets_escape_before_marking(hostile, client_as, app):
    result = app.test_cli_runner().invoke(args=["search", "work"])
    assert result.exit_code == 0, result.output
    citizen = client_as()
    for query in ("养老", "alert", "script", "img", SCRIPT, "javascript"):
        page = _page(citizen, "/search?q=" + query)
        assert_inert(page, query)
    marked = _page(citizen, "/search?q=alert")
    assert "<mark>alert</mark>" in marked  # the match is marked …
    assert "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;" in marked  # … inside text escaped before marking
    assert "<mark>养老</mark>" in _page(citizen, "/search?q=养老")


def test_staff_pages_show_hostile_text_inert(hostile, client_as):
    consultation, comment = hostile["consultation"], hostile["comments"][0]
    admin = client_as(ADMIN)
    # a sensitive word inside the hostile text: the queue marks it (<mark>) after escaping
    response = admin.post("/admin/sensitive-words/", data={"csrf_token": csrf_token(admin, "/admin/sensitive-words/"),
                                                            "words": "alert"})
    assert response.status_code in (302, 303)
    cid = consultation.id
    office = client_as(OFFICE)
    for client, url in [
        (office, "/office/"),
        (office, f"/office/consultations/{cid}"),
        (office, f"/office/consultations/{cid}/notice"),
        (office, f"/office/consultations/{cid}/sections/{hostile['sections'][0].id}"),
        (office, f"/office/consultations/{cid}/responses"),
        (office, f"/office/consultations/{cid}/responses/{comment.id}"),
        (office, f"/office/consultations/{cid}/routing"),
        (office, f"/office/consultations/{cid}/digest.csv?contacts=1"),
        (admin, "/moderation?view=approved"),
        (admin, "/moderation?view=approved&q=alert"),
        (admin, "/admin/audit"),
        (admin, "/admin/outbox"),
        (admin, "/admin/moderation-modes"),
    ]:
        page = _page(client, url)
        assert_inert(page, url)
        if "digest" not in url:  # the confirmation page names no text of the draft
            assert shown_escaped(page) or "&lt;img src=x" in page, url
    queue = _page(admin, "/moderation?view=approved")
    assert "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;" in queue


def test_mails_escape_hostile_text(hostile, app):
    from portal.mail.models import OutboxMessage

    messages = db.session.scalars(select(OutboxMessage)).all()
    assert messages, "the comments queued no mail"
    with_hostile = [m for m in messages if "alert(1)" in (m.body_text + (m.body_html or ""))]
    assert with_hostile, [m.kind for m in messages]
    for message in messages:
        assert message.body_html, message.kind
        assert_inert(message.body_html, message.kind)
        assert "<script>" not in message.subject.lower() or "\n" not in message.subject
    assert any(shown_escaped(m.body_html) for m in with_hostile)


def test_digests_are_inert_and_neutralise_formulas(hostile, client_as):
    consultation = hostile["consultation"]
    office = client_as(OFFICE)
    base = f"/office/consultations/{consultation.id}/digest"

    body = office.get(base + ".csv")
    assert body.status_code == 200
    rows = list(csv.reader(io.StringIO(body.get_data().decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    for formula in FORMULAS:
        assert not any(cell.startswith(formula) for cell in cells), formula
    assert any(cell.startswith("'" + FORMULAS[1]) for cell in cells)
    assert any(cell.startswith("'" + FORMULAS[2]) for cell in cells)
    assert any(cell.startswith("'=HYPERLINK") for cell in cells)
    assert not any(cell[:1] in "=+-@" for cell in cells if cell), [c for c in cells if c[:1] in "=+-@"]

    workbook = load_workbook(io.BytesIO(office.get(base + ".xlsx").get_data()))
    values = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    values.append(cell.value)
    assert not any(value[:1] in "=+-@" for value in values), [v for v in values if v[:1] in "=+-@"]
    assert any(SCRIPT in value for value in values)  # shown as text, as it was written

    docx = zipfile.ZipFile(io.BytesIO(office.get(base + ".docx").get_data()))
    document = docx.read("word/document.xml").decode("utf-8")
    assert "<script>" not in document and "<img" not in document
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document
    assert not re.search(r"<w:(fldSimple|instrText)", document)  # no field codes (HYPERLINK, DDE …) made from text


def test_hostile_draft_imported_with_the_cli_is_inert(app, staff, client_as, tmp_path):
    from portal.consultations.models import Consultation

    path = tmp_path / "hostile.txt"
    path.write_text(HOSTILE_DRAFT, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["drafts", "import", str(path)])
    assert result.exit_code == 0, result.output
    consultation = db.session.scalars(select(Consultation)).one()
    assert SCRIPT in consultation.title
    admin = client_as(ADMIN)
    for url in (f"/office/consultations/{consultation.id}", "/office/"):
        page = _page(admin, url)
        assert_inert(page, url)
        assert shown_escaped(page)


def test_a_hostile_answer_is_inert_on_the_receipt_page_and_in_its_mail(hostile, client_as, app, clock):
    """The office's published answer reaches the commenter on the receipt page and by mail: markup in the
    answer's reason (and in the comment it answers) stays text in both."""
    from portal.mail.models import OutboxMessage
    from tests.helpers import render_queued
    from portal.mail.services import confirm_address

    consultation, comments = hostile["consultation"], hostile["comments"]
    confirm_address(EMAIL)  # the commenter of comments[1] confirmed the address
    db.session.commit()
    office = hostile["office"]
    url = f"/office/consultations/{consultation.id}/responses"
    response = office.post(url, data={"csrf_token": csrf_token(office, url), "comment_ids": [str(comments[1].id)],
                                      "outcome": "not_adopted", "reason": HOSTILE})
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    clock.set(shanghai(2023, 5, 13, 9, 0))
    assert office.post(f"{url}/publish", data={"csrf_token": csrf_token(office, url)}).status_code == 302

    page = _page(client_as(), f"/receipts/{hostile['receipts'][1]}")
    assert_inert(page, "receipt")
    assert shown_escaped(page)  # the reason is on the page, as text
    (answer,) = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "response")).all()
    render_queued(answer)
    assert_inert(answer.body_html, "response mail")
    assert shown_escaped(answer.body_html) and "<script>alert(1)</script>" in answer.body_text
