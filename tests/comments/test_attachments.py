"""Files sent with a comment: checked by their content, stored with the comment or not at all, never public,
downloaded by staff only, mailed with the comment to the contact and the responsible units."""
import io
from email import policy
from email.parser import BytesParser

import pytest
from sqlalchemy import func, select

from portal.comments.attachments import clean_filename, kind_of
from portal.comments.models import Comment, CommentAttachment
from portal.extensions import db
from portal.mail.worker import deliver_due
from tests.helpers import csrf_token, docx_of, receipt_from, staff_browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


@pytest.fixture
def open_003(routed_003):
    return routed_003


def _section(consultation):
    return next(s for s in consultation.current_draft.sections if "市民政局" in s.unit_names)


def _post(client, consultation, files, body="建议增加社区助餐点。", section=None, **fields):
    section = section or _section(consultation)
    page = f"/consultations/{consultation.id}/sections/{section.anchor}"
    data = {"csrf_token": csrf_token(client, page), "stance": "suggest", "body": body,
            "section_id": str(section.id), "parent_id": "", **fields,
            "attachments": [(io.BytesIO(content), name) for name, content in files]}
    return client.post(f"/consultations/{consultation.id}/comments", data=data, content_type="multipart/form-data")


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_comment_with_files_is_stored_with_them_and_its_receipt_lists_them(app, client, open_003):
    letter = docx_of(["关于社区养老服务的书面意见", "一、建议增加助餐点。"])
    response = _post(client, open_003, [("协会意见.docx", letter), ("现场照片.png", PNG)])
    number = receipt_from(response)

    comment = db.session.scalar(select(Comment).where(Comment.receipt_number == number))
    files = db.session.scalars(select(CommentAttachment).where(CommentAttachment.comment_id == comment.id)
                               .order_by(CommentAttachment.position)).all()
    assert [(f.filename, f.content_type, f.size) for f in files] == [
        ("协会意见.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", len(letter)),
        ("现场照片.png", "image/png", len(PNG)),
    ]
    assert files[0].data == letter

    receipt = client.get(f"/receipts/{number}").get_data(as_text=True)
    assert "协会意见.docx" in receipt and "现场照片.png" in receipt and "附件不公开" in receipt


@pytest.mark.parametrize("name, content, says", [
    ("意见.pdf", b"MZ\x90\x00 this is a program", "不是可以接收的文件"),  # a program named .pdf
    ("意见.exe", b"MZ\x90\x00", "不是可以接收的文件"),
    ("page.html", b"<script>alert(1)</script>", "不是可以接收的文件"),
    ("意见.docx", b"PK\x03\x04 not really a zip", "不是可以接收的文件"),
    ("空白.txt", b"", "是空文件"),
])
def test_a_file_that_is_not_what_it_says_is_refused_and_nothing_is_stored(app, client, open_003, name, content,
                                                                           says):
    response = _post(client, open_003, [("正常.pdf", PDF), (name, content)], body="这条意见不应保存。")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert says in page and "请重新选择附件" in page
    assert "这条意见不应保存。" in page  # what the citizen wrote is kept in the form
    assert _count(Comment) == 0 and _count(CommentAttachment) == 0


def test_a_file_refused_on_an_english_page_is_named_marked_as_chinese_and_escaped(app, client, open_003):
    """The refusal is shown as the office's are (shown_now): a Chinese name marked lang="zh-CN" (it had been left
    unmarked), any name still escaped."""
    client.get("/settings/language/en")
    page = _post(client, open_003, [("意见.exe", b"MZ\x90\x00")], body="Not to be kept.").get_data(as_text=True)
    assert 'The attachment “<span lang="zh-CN">意见.exe</span>” is not a file we can accept.' in page
    page = _post(client, open_003, [("A&B.exe", b"MZ\x90\x00")], body="Not to be kept.").get_data(as_text=True)
    assert "The attachment “A&amp;B.exe” is not a file we can accept." in page
    assert _count(Comment) == 0 and _count(CommentAttachment) == 0


