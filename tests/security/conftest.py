"""Shared set-up for the security tests: a consultation full of hostile text, staff of every kind, and the
routes of the portal read from ``app.url_map`` (so that a new route is covered without editing a list)."""
from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from tests.helpers import csrf_token, post_comment, receipt_from, route_new_comments, shanghai

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"
HOSTILE = f"{SCRIPT} {IMG} {JS_URL}"
FORMULAS = ("=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1)")

PHONE = "13912345678"
EMAIL = "citizen.secret@example.com"

# A draft as an office might receive it from a hostile source: markup in the title, notice, headings and
# text, a formula as its issuer and a heading.
HOSTILE_DRAFT = f"""关于{SCRIPT}养老服务的管理办法（征求意见稿）
社会各界、广大居民群众：
现将《关于{SCRIPT}养老服务的管理办法（征求意见稿）》公布如下，请提出修改意见。修改意见请于5月12日前报送至{IMG}办公室。联系人：{SCRIPT}，联系电话：3255022，邮箱：office@example.gov.cn。
=cmd|' /C calc'!A0
2023年4月12日
一、总则{SCRIPT}
为了{IMG}规范养老服务，访问 {JS_URL} 了解详情，制定本办法。
二、=cmd|' /C calc'!A0
养老机构应当+1+1做好服务。
三、{IMG}附则
本办法自发布之日起施行。-2+3 @SUM(1)
"""

STAFF_PASSWORD = "correct horse 1"
OFFICE = "office@example.gov.cn"  # 市民政局, owns the hostile consultation
OTHER_OFFICE = "other@example.gov.cn"  # 市财政局: the wrong office
MODERATOR = "mod@example.gov.cn"
ADMIN = "admin@example.gov.cn"


def readable(response) -> str:
    """What a response says, as text: a page or JSON as it is; a Word or Excel file (a zip) as the text of its XML
    parts, so that a check for leaked contacts or hostile text sees into downloads too."""
    import io
    import zipfile

    data = response.get_data()
    if data.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist()
                             if name.endswith(".xml"))
    return response.get_data(as_text=True)


def assert_inert(html: str, where: str = "") -> None:
    """No hostile markup survives as markup: no script element, no <img onerror>, no javascript: link."""
    lowered = html.lower()
    assert "<script>alert" not in lowered, where
    assert "<img src=x" not in lowered, where
    assert not re.search(r"""(href|src|action|formaction)\s*=\s*["']?\s*javascript:""", lowered), where


def shown_escaped(html: str) -> bool:
    """The hostile text is on the page, escaped (so the page really showed it)."""
    return "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.fixture
def staff(make_user):
    """One account of every kind: office staff of the owning unit and of another unit, a moderator, an admin."""
    return {
        "office": make_user("office", email=OFFICE, unit_name="市民政局"),
        "other_office": make_user("office", email=OTHER_OFFICE, unit_name="市财政局"),
        "moderator": make_user("moderator", email=MODERATOR),
        "admin": make_user("admin", email=ADMIN),
    }


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in an app context of its own, as on a real server.

    pytest-flask keeps one request context pushed for the whole test, and a request reuses its app context,
    hence ``g``: Flask-Login's loaded user and Flask-WTF's token would leak from one client to the next."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client_as(app):
    """A fresh test client, logged in through the login form as ``email`` (None: anonymous)."""

    def make(email: str | None = None, **kwargs):
        client = IsolatedClient(app, app.response_class, use_cookies=True, **kwargs)
        if email:
            token = csrf_token(client, "/login")
            response = client.post("/login", data={"csrf_token": token, "email": email, "password": STAFF_PASSWORD})
            assert response.status_code == 302, response.status_code
        return client

    return make


