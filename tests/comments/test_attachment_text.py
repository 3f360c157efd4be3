"""The words of comments' files (附件文字): read after the comment is stored by the scheduled job, shown to staff
under each file, found by the office's and the moderators' filters, and written into the digest."""
import io
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.comments.attachment_text import MAX_CHARS, clean, read_new_attachments, read_text
from portal.comments.models import CommentAttachment
from portal.extensions import db
from tests.comments.test_attachments import PNG, _post
from tests.helpers import (docx_linking, docx_of, ofd_of, pdf_of, receipt_from, staff_browser, with_part, xlsx_of,
                           zip_with)

PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OFD_TYPE = "application/ofd"


@pytest.fixture
def open_003(routed_003):
    return routed_003


# -- reading (units) -----------------------------------------------------------------------------------------

def test_each_kind_of_file_gives_its_words():
    assert read_text(PDF_TYPE, pdf_of(["关于社区养老服务的意见", "一、建议增加助餐点（每周7天）。"])) == (
        "关于社区养老服务的意见\n一、建议增加助餐点（每周7天）。")

    from docx import Document

    document = Document()
    document.add_paragraph("关于停车难的意见")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "问题", "建议"
    table.cell(1, 0).text, table.cell(1, 1).text = "车位少", "错峰共享"
    document.add_paragraph("此致")
    out = io.BytesIO()
    document.save(out)
    assert read_text(DOCX_TYPE, out.getvalue()) == "关于停车难的意见\n问题\t建议\n车位少\t错峰共享\n此致"

    workbook = xlsx_of({"意见表": [["序号", "意见", None], [1, "增加助餐点", None]], "空表": []})
    assert read_text(XLSX_TYPE, workbook) == "【意见表】\n序号\t意见\n1\t增加助餐点\n【空表】"
    from tests.office.test_upload_review import tracked_docx  # a letter still in 修订模式: read as accepted

    assert "到2026年底建成养老服务中心。价格公开。" in read_text(DOCX_TYPE, tracked_docx())
    assert read_text("application/ofd", ofd_of([["第一页", "第二行"], ["第二页"]])) == "第一页\n第二行\n\n第二页"
    assert read_text("text/plain", "意见：增加班次。\r\n谢谢".encode("gb18030")) == "意见：增加班次。\n谢谢"


@pytest.mark.parametrize("content_type, data", [
    ("image/png", PNG),  # no OCR
    ("application/msword", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100),  # the old OLE formats
    (PDF_TYPE, b"%PDF-1.4\nnot really a pdf"),
    (PDF_TYPE, pdf_of([])),  # a scan: a page without text
    (DOCX_TYPE, b"PK\x03\x04 broken"),
    (DOCX_TYPE, with_part(docx_of(["x"]), "word/document.xml", b"<not xml")),
    ("application/ofd", b"PK\x03\x04 broken"),
    ("text/plain", b"\xff\xfe\xfa"),
])
def test_a_file_without_readable_words_gives_none(content_type, data):
    assert read_text(content_type, data) is None


def test_a_zip_bomb_is_not_unpacked():
    from portal.core import packages

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        with zipfile.ZipFile(io.BytesIO(docx_of(["x"]))) as source:
            for name in source.namelist():
                archive.writestr(name, source.read(name))
        archive.writestr("word/padding.xml", b"\x00" * (packages.UNPACKED_MAX + 1))
    assert len(out.getvalue()) < 200_000
    assert read_text(DOCX_TYPE, out.getvalue()) is None


MB = 1024 * 1024
CORE = (b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties">%s'
        b"</cp:coreProperties>")
# each read before (its large part outside word/ or xl/, or small enough): now refused before it is parsed
BOMBS = [
    # python-docx loads every part a relationship points to, wherever it sits
    pytest.param(DOCX_TYPE, docx_linking(docx_of(["正文"]), "docProps/huge.bin", b"\x00" * 25 * MB),
                 id="docx-part-outside-word"),
    # openpyxl reads docProps/core.xml whole
    pytest.param(XLSX_TYPE, zip_with(xlsx_of({"S": [["x"]]}), {"docProps/core.xml": CORE % (b"<!--%s-->" % (b" " * 1000)
                                                                                             * 25_000)}),
                 id="xlsx-core-properties"),
    # the old limit (50 MB of word/) let 49 MB of empty paragraphs take gigabytes
    pytest.param(DOCX_TYPE, zip_with(docx_of(["正文"]), {"word/padding.xml": b"<w:p/>" * (4 * MB)}),
                 id="docx-25-MB-of-xml"),
    pytest.param(DOCX_TYPE, zip_with(docx_of(["正文"]), {f"word/media/{n}.bin": b"" for n in range(1001)}),
                 id="docx-1001-members"),
    # an OFD page of 600,000 empty elements (2.4 MB): read as a stream and stopped, not built into a tree
    pytest.param(OFD_TYPE, zip_with(ofd_of([["正文"]]), {"Doc_0/Pages/Page_1/Content.xml":
                                                           b"<r>" + b"<a/>" * 600_000 + b"</r>"}),
                 id="ofd-many-elements"),
    pytest.param(OFD_TYPE, zip_with(ofd_of([["正文"]]), {"Doc_0/Pages/Page_1/Content.xml":
                                                           b"<a>" * 200_000 + b"</a>" * 200_000}),
                 id="ofd-nested-elements"),
]