def test_too_many_or_too_large_files_are_refused_with_the_limit(app, client, open_003):
    app.config.update(COMMENT_ATTACHMENT_MAX_BYTES=1024)
    too_large = _post(client, open_003, [("大文件.pdf", PDF + b"0" * 2000)])
    assert too_large.status_code == 422 and "“大文件.pdf”超过了" in too_large.get_data(as_text=True)
    too_many = _post(client, open_003, [(f"第{i}页.pdf", PDF) for i in range(4)])
    assert too_many.status_code == 422 and "最多可以上传 3 个附件，您选择了 4 个" in too_many.get_data(as_text=True)
    assert _count(Comment) == 0 and _count(CommentAttachment) == 0


def test_files_chosen_with_a_mistake_elsewhere_are_asked_for_again_by_name(app, client, open_003):
    """A browser never fills a file field again: a form refused for its text must say the files were not kept
    (they were dropped without a word, and the comment could go without its letter)."""
    response = _post(client, open_003, [("书面意见.pdf", PDF), ("照片.png", PNG)], body="")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "请填写您的意见" in page
    assert "您选的附件（书面意见.pdf、照片.png）还没有保存" in page
    assert _count(Comment) == 0 and _count(CommentAttachment) == 0


def test_an_empty_file_field_is_a_comment_without_files(app, client, open_003):
    section = _section(open_003)
    page = f"/consultations/{open_003.id}/sections/{section.anchor}"
    data = {"csrf_token": csrf_token(client, page), "stance": "support", "body": "赞成。", "section_id": str(section.id),
            "parent_id": "", "attachments": (io.BytesIO(b""), "")}  # what a browser sends when no file was chosen
    receipt_from(client.post(f"/consultations/{open_003.id}/comments", data=data, content_type="multipart/form-data"))
    assert _count(Comment) == 1 and _count(CommentAttachment) == 0


def test_files_are_never_public_and_only_staff_download_them(app, client, open_003, make_user):
    from portal.consultations.models import Consultation
    from portal.units.models import Unit

    number = receipt_from(_post(client, open_003, [("书面意见.pdf", PDF)], body="请看附件。"))
    comment = db.session.scalar(select(Comment).where(Comment.receipt_number == number))
    comment.status = "approved"
    db.session.commit()
    file_id = db.session.scalar(select(CommentAttachment.id))
    url = f"/office/consultations/{open_003.id}/attachments/{file_id}"
    for_moderators = f"/moderation/attachments/{file_id}"
    section = _section(open_003)
    public = client.get(f"/consultations/{open_003.id}/sections/{section.anchor}").get_data(as_text=True)
    assert "请看附件。" in public and url not in public and "书面意见.pdf" not in public
    assert "另附 1 个附件，不公开，已转给起草单位。" in public  # said, not shown
    assert client.get(url).status_code == 302 and client.get(for_moderators).status_code == 302  # to the login page

    make_user("office", "other@example.gov.cn", unit_name="其他局")
    owner = make_user("office", "mzj-staff@example.gov.cn", unit_name="市民政局")
    make_user("moderator", "moderator@example.gov.cn")
    consultation = db.session.get(Consultation, open_003.id)
    consultation.owner_unit_id = db.session.scalar(select(Unit.id).where(Unit.name == "市民政局"))
    db.session.commit()
    other = staff_browser(app, "other@example.gov.cn")
    assert other.get(url).status_code == 404  # another office's consultation
    assert other.get(for_moderators).status_code == 403
    moderator = staff_browser(app, "moderator@example.gov.cn")
    assert moderator.get(for_moderators).data == PDF and moderator.get(url).status_code == 403
    owner_browser = staff_browser(app, owner.email)
    assert owner_browser.get(f"/office/consultations/{open_003.id + 1}/attachments/{file_id}").status_code == 404
    download = owner_browser.get(url)
    assert download.status_code == 200 and download.data == PDF
    assert download.mimetype == "application/pdf"
    # named as sent (书面意见.pdf), and in ASCII for the programs that read only that name (not ".pdf")
    assert download.headers["Content-Disposition"] == (
        f"attachment; filename=attachment-{file_id}.pdf; filename*=UTF-8''%E4%B9%A6%E9%9D%A2%E6%84%8F%E8%A7%81.pdf")
    assert "no-store" in download.headers["Cache-Control"]
    assert "sandbox" in download.headers["Content-Security-Policy"]