@pytest.fixture
def hostile(app, clock, staff, client_as, tmp_path):
    """The hostile draft uploaded by its office through /office/upload, published, and commented on (through
    the form) with hostile names and text, by a citizen who leaves a phone number and one who leaves an e-mail
    address; the comments are approved through the moderation queue. Returns what the tests need."""
    from portal.consultations.services import publish_consultation
    from portal.consultations.models import Consultation
    from portal.comments.models import Comment

    clock.set(shanghai(2023, 4, 20, 9, 0))
    office = client_as(OFFICE)
    token = csrf_token(office, "/office/upload")
    path = tmp_path / "hostile.txt"
    path.write_text(HOSTILE_DRAFT, encoding="utf-8")
    with path.open("rb") as upload:
        response = office.post("/office/upload", data={"csrf_token": token, "file": (upload, f"{SCRIPT}.txt")},
                               content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    consultation_id = int(re.search(r"/office/consultations/(\d+)", response.headers["Location"]).group(1))
    consultation = db.session.get(Consultation, consultation_id)
    publish_consultation(consultation)
    db.session.commit()
    sections = consultation.current_draft.sections
    assert SCRIPT in consultation.title and SCRIPT in sections[0].heading

    citizen = client_as()
    section_url = f"/consultations/{consultation.id}/sections/{sections[0].anchor}"
    receipts = [
        receipt_from(post_comment(citizen, consultation, section_url, section_id=sections[0].id,
                                  body=f"{HOSTILE}\n{FORMULAS[0]}", author_name=f"{SCRIPT}", author_contact=PHONE,
                                  stance="oppose")),
        receipt_from(post_comment(citizen, consultation, f"/consultations/{consultation.id}",
                                  body=f"{FORMULAS[1]} 养老 {IMG}", author_name=IMG, author_contact=EMAIL)),
        receipt_from(post_comment(citizen, consultation, section_url, section_id=sections[0].id,
                                  body=f"{FORMULAS[2]} {FORMULAS[3]} 养老", author_name="=HYPERLINK(1)")),
    ]
    comments = [db.session.scalar(select(Comment).where(Comment.receipt_number == r)) for r in receipts]
    moderator = client_as(MODERATOR)
    queue = moderator.get("/moderation").get_data(as_text=True)
    items = re.findall(r'name="items" value="([^"]+)"', queue)
    assert items, "nothing in the moderation queue"
    response = moderator.post("/moderation/actions", data={
        "csrf_token": csrf_token(moderator, "/moderation"), "action": "approve", "items": items,
        "reason": "", "note": "", "back": "", "view": "queue"})
    assert response.status_code == 303
    db.session.expire_all()
    # the mail worker plans the comments' mails, and renders them when it sends them: as it would (no SMTP here)
    from portal.mail.models import OutboxMessage
    from tests.helpers import render_queued

    assert route_new_comments() == 3
    for message in db.session.scalars(select(OutboxMessage)):
        render_queued(message)
    db.session.commit()
    assert all(c.status == "approved" for c in comments), [c.status for c in comments]
    return {"consultation": consultation, "comments": comments, "receipts": receipts, "sections": sections,
            "office": office, "moderator": moderator, "citizen": citizen}


# --- routes, from the url map ----------------------------------------------------------------------------

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def rules(app):
    return sorted(app.url_map.iter_rules(), key=lambda rule: (rule.rule, rule.endpoint))


def staff_rules(app):
    """Every rule of the office, moderator and admin areas: by URL prefix (/office, /moderation, /admin)."""
    return [rule for rule in rules(app) if re.match(r"^/(office|moderation|admin)(/|$)", rule.rule)]


def build_url(rule, values: dict) -> str:
    """A URL for ``rule`` with its variables filled from ``values`` (by name), else 1 / 'x'."""
    filled = {}
    for name in rule.arguments:
        converter = type(rule._converters[name]).__name__
        default = 1 if converter == "IntegerConverter" else "x"
        filled[name] = values.get(name, default)
    url = rule.rule
    for name, value in filled.items():
        url = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(value), url)
    return url



@pytest.fixture
def world(app, clock, staff, import_seed):
    """Seed 003 owned by 市民政局 and open, two comments (one with a phone, one with an e-mail address, both
    approved), a mail in the outbox, a sensitive word; ``values`` fills every URL variable of the url map."""
    from portal.comments.services import approve_comment, submit_comment
    from portal.mail.links import confirm_token, unsubscribe_token
    from portal.mail.models import OutboxMessage
    from portal.moderation.models import SensitiveWord
    from portal.moderation.grouping import group_new_comments
    from portal.routing.services import route_comment

    clock.set(shanghai(2023, 4, 20, 9, 0))
    consultation = import_seed("003")
    consultation.owner_unit_id = staff["office"].unit_id
    section = consultation.current_draft.sections[0]
    comments = [
        submit_comment(consultation, "建议增加社区食堂。", "suggest", section, author_name="张三", author_contact=PHONE),
        submit_comment(consultation, "赞成。", "support", None, author_name="李四", author_contact=EMAIL),
    ]
    for comment in comments:
        route_comment(comment)
        approve_comment(comment)
    word = SensitiveWord(word="广告")
    db.session.add(word)
    from portal.comments.attachments import Upload, store_uploads
    from portal.comments.models import CommentAttachment
    from portal.consultations.models import ConsultationFile

    store_uploads(comments[0].id, [Upload("书面意见.pdf", "application/pdf", b"%PDF-1.4\n%%EOF\n")])
    published_file = ConsultationFile(consultation_id=consultation.id, title="对照表", filename="对照表.pdf",
                                      content_type="application/pdf", size=15, data=b"%PDF-1.4\n%%EOF\n")
    db.session.add(published_file)
    from portal.meetings.models import Meeting
    from portal.meetings.services import register

    meeting = Meeting(consultation=consultation, kind="symposium", title="座谈会", starts_at=shanghai(2023, 4, 28, 9, 30),
                      place="会议室", seats=10, status="scheduled")
    db.session.add(meeting)
    _registration, registration_key = register(meeting, name="王五", phone=PHONE, email=EMAIL, organisation=None,
                                               statement=None, language="zh_CN")
    from portal.digests.exports import request_export

    export_job = request_export(consultation, "csv", staff["office"])  # a large consultation's digest, asked for
    db.session.commit()
    group_new_comments()  # what the grouping worker does after a commit: the queue page then changes nothing
    message = db.session.scalars(select(OutboxMessage)).first()
    assert message is not None
    values = {
        "consultation_id": consultation.id, "comment_id": comments[0].id, "section_id": section.id,
        "anchor": section.anchor, "message_id": message.id, "user_id": staff["office"].id,
        "unit_id": staff["office"].unit_id, "word_id": word.id, "fmt": "csv", "version": 1,
        "number": comments[0].receipt_number, "code": "en", "mode": "on", "token": confirm_token(EMAIL),
        "filename": "portal.css", "attachment_id": db.session.scalar(select(CommentAttachment.id)),
        "file_id": published_file.id, "meeting_id": meeting.id, "key": registration_key,
        "job_id": export_job.id,
    }
    return {"consultation": consultation, "comments": comments, "section": section, "values": values,
            "unsubscribe_token": unsubscribe_token(EMAIL)}


def snapshot() -> dict:
    """Every row of every table, to show that a refused request changed nothing."""
    db.session.rollback()
    return {
        table.name: sorted(repr(tuple(row)) for row in db.session.execute(table.select()))
        for table in db.metadata.sorted_tables
    }