@pytest.mark.parametrize("content_type, data", BOMBS)
def test_a_zip_bomb_is_refused_before_it_is_parsed(content_type, data):
    assert len(data) < 200_000
    assert read_text(content_type, data) is None


def test_a_zip_bomb_sent_with_a_comment_is_marked_unreadable_by_the_job(app, client, open_003):
    bomb = docx_linking(docx_of(["正文"]), "docProps/huge.bin", b"\x00" * 25 * MB)
    receipt_from(_post(client, open_003, [("意见.docx", bomb), ("信.docx", docx_of(["书面意见。"]))]))
    assert read_new_attachments() == {"read": 1, "unreadable": 1}
    files = db.session.scalars(select(CommentAttachment).order_by(CommentAttachment.position)).all()
    assert [(f.text, f.text_read_at is not None) for f in files] == [(None, True), ("书面意见。", True)]


def test_the_text_is_cleaned_and_cut():
    assert clean("第一行  \r\n\r\n\r\n\x00第二行\x07\u3000\n\n\n") == "第一行\n\n第二行"
    long = clean("字" * (MAX_CHARS + 50))
    assert len(long) == MAX_CHARS + 2 and long.endswith("……")


# -- through the portal ----------------------------------------------------------------------------------------

LETTER = ["关于完善社区助餐服务的书面意见", "建议在每个街道至少设立一处老年食堂，并提供送餐上门。"]


def test_the_job_reads_new_files_once_and_staff_read_and_find_them(app, client, open_003, make_user, login):
    response = _post(client, open_003, [("意见.pdf", pdf_of(LETTER)), ("照片.png", PNG)], body="详见附件。")
    number = receipt_from(response)
    files = db.session.scalars(select(CommentAttachment).order_by(CommentAttachment.position)).all()
    assert [(f.text, f.text_read_at) for f in files] == [(None, None), (None, None)]  # not in the submission

    result = app.test_cli_runner().invoke(args=["comments", "read-attachments"])
    assert result.exit_code == 0, result.output
    assert "读出 1 个附件的文字；1 个附件没有可读的文字。" in result.output
    db.session.expire_all()
    pdf, photo = db.session.scalars(select(CommentAttachment).order_by(CommentAttachment.position)).all()
    assert pdf.text == "\n".join(LETTER) and pdf.text_read_at is not None
    assert photo.text is None and photo.text_read_at is not None  # tried once, not again
    assert read_new_attachments() == {"read": 0, "unreadable": 0}

    # the office reads the letter under the file, and finds the comment by the letter's words
    make_user("office", unit_name="市民政局")
    from portal.units.models import Unit

    open_003.owner_unit_id = db.session.scalar(select(Unit.id).where(Unit.name == "市民政局"))
    db.session.commit()
    login("office@example.gov.cn")
    url = f"/office/consultations/{open_003.id}/responses"
    page = client.get(url).get_data(as_text=True)
    assert "读出的文字（42 字）" in page and "建议在每个街道至少设立一处老年食堂" in page
    found = client.get(f"{url}?q=老年食堂").get_data(as_text=True)
    assert number in found
    assert number not in client.get(f"{url}?q=公交线路").get_data(as_text=True)

    # the moderators too
    make_user("moderator")
    moderator = staff_browser(app, "moderator@example.gov.cn")
    queue = moderator.get("/moderation?q=老年食堂").get_data(as_text=True)
    assert number in queue and "读出的文字" in queue
    assert number not in moderator.get("/moderation?q=公交线路").get_data(as_text=True)

    # and in the digest: a column of its own in Excel, under the opinion in Word
    sheet = load_workbook(io.BytesIO(client.get(f"/office/consultations/{open_003.id}/digest.xlsx").data))
    rows = [row for ws in sheet.worksheets[1:] for row in ws.iter_rows(values_only=True)]
    header = next(row for row in rows if row[0] == "序号")
    ours = next(row for row in rows if number in row)
    assert ours[header.index("附件")] == "意见.pdf、照片.png"
    assert ours[header.index("附件文字（系统读出）")] == "【意见.pdf】\n" + "\n".join(LETTER)
    from docx import Document

    word = Document(io.BytesIO(client.get(f"/office/consultations/{open_003.id}/digest.docx").data))
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    assert any("附件：意见.pdf、照片.png" in c and "附件文字（系统读出）：" in c and LETTER[1] in c for c in cells)


