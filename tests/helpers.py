"""Helpers shared by the HTTP tests: act as a citizen would, through pages and forms."""
import os
import re
from contextlib import contextmanager
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
    match = re.search(r"/receipts/([0-9]{8}-[A-Z0-9]{6})(#receipt)?$", response.headers["Location"])
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


def pdf_of(lines: list[str]) -> bytes:
    """A real PDF whose text (Chinese too) a reader extracts: one page, a Type0 font with Identity-H encoding and a
    ToUnicode map from each glyph id to its character, as PDF writers make them; the font is not embedded."""
    chars = sorted({ch for line in lines for ch in line})
    gid = {ch: index + 1 for index, ch in enumerate(chars)}

    def hex_of(text: str) -> str:
        return "".join(f"{gid[ch]:04X}" for ch in text)

    content = "BT /F1 12 Tf 72 770 Td " + " 0 -20 Td ".join(f"<{hex_of(line)}> Tj" for line in lines) + " ET"
    entries = [f"<{gid[ch]:04X}> <{ch.encode('utf-16-be').hex().upper()}>" for ch in chars]
    blocks = "".join(f"{len(entries[i:i + 100])} beginbfchar\n" + "\n".join(entries[i:i + 100]) + "\nendbfchar\n"
                     for i in range(0, len(entries), 100))
    cmap = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
            "1 begincodespacerange <0000> <FFFF> endcodespacerange\n" + blocks +
            "endcmap CMapName currentdict /CIDInit /ProcSet findresource pop end end")

    def stream(text: str) -> str:
        return f"<< /Length {len(text.encode('latin-1'))} >>\nstream\n{text}\nendstream"

    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        "/Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H /DescendantFonts [6 0 R] "
        "/ToUnicode 7 0 R >>",
        stream(content),
        "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>",
        stream(cmap),
    ]
    out = "%PDF-1.7\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out.encode("latin-1")))
        out += f"{number} 0 obj\n{body}\nendobj\n"
    xref = len(out.encode("latin-1"))
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n" + "".join(f"{o:010d} 00000 n \n" for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return out.encode("latin-1")


def xlsx_of(sheets: dict[str, list[list]]) -> bytes:
    """A real .xlsx (openpyxl) with these sheets and rows."""
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def ofd_of(pages: list[list[str]]) -> bytes:
    """An OFD (GB/T 33190) package: each page's lines as TextObjects of its Content.xml."""
    import io
    import zipfile
    from xml.sax.saxutils import escape

    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("OFD.xml", f'<ofd:OFD {ns} Version="1.1"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml'
                                    '</ofd:DocRoot></ofd:DocBody></ofd:OFD>')
        archive.writestr("Doc_0/Document.xml", f"<ofd:Document {ns}><ofd:Pages>" + "".join(
            f'<ofd:Page ID="{n + 1}" BaseLoc="Pages/Page_{n}/Content.xml"/>' for n in range(len(pages)))
            + "</ofd:Pages></ofd:Document>")
        for n, lines in enumerate(pages):
            objects = "".join(f'<ofd:TextObject ID="{n}{i}"><ofd:TextCode X="0" Y="{i * 5}">{escape(line)}'
                              "</ofd:TextCode></ofd:TextObject>" for i, line in enumerate(lines))
            archive.writestr(f"Doc_0/Pages/Page_{n}/Content.xml",
                             f"<ofd:Page {ns}><ofd:Content><ofd:Layer>{objects}</ofd:Layer></ofd:Content></ofd:Page>")
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


@contextmanager
def statements():
    """The SQL statements sent while the block runs (any engine), as a list the block can read after."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", count)


def zip_with(data: bytes, parts: dict[str, bytes]) -> bytes:
    """The zip ``data`` (a .docx, say) with ``parts`` added or replaced, compressed: a large run of one byte (a ZIP
    bomb's part) makes a small file."""
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as source:
        kept = {name: source.read(name) for name in source.namelist()}
    kept.update(parts)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, value in kept.items():
            archive.writestr(name, value)
    return out.getvalue()


def docx_linking(data: bytes, part: str, content: bytes) -> bytes:
    """The .docx ``data`` with ``part`` added where nothing but a relationship of the package (_rels/.rels) points:
    python-docx loads it all the same."""
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as source:
        rels = source.read("_rels/.rels").decode()
        types = source.read("[Content_Types].xml").decode()
    link = f'<Relationship Id="rIdHostile" Type="http://example.com/x" Target="{part}"/>'
    kind = f'<Override PartName="/{part}" ContentType="application/octet-stream"/>'
    return zip_with(data, {"_rels/.rels": rels.replace("</Relationships>", link + "</Relationships>").encode(),
                           "[Content_Types].xml": types.replace("</Types>", kind + "</Types>").encode(),
                           part: content})


class SilentServer:
    """A listener on 127.0.0.1 that the system lets connect and nothing ever answers (a hung Redis, database or IMAP
    host), which counts the connections made to it: ``connections()`` takes them from the listener's queue (each held
    open, unanswered, until ``close()``), so no thread, and the count is complete once the client's connect returned.
    Use it as a context manager, or ``close()`` it."""

    def __init__(self):
        import socket

        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(50)
        self.listener.setblocking(False)
        self.port = self.listener.getsockname()[1]
        self.held = []

    def connections(self) -> int:
        while True:
            try:
                self.held.append(self.listener.accept()[0])
            except BlockingIOError:
                return len(self.held)

    def close(self) -> None:
        for connection in self.held:
            connection.close()
        self.listener.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