def test_the_contact_and_the_responsible_unit_receive_the_files_with_the_comment(app, client, open_003, smtp_server):
    letter = docx_of(["书面意见全文"])
    number = receipt_from(_post(client, open_003, [("协会意见.docx", letter), ("现场照片.png", PNG)]))
    report = deliver_due()
    assert report.routed == 1
    for address in ("2019787574@qq.com", "mzj@example.gov.cn"):
        (message,) = [m for m in smtp_server.to(address) if number in m["Subject"]]
        parts = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
        assert parts == {"协会意见.docx": letter, "现场照片.png": PNG}
        text = message.get_body(("plain",)).get_content()
        assert "协会意见.docx" in text and "附件随本邮件发送" in text
    receipt = [m for m in smtp_server.received if "2019787574@qq.com" not in m[0] and "mzj@example.gov.cn" not in m[0]]
    for _recipients, message in receipt:  # nobody else (the commenter gave no address here) gets the files
        assert not list(message.iter_attachments())


def test_files_too_large_for_mail_are_linked_instead(app, client, open_003, smtp_server):
    app.config.update(MAIL_ATTACHMENTS_MAX_BYTES=100)
    number = receipt_from(_post(client, open_003, [("书面意见.pdf", PDF + b"0" * 200)]))
    deliver_due()
    (message,) = [m for m in smtp_server.to("mzj@example.gov.cn") if number in m["Subject"]]
    assert not list(message.iter_attachments())
    file_id = db.session.scalar(select(CommentAttachment.id))
    text = message.get_body(("plain",)).get_content()
    assert f"https://portal.example.gov.cn/office/consultations/{open_003.id}/attachments/{file_id}" in text
    assert "没有随本邮件发送" in text
    raw = BytesParser(policy=policy.default).parsebytes(smtp_server.raw[0])
    assert raw["Subject"]


def test_a_reply_cannot_carry_files(app, client, open_003):
    from portal.comments.services import approve_comment

    parent = db.session.get(Comment, db.session.scalar(select(Comment.id).where(
        Comment.receipt_number == receipt_from(_post(client, open_003, [], body="第一条。")))))
    approve_comment(parent)
    db.session.commit()
    page = f"/consultations/{open_003.id}/comments/{parent.id}/reply"
    data = {"csrf_token": csrf_token(client, page), "stance": "suggest", "body": "回复。", "section_id": "",
            "parent_id": str(parent.id), "attachments": [(io.BytesIO(PDF), "a.pdf")]}
    response = client.post(f"/consultations/{open_003.id}/comments", data=data, content_type="multipart/form-data")
    assert response.status_code == 422 and "回复不能附带附件" in response.get_data(as_text=True)
    assert _count(Comment) == 1


