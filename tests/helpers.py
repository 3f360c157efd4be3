"""Helpers shared by the HTTP tests: act as a citizen would, through pages and forms."""
import os
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parent.parent
# The sample drafts: PORTAL_SEEDS_DIR, else the workplace's shared seeds beside the clone, else the copy in
# samples/ (the same files), so that a clone anywhere runs the whole suite.
SEEDS = Path(os.environ.get("PORTAL_SEEDS_DIR") or ROOT.parent / "shared" / "seeds")
if not SEEDS.is_dir():
    SEEDS = ROOT / "samples"


def shanghai(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def csrf_token(client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match.group(1)


def post_comment(client, consultation, page_url: str, **fields):
    """Fill in the comment form found on ``page_url`` and submit it."""
    data = {"csrf_token": csrf_token(client, page_url), "stance": "suggest", "body": "", "section_id": "", "parent_id": ""}
    data.update({k: ("" if v is None else str(v)) for k, v in fields.items()})
    return client.post(f"/consultations/{consultation.id}/comments", data=data)


def receipt_from(response) -> str:
    assert response.status_code == 303, (response.status_code, response.get_data(as_text=True)[:500])
    match = re.search(r"/receipts/([0-9]{8}-[A-Z0-9]{6})$", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def route_new_comments() -> int:
    """What the mail worker does first in each pass: plan the mails of the comments stored since (the routing
    queue) and write their outbox rows. Returns the number of comments routed."""
    from portal.routing.queue import route_queued

    routed = 0
    while taken := route_queued():
        routed += taken
    return routed


def render_queued(message):
    """Fill in subject and bodies of an outbox message queued unrendered, as the mail worker does when it sends it
    (no-op when already rendered), so that a test can read what would be sent; flushes."""
    from portal.extensions import db
    from portal.mail.rendering import render

    if message.body_text is not None:
        return message
    for column, value in render(message).outbox_columns().items():
        setattr(message, column, value)
    db.session.flush()
    return message


def docx_of(paragraphs: list[str]) -> bytes:
    """A real .docx (python-docx) holding these paragraphs."""
    import io

    from docx import Document

    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def with_part(data: bytes, part: str, content: bytes | None) -> bytes:
    """The zip ``data`` (a .docx, say) with ``part`` replaced by ``content``, or left out when it is None."""
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    if content is None:
        del parts[part]
    else:
        assert part in parts, part
        parts[part] = content
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, value in parts.items():
            archive.writestr(name, value)
    return out.getvalue()


def with_formula_results(data: bytes, results: dict[str, str]) -> bytes:
    """The .xlsx ``data`` (written by openpyxl, which saves formulas without their results) with the text result of
    the formula in each cell named (e.g. "B3") saved beside it, as Excel and WPS save it."""
    import io
    import re
    import zipfile
    from xml.sax.saxutils import escape

    part = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        xml = source.read(part).decode("utf-8")
    for cell, result in results.items():
        xml, found = re.subn(rf'<c r="{cell}"([^>]*)><f>(.*?)</f><v\s*(?:/>|></v>)</c>',
                             lambda m: f'<c r="{cell}"{m[1]} t="str"><f>{m[2]}</f><v>{escape(result)}</v></c>', xml)
        assert found == 1, (cell, xml)
    return with_part(data, part, xml.encode("utf-8"))


class Browser:
    """A test browser whose every request runs in an application context of its own, as on a server. (The test's
    own context outlives requests, and Flask-Login and Flask-WTF keep the signed-in user and the CSRF token in its
    ``g``: several browsers of one test would share them.)"""

    def __init__(self, app):
        self.app, self.client = app, app.test_client()

    def get(self, *args, **kwargs):
        with self.app.app_context():
            return self.client.get(*args, **kwargs)

    def post(self, *args, **kwargs):
        with self.app.app_context():
            return self.client.post(*args, **kwargs)


def staff_browser(app, email: str, password: str = "correct horse 1") -> Browser:
    """A browser of its own where the staff member ``email`` logged in through the login form."""
    browser = Browser(app)
    response = browser.post("/login", data={"csrf_token": csrf_token(browser, "/login"), "email": email,
                                            "password": password})
    assert response.status_code in (302, 422), response.status_code
    return browser