def test_hostile_words_in_a_file_are_shown_inert_and_neutralised_in_the_digest(app, client, open_003, make_user,
                                                                              login):
    hostile = '=HYPERLINK("http://evil.example","点我")\n<script>alert(1)</script><img src=x onerror=alert(2)>'
    number = receipt_from(_post(client, open_003, [("恶意.txt", hostile.encode())], body="见附件"))
    read_new_attachments()
    make_user("admin")
    login("admin@example.gov.cn")
    page = client.get(f"/office/consultations/{open_003.id}/responses").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    csv = client.get(f"/office/consultations/{open_003.id}/digest.csv").get_data(as_text=True)
    assert number in csv and "【恶意.txt】" in csv
    sheet = load_workbook(io.BytesIO(client.get(f"/office/consultations/{open_003.id}/digest.xlsx").data))
    values = [v for ws in sheet.worksheets for row in ws.iter_rows(values_only=True) for v in row if v]
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)


def test_files_of_a_withdrawn_comment_are_gone_before_the_job_reads_them(app, client, open_003):
    number = receipt_from(_post(client, open_003, [("意见.pdf", pdf_of(LETTER))], body="详见附件。"))
    withdrawn = client.post(f"/receipts/{number}/withdraw", data={
        "csrf_token": _token(client, f"/receipts/{number}"), "confirm": "y"})
    assert withdrawn.status_code in (302, 303)
    assert read_new_attachments() == {"read": 0, "unreadable": 0}
    assert db.session.scalars(select(CommentAttachment)).all() == []


def _token(client, url):
    from tests.helpers import csrf_token

    return csrf_token(client, url)


def test_files_are_parsed_with_nothing_held_and_each_kept_as_it_is_read(app, client, open_003, monkeypatch):
    """Parsing a large table takes long: the batch's first write had held SQLite's write lock while the next files
    were parsed (comments sent meanwhile failed: "database is locked"). Now no transaction is open while a file is
    parsed, and each file's text is committed before the next is read."""
    from portal.comments import attachment_text

    for body in ("第一封。", "第二封。", "第三封。"):
        receipt_from(_post(client, open_003, [("意见.pdf", pdf_of(LETTER))], body=body))
    seen = []

    def parse(content_type, data):
        seen.append(db.session().in_transaction())
        with db.engine.connect() as other:  # what the others see meanwhile: every file parsed before is kept
            kept = other.execute(select(CommentAttachment.id).where(CommentAttachment.text.is_not(None))).all()
        seen.append(len(kept))
        return "读出的文字"

    monkeypatch.setattr(attachment_text, "read_text", parse)
    assert read_new_attachments() == {"read": 3, "unreadable": 0}
    assert seen == [False, 0, False, 1, False, 2]


def test_a_file_that_kills_the_job_is_not_tried_again(app, client, open_003, monkeypatch):
    """A file whose parsing kills the worker (out of memory, a library's crash) had stayed unread, parsed again by
    the next run every minute, for ever, and the files after it never read: it is marked read before it is
    parsed, and the next run reads the others."""
    from portal.comments import attachment_text

    receipt_from(_post(client, open_003, [("炸弹.docx", docx_of(["x"])), ("信.pdf", pdf_of(LETTER))]))
    tried = []

    def crash(content_type, data):
        tried.append(content_type)
        raise SystemExit("killed")  # what a killed process leaves: no handler runs

    monkeypatch.setattr(attachment_text, "read_text", crash)
    with pytest.raises(SystemExit):
        read_new_attachments()
    db.session.rollback()
    monkeypatch.undo()
    assert read_new_attachments() == {"read": 1, "unreadable": 0}
    assert tried == [DOCX_TYPE]
    files = db.session.scalars(select(CommentAttachment).order_by(CommentAttachment.position)).all()
    assert [(f.filename, f.text, f.text_read_at is not None) for f in files] == [
        ("炸弹.docx", None, True), ("信.pdf", "\n".join(LETTER), True)]