@pytest.mark.parametrize("name, content, kind", [
    ("a.pdf", PDF, "application/pdf"),
    ("a.PDF", PDF, "application/pdf"),
    ("a.png", PNG, "image/png"),
    ("a.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
    ("a.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "application/msword"),
    ("a.txt", "意见全文".encode("gb18030"), "text/plain"),
    ("a.txt", "意见全文".encode("utf-8"), "text/plain"),
    ("a.txt", b"\x00\x01binary", None),
    ("a.png", PDF, None),
    ("a", PDF, None),
    ("a.svg", b"<svg/>", None),
])
def test_kind_of_reads_the_content(name, content, kind):
    assert kind_of(name, content) == kind


def test_kind_of_needs_the_parts_of_an_office_file():
    assert kind_of("a.docx", docx_of(["x"])).endswith("wordprocessingml.document")
    assert kind_of("a.xlsx", docx_of(["x"])) is None  # a Word file named .xlsx


@pytest.mark.parametrize("name, cleaned", [
    ("C:\\Users\\张三\\Desktop\\意见.pdf", "意见.pdf"),
    ("../../etc/passwd", "passwd"),
    ("a\x00b\u202e.pdf", "ab.pdf"),
    ("意见\r\nX-Header: y.pdf", "意见X-Header_ y.pdf"),
    ('x<>:"|?*.pdf', "x_______.pdf"),
    ("...", "attachment"),
    ("很" * 200 + ".docx", "很" * 115 + ".docx"),  # 120 characters in all
])
def test_clean_filename(name, cleaned):
    assert clean_filename(name) == cleaned


def test_the_office_downloads_the_files_in_one_zip_and_the_digest_names_them(app, client, open_003, make_user):
    import csv
    import zipfile

    from portal.audit.models import AuditEntry
    from portal.consultations.models import Consultation
    from portal.units.models import Unit

    letter = docx_of(["书面意见"])
    first = receipt_from(_post(client, open_003, [("意见.docx", letter), ("照片.png", PNG)]))
    # two files of one name (from two folders of the sender's computer)
    second = receipt_from(_post(client, open_003, [("照片.png", PNG), ("照片.png", PNG)], body="另一条。"))
    spam = receipt_from(_post(client, open_003, [("广告.pdf", PDF)], body="广告。"))
    db.session.scalar(select(Comment).where(Comment.receipt_number == spam)).status = "spam"
    owner = make_user("office", "mzj-staff@example.gov.cn", unit_name="市民政局")
    db.session.get(Consultation, open_003.id).owner_unit_id = db.session.scalar(
        select(Unit.id).where(Unit.name == "市民政局"))
    db.session.commit()
    office = staff_browser(app, owner.email)

    page = office.get(f"/office/consultations/{open_003.id}/responses").get_data(as_text=True)
    assert "全部意见附件（4 个文件" in page  # the spam's file left out
    assert office.get(f"/office/consultations/{open_003.id}/attachments.zip").status_code == 405
    download = office.post(f"/office/consultations/{open_003.id}/attachments.zip", data={
        "csrf_token": csrf_token(office, f"/office/consultations/{open_003.id}/responses")})
    assert download.status_code == 200 and download.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    assert contents == {f"{first}/意见.docx": letter, f"{first}/照片.png": PNG,
                        f"{second}/照片.png": PNG, f"{second}/照片 (2).png": PNG}
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export_attachments")).one()
    assert entry.actor_id == owner.id and entry.after == {"files": 4}

    text = office.get(f"/office/consultations/{open_003.id}/digest.csv").get_data().decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    files_of = {row[header.index("回执号")]: row[header.index("附件")] for row in rows}
    assert files_of == {first: "意见.docx、照片.png", second: "照片.png、照片.png"}


def test_a_hostile_file_name_is_cleaned_shown_inert_and_neutralised_in_the_digest(app, client, open_003, make_user):
    import csv

    from portal.consultations.models import Consultation
    from portal.units.models import Unit

    # (line breaks and quotes in a name: test_clean_filename; a browser sends them %-encoded)
    number = receipt_from(_post(client, open_003, [("=HYPERLINK(1)<img src=x onerror=alert(1)>.pdf", PDF)]))
    (stored,) = db.session.scalars(select(CommentAttachment.filename)).all()
    assert stored == "=HYPERLINK(1)_img src=x onerror=alert(1)_.pdf"  # no markup
    receipt = client.get(f"/receipts/{number}").get_data(as_text=True)
    assert "<img" not in receipt.split("<main")[1] and stored in receipt

    owner = make_user("office", "mzj-staff@example.gov.cn", unit_name="市民政局")
    db.session.get(Consultation, open_003.id).owner_unit_id = db.session.scalar(
        select(Unit.id).where(Unit.name == "市民政局"))
    db.session.commit()
    office = staff_browser(app, owner.email)
    text = office.get(f"/office/consultations/{open_003.id}/digest.csv").get_data().decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(text)))
    assert row[header.index("附件")] == "'" + stored  # shown as text by a spreadsheet, never run as a formula
    download = office.get(f"/office/consultations/{open_003.id}/attachments/"
                          f"{db.session.scalar(select(CommentAttachment.id))}")
    assert "\n" not in download.headers["Content-Disposition"] and download.data == PDF
