"""The office imports the opinions its mailbox received (.eml, .mbox, .zip): each message becomes an opinion received by
e-mail, once, with its sender, the time it came, its text and its files; what is not recorded is named with the reason."""
import io
import re
import zipfile
from email.message import EmailMessage

from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.comments.models import Comment, CommentAttachment, EmailedMessage
from portal.consultations.services import close_due_consultations
from portal.extensions import db
from portal.mail.models import OutboxMessage
from tests.helpers import route_new_comments, shanghai

DOCX_LIKE = b"%PDF-1.7\n% the letter\n%%EOF\n"


def url(consultation) -> str:
    return f"/office/consultations/{consultation.id}/comments/emails"


def mail(subject: str, body: str, *, sender="张大爷 <zhang@example.cn>", date="Tue, 2 May 2023 10:15:00 +0800",
         message_id: str | None = None, files=(), headers=()) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "contact@example.gov.cn"
    message["Subject"] = subject
    if date:
        message["Date"] = date
    if message_id:
        message["Message-ID"] = message_id
    for name, value in headers:
        message[name] = value
    message.set_content(body)
    for name, data in files:
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return message.as_bytes()


def upload(client, submit, consultation, *files):
    """POST the files (name, bytes) to the import page, as a browser sends several chosen files."""
    from tests.helpers import csrf_token

    data = {"csrf_token": csrf_token(client, url(consultation)),
            "files": [(io.BytesIO(content), name) for name, content in files]}
    return client.post(url(consultation), data=data, content_type="multipart/form-data")


def rows(page: str) -> list[str]:
    table = page.split("<caption>", 1)[1].split("</table>", 1)[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("</thead>", 1)[1], re.S)]


def emailed() -> list[Comment]:
    return list(db.session.scalars(select(Comment).where(Comment.channel == "email").order_by(Comment.id)))


def test_messages_become_opinions_received_by_email_once_each(client, clock, consultation, office, submit):
    clock.set(shanghai(2023, 5, 15, 9, 0))  # after the deadline (2023-05-12 23:59:59): typed in afterwards
    (finalised,) = close_due_consultations(notify=False)
    db.session.commit()
    assert "未收到" in finalised.closing_summary
    section = next(s for s in consultation.current_draft.sections if s.heading == "居家养老服务提升行动")
    about_section = mail("关于居家养老服务提升行动的建议", "建议增加上门助浴服务。\n\n谢谢！", message_id="<1@example.cn>",
                         files=[("建议书.pdf", DOCX_LIKE), ("照片.exe", b"MZ\x90\x00")])
    whole = mail("意见", "总体赞成。", sender="li@example.cn", message_id="<2@example.cn>",
                 date="Fri, 12 May 2023 15:59:00 +0000")  # 23:59 in Beijing on the last day: in time
    late = mail("迟到的意见", "还有一点。", message_id="<3@example.cn>", date="Sat, 13 May 2023 00:01:00 +0800")
    away = mail("自动回复: 征求意见", "我正在休假。", message_id="<4@example.cn>",
                headers=[("Auto-Submitted", "auto-replied")])
    response = upload(client, submit, consultation, ("1.eml", about_section), ("2.eml", whole), ("3.eml", late),
                      ("4.eml", away), ("说明.docx", b"PK\x03\x04junk"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[:3000]
    assert "已录入 2 封邮件中的意见。" in page
    assert "1 封是自动回复或退信" in page and "2 封没有录入" in page

    first, second = emailed()
    assert (first.author_name, first.author_contact, first.section_id, first.stance, first.status) == (
        "张大爷", "zhang@example.cn", section.id, "suggest", "pending")
    assert first.created_at == shanghai(2023, 5, 2, 10, 15)  # when it came, to the minute
    assert first.body.startswith("建议增加上门助浴服务。\n\n谢谢！")
    assert "〔邮件另有附件没有保存，请查阅原邮件：“照片.exe”：不是可以保存的文件类型。〕" in first.body
    assert [(f.filename, f.content_type) for f in db.session.scalars(select(CommentAttachment))] == [
        ("建议书.pdf", "application/pdf")]
    assert (second.author_name, second.author_contact, second.section_id) == (None, "li@example.cn", None)
    assert second.created_at == shanghai(2023, 5, 12, 23, 59)

    table = rows(page)
    assert table[0].startswith(f"已录入 {first.receipt_number}") and "邮件中提到“居家养老服务提升行动”" in table[0]
    assert "草案整体" in table[1]
    assert "没有录入" in table[2] and "收到的时间晚于截止时间" in table[2] and "迟到的意见" in table[2]
    assert "自动回复，未录入" in table[3]
    assert "说明.docx" in table[4] and "“说明.docx”不是电子邮件文件" in table[4]
    assert f'/office/consultations/{consultation.id}/responses/{first.id}"' in page
    db.session.refresh(consultation)
    assert "反馈意见2条" in consultation.closing_summary  # the stored summary counts them

    # the senders who left an address get the receipt request; the contact gets the opinions
    assert route_new_comments() == 2
    kinds = sorted(db.session.execute(select(OutboxMessage.recipient, OutboxMessage.kind)).all())
    assert ("zhang@example.cn", "confirm") in kinds and ("li@example.cn", "confirm") in kinds

    again = upload(client, submit, consultation, ("all.zip", _zip(about_section, whole, late)))
    assert again.status_code == 200
    text = again.get_data(as_text=True)
    assert "已录入 0 封邮件中的意见。" in text and "2 封以前已经录入，没有重复录入。" in text
    assert rows(text)[0].startswith(f"以前已录入 {first.receipt_number}")
    assert len(emailed()) == 2 and db.session.scalar(select(func.count()).select_from(EmailedMessage)) == 2

    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "import_emails")
                                 .order_by(AuditEntry.id)).all()
    assert [e.after for e in entries] == [
        {"recorded": 2, "duplicate": 0, "automatic": 1, "refused": 1, "unreadable": 1},
        {"recorded": 0, "duplicate": 2, "automatic": 0, "refused": 1, "unreadable": 0}]
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "record_comment")) == 2


def _zip(*messages: bytes) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        for number, message in enumerate(messages):
            z.writestr(f"收件箱/{number}.eml", message)
    return archive.getvalue()


def test_a_long_message_is_kept_whole_in_a_file_and_a_message_with_only_files_says_so(client, clock, consultation,
                                                                                         office, submit):
    clock.set(shanghai(2023, 5, 2, 12, 0))
    long_text = "\n".join(f"第{n}点意见：" + "内容" * 60 for n in range(1, 60))  # ~7,300 characters
    response = upload(client, submit, consultation,
                      ("long.eml", mail("长信", long_text, message_id="<long@x>")),
                      ("files.eml", mail("附件", "", message_id="<files@x>", files=[("意见.pdf", DOCX_LIKE)])),
                      ("empty.eml", mail("空", "", message_id="<empty@x>")))
    assert response.status_code == 200
    long, only_files = emailed()
    assert len(long.body) <= 5000 and long.body.endswith("〔邮件正文较长，全文见附件“邮件正文.txt”。〕")
    kept = db.session.scalars(select(CommentAttachment).where(CommentAttachment.comment_id == long.id)).one()
    assert kept.filename == "邮件正文.txt" and db.session.get(CommentAttachment, kept.id).data.decode() == long_text
    assert only_files.body == "（意见见附件：“意见.pdf”）"
    assert "邮件没有正文，也没有附件。" in rows(response.get_data(as_text=True))[2]


def test_nothing_is_imported_before_publishing_and_an_empty_form_is_refused(client, office, small_consultation,
                                                                          consultation, submit):
    refused = upload(client, submit, small_consultation(office.unit), ("1.eml", mail("意见", "意见。")))
    assert refused.status_code == 422 and "这项征求意见还没有发布" in refused.get_data(as_text=True)
    empty = submit(url(consultation))
    assert empty.status_code == 422 and "请选择要上传的邮件文件。" in empty.get_data(as_text=True)
    assert emailed() == []


def test_the_record_page_links_to_the_import_and_another_office_may_not_use_it(client, consultation, office,
                                                                              make_staff, login):
    page = client.get(f"/office/consultations/{consultation.id}/comments/new").get_data(as_text=True)
    assert f'href="{url(consultation)}"' in page
    assert client.get(url(consultation)).status_code == 200
    make_staff("office", "other@example.gov.cn", "市卫健委")
    login("other@example.gov.cn")
    assert client.get(url(consultation)).status_code in (403, 404)


def test_a_maildir_is_read_from_cron_each_message_recorded_once(app, clock, consultation, tmp_path):
    import mailbox

    clock.set(shanghai(2023, 5, 3, 9, 0))
    maildir = mailbox.Maildir(str(tmp_path / "Maildir"))
    maildir.add(mail("关于第12条", "同意。", message_id="<a@x>"))
    maildir.add(mail("退信", "Undelivered", sender="MAILER-DAEMON@example.gov.cn", message_id="<b@x>"))
    maildir.add(mail("无日期", "没有日期的邮件。", date=None, message_id="<c@x>"))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["comments", "import-mail", str(consultation.id), str(tmp_path / "Maildir")])
    assert first.exit_code == 0, first.output
    assert "录入 1 封，以前已录入 0 封，自动回复或退信 1 封，没有录入 1 封。" in first.stdout
    assert "没有录入：无日期（张大爷）：邮件上没有日期" in first.stderr
    (recorded,) = emailed()
    assert (recorded.body, recorded.author_contact, recorded.section_id) == ("同意。", "zhang@example.cn", None)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "record_comment")).one()
    assert entry.actor_label == "cli"

    maildir.add(mail("又一封", "再补充一点。", message_id="<d@x>", date="Wed, 3 May 2023 08:30:00 +0800"))
    second = runner.invoke(args=["comments", "import-mail", str(consultation.id), str(tmp_path / "Maildir")])
    assert "录入 1 封，以前已录入 1 封" in second.stdout
    assert [c.body for c in emailed()] == ["同意。", "再补充一点。"]
    missing = runner.invoke(args=["comments", "import-mail", "999", str(tmp_path / "Maildir")])
    assert missing.exit_code == 1 and "没有编号为 999 的征求意见" in missing.output


def test_a_filled_feedback_form_sent_by_mail_gives_one_opinion_a_row(client, clock, consultation, office, submit):
    from openpyxl import load_workbook

    from tests.office.test_import_comments import blank_form, xlsx

    workbook = load_workbook(io.BytesIO(blank_form(client, consultation).data))
    sheet, names = workbook["意见反馈表"], [row[0].value for row in workbook["章节"].iter_rows()]
    sheet.append([names[2], None, "反对", "建议删去这一条。", None, "与上位法不一致。", "某某律师事务所", None])
    sheet.append([None, None, "赞成", "整体赞成。", None, None, None, "other@example.cn"])
    form = xlsx(workbook)
    clock.set(shanghai(2023, 5, 4, 9, 0))
    response = upload(client, submit, consultation, ("form.eml", mail(
        "意见反馈表", "您好，意见见附件中的反馈表，请查收。", sender="王律师 <wang@example.cn>", message_id="<form@x>",
        files=[("意见反馈表.xlsx", form)])))
    assert response.status_code == 200
    sections = consultation.current_draft.sections
    first, second = emailed()
    assert [(c.section_id, c.stance, c.body, c.author_name, c.author_contact) for c in (first, second)] == [
        (sections[1].id, "oppose", "建议删去这一条。\n理由：与上位法不一致。", "王律师", "wang@example.cn"),
        (None, "support", "整体赞成。", "王律师", "other@example.cn")]  # a row's own author and contact win
    # the row naming a law firm is its opinion (以单位名义), sent by 王律师
    assert (first.organisation, first.organisation_kind) == ("某某律师事务所", "enterprise")
    assert {c.created_at for c in (first, second)} == {shanghai(2023, 5, 2, 10, 15)}
    (kept,) = db.session.scalars(select(CommentAttachment)).all()
    assert (kept.comment_id, kept.filename) == (first.id, "意见反馈表.xlsx")  # the form itself, with the first
    (row,) = rows(response.get_data(as_text=True))
    assert "附件中的意见反馈表：2 条意见" in row and f"其余回执号：{second.receipt_number}" in row
    assert "邮件正文没有单独录入：“您好，意见见附件中的反馈表，请查收。”" in row

    # a form with a wrong row: the message is one opinion carrying the form, and the office is told why
    sheet.append(["第九十九章", None, "建议", "找不到的章节。", None, None, None])
    response = upload(client, submit, consultation, ("bad.eml", mail(
        "反馈表", "", message_id="<bad@x>", files=[("反馈表.xlsx", xlsx(workbook))])))
    (row,) = rows(response.get_data(as_text=True))
    assert "附件中的意见反馈表有问题，整封邮件作为一条意见录入" in row and "草案中找不到章节“第九十九章”" in row
    assert emailed()[-1].body == "（意见见附件：“反馈表.xlsx”）"


def test_a_feedback_form_that_is_a_zip_bomb_is_not_unpacked_but_kept_as_a_file(client, clock, consultation, office,
                                                                                submit):
    """A filled form whose package holds 25 MB more (docProps/core.xml, which openpyxl reads whole, outside xl/):
    refused before it is unpacked, so the message is one opinion carrying the file, as for any file not a form."""
    from openpyxl import load_workbook

    from tests.helpers import zip_with
    from tests.office.test_import_comments import blank_form, xlsx

    workbook = load_workbook(io.BytesIO(blank_form(client, consultation).data))
    sheet = workbook["意见反馈表"]
    sheet.append([None, None, "赞成", "整体赞成。"])
    sheet.append([None, None, "反对", "不赞成第三条。"])
    core = (b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties">'
            + b"<!--%s-->" % (b" " * 1000) * 25_000 + b"</cp:coreProperties>")
    bomb = zip_with(xlsx(workbook), {"docProps/core.xml": core})
    assert len(bomb) < 200_000
    clock.set(shanghai(2023, 5, 4, 9, 0))
    response = upload(client, submit, consultation, ("bomb.eml", mail(
        "意见反馈表", "意见见附件。", message_id="<bomb@x>", files=[("意见反馈表.xlsx", bomb)])))
    assert response.status_code == 200
    (recorded,) = emailed()
    assert recorded.body.startswith("意见见附件。")
    (kept,) = db.session.scalars(select(CommentAttachment)).all()
    assert (kept.comment_id, kept.filename) == (recorded.id, "意见反馈表.xlsx")


def test_a_feedback_form_of_thousands_of_rows_is_not_thousands_of_opinions(client, clock, consultation, office,
                                                                            submit):
    """One e-mailed sheet of 3,000 rows had become 3,000 opinions: past the form's rows (and a margin) the form is
    not read; the message is one opinion carrying it, and the office is told why."""
    from portal.comments.feedback_form import MAX_ROWS
    from tests.helpers import xlsx_of

    form = xlsx_of({"意见反馈表": [["意见内容", "提出人"]] + [[f"第{n}条意见。", f"某人{n}"] for n in range(3000)]})
    clock.set(shanghai(2023, 5, 4, 9, 0))
    response = upload(client, submit, consultation, ("many.eml", mail(
        "意见反馈表", "", message_id="<many@x>", files=[("意见反馈表.xlsx", form)])))
    assert response.status_code == 200
    (recorded,) = emailed()
    assert recorded.body == "（意见见附件：“意见反馈表.xlsx”）"
    (row,) = rows(response.get_data(as_text=True))
    assert "附件中的意见反馈表有问题，整封邮件作为一条意见录入" in row and f"表格超过 {MAX_ROWS} 行，请分开上传。" in row


def test_direction_controls_in_the_senders_name_are_left_out(client, clock, consultation, office, submit):
    """The comment form takes them out of a name; an e-mail's From had kept them: "\u202e员理管\u202c" reads 管理员."""
    clock.set(shanghai(2023, 5, 4, 9, 0))
    response = upload(client, submit, consultation, ("bidi.eml", mail(
        "意见", "建议增加助餐点。", sender="\u202e员理管\u202c 张三 <zhang@example.cn>", message_id="<bidi@x>")))
    assert response.status_code == 200
    (recorded,) = emailed()
    assert recorded.author_name == "员理管 张三"


def test_hostile_messages_are_shown_inert_and_their_files_named_safely(client, clock, consultation, office, submit):
    clock.set(shanghai(2023, 5, 4, 9, 0))
    message = EmailMessage()
    message["From"] = '"<img src=x onerror=alert(1)>" <evil@example.cn>'
    message["Subject"] = "<script>alert('subject')</script>"
    message["Date"] = "Tue, 2 May 2023 10:15:00 +0800"
    message["Message-ID"] = "<evil@x>"
    message.set_content("<p>意见<script>alert('body')</script></p><iframe src=javascript:alert(1)></iframe>",
                        subtype="html")
    message.add_attachment(DOCX_LIKE, maintype="application", subtype="pdf", filename="../../etc/passwd.pdf")
    response = upload(client, submit, consultation, ("evil.eml", message.as_bytes()))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#39;subject&#39;)&lt;/script&gt;" in page
    (comment,) = emailed()
    assert comment.body == "意见"  # the text of the HTML, without its script
    assert comment.author_name == "<img src=x onerror=alert(1)>"  # kept as written, escaped wherever shown
    (kept,) = db.session.scalars(select(CommentAttachment)).all()
    assert "/" not in kept.filename and ".." not in kept.filename
    answer = client.get(f"/office/consultations/{consultation.id}/responses/{comment.id}").get_data(as_text=True)
    assert "<img src=x" not in answer and "&lt;img src=x onerror=alert(1)&gt;" in answer


def test_two_imports_of_the_same_mailbox_at_once_record_each_message_once(app, clock, consultation, tmp_path):
    """Two cron jobs (or two hosts) reading the consultation's Maildir at the same moment, each in its own
    transaction: every message is recorded by one of them, never by both."""
    import mailbox
    import threading

    from portal.comments.models import Comment as Stored
    from portal.consultations.models import Consultation
    from portal.office.emailed import maildir_messages
    from portal.office.inbox import import_emailed_comments

    clock.set(shanghai(2023, 5, 3, 9, 0))
    maildir = mailbox.Maildir(str(tmp_path / "Maildir"))
    for n in range(30):
        maildir.add(mail(f"意见{n}", f"第{n}条意见。", message_id=f"<{n}@x>", date="Tue, 2 May 2023 10:15:00 +0800"))
    uploads = [(f"{n}.eml", raw) for n, raw in enumerate(maildir_messages(str(tmp_path / "Maildir")))]
    start, errors, kinds = threading.Barrier(2), [], []
    consultation_id = consultation.id  # read here: the test's session is not for the threads to share

    def work(order):
        try:
            with app.app_context(), app.test_request_context():  # a worker of its own: its own session
                start.wait()
                result = import_emailed_comments(db.session.get(Consultation, consultation_id), "cli", order)
                db.session.commit()
                kinds.extend(outcome.kind for outcome in result.outcomes)
                db.session.remove()
        except Exception as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(order,)) for order in (uploads, uploads[::-1])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert (kinds.count("recorded"), kinds.count("duplicate")) == (30, 30)
    db.session.expire_all()
    bodies = sorted(db.session.scalars(select(Stored.body).where(Stored.channel == "email")))
    assert bodies == sorted(f"第{n}条意见。" for n in range(30))  # each once


def test_the_sender_of_an_emailed_opinion_is_told_it_was_recorded(client, clock, consultation, office, submit):
    from tests.helpers import render_queued

    clock.set(shanghai(2023, 5, 3, 9, 0))
    upload(client, submit, consultation, ("1.eml", mail("意见", "建议增加助餐点。", message_id="<told@x>")))
    route_new_comments()
    (confirm,) = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "confirm")).all()
    render_queued(confirm)
    assert confirm.recipient == "zhang@example.cn"
    assert "您通过电子邮件向起草单位提出的对" in confirm.body_text and "已把它录入公开征求意见平台" in confirm.body_text
    assert "您在“" not in confirm.body_text  # not told they left the address on the portal


def test_a_message_proposing_other_words_for_the_quoted_ones_records_the_proposal(client, clock, consultation, office,
                                                                                  submit):
    clock.set(shanghai(2023, 5, 3, 9, 0))
    target = next(s for s in consultation.current_draft.sections if s.heading.startswith("推进老年教育高质量发展"))
    words = target.text.replace("\n", "")[:16]
    upload(client, submit, consultation, ("p.eml", mail(
        "意见", f"建议将“{words}”修改为：“{words[:8]}并保障经费”，理由是经费不明。", message_id="<p@x>")))
    (comment,) = emailed()
    assert (comment.section_id, comment.quote, comment.proposal) == (target.id, words, f"{words[:8]}并保障经费")
    page = client.get(f"/office/consultations/{consultation.id}/responses/{comment.id}").get_data(as_text=True)
    assert "建议修改为：" in page and '<ins data-label="增加：">并保障经费</ins>' in page


def test_words_of_the_draft_a_message_quotes_are_its_quotation_and_name_its_section(client, clock, consultation,
                                                                                     office, submit):
    clock.set(shanghai(2023, 5, 3, 9, 0))
    target = next(s for s in consultation.current_draft.sections if s.heading.startswith("推进老年教育高质量发展"))
    words = target.text.replace("\n", "")[:16]
    response = upload(client, submit, consultation, ("q.eml", mail(
        "意见", f"关于“{words}”这句话，建议写明具体的办学经费。\n另外“这句话草案里没有”。", message_id="<q@x>")))
    (row,) = rows(response.get_data(as_text=True))
    (comment,) = emailed()
    assert (comment.section_id, comment.quote) == (target.id, words)
    assert target.title in row and "邮件中提到“" in row
    page = client.get(f"/office/consultations/{consultation.id}/responses/{comment.id}").get_data(as_text=True)
    assert words in page  # shown as its quotation


# --- forwarded messages ------------------------------------------------------------------------------------------

FOXMAIL_FORWARD = """请处理。

------------------ 原始邮件 ------------------
发件人: "李阿姨"<li@example.cn>;
发送时间: 2023年5月11日(星期四) 下午9:30
收件人: "市民政局"<mzj@example.gov.cn>;
主题: 关于养老方案的意见

建议增加社区食堂，方便老人吃饭。

李阿姨
"""

GMAIL_FORWARD = """---------- Forwarded message ---------
From: Zhao Min <zhao@example.cn>
Date: Thu, May 4, 2023 at 10:15 AM
Subject: 意见
To: <service@12345.gov.cn>

希望多建老年大学。
"""


def test_a_message_forwarded_in_its_text_is_recorded_as_the_citizens(client, clock, consultation, office, submit):
    clock.set(shanghai(2023, 5, 15, 9, 0))  # after the deadline; the citizen wrote before it
    response = upload(client, submit, consultation,
                      ("fw.eml", mail("转发：关于养老方案的意见", FOXMAIL_FORWARD, sender="办公室 <staff@mz.gov.cn>",
                                      date="Sat, 13 May 2023 08:00:00 +0800", message_id="<fw1@x>")),
                      ("fwd.eml", mail("Fwd: 意见", GMAIL_FORWARD, sender="12345热线 <hotline@12345.gov.cn>",
                                       date="Fri, 5 May 2023 08:00:00 +0800", message_id="<fw2@x>")))
    foxmail, gmail = emailed()
    assert (foxmail.author_name, foxmail.author_contact, foxmail.body) == (
        "李阿姨", "li@example.cn", "建议增加社区食堂，方便老人吃饭。\n\n李阿姨")
    assert foxmail.created_at == shanghai(2023, 5, 11, 21, 30)  # when she sent it: within the period
    assert (gmail.author_name, gmail.author_contact, gmail.body) == ("Zhao Min", "zhao@example.cn", "希望多建老年大学。")
    assert gmail.created_at == shanghai(2023, 5, 4, 10, 15)
    first, second = rows(response.get_data(as_text=True))
    assert "由“办公室”转发，按原发件人录入" in first and "转发时的附言：“请处理。”" in first and "李阿姨" in first
    assert "由“12345热线”转发" in second and "附言" not in second


def test_a_reply_quoting_an_earlier_message_is_not_a_forward(client, clock, consultation, office, submit):
    clock.set(shanghai(2023, 5, 3, 9, 0))
    upload(client, submit, consultation, ("re.eml", mail("回复：关于养老方案的意见", "我补充一点：要有无障碍设施。\n\n"
                                                         + FOXMAIL_FORWARD.split("\n", 2)[2], message_id="<re@x>")))
    (comment,) = emailed()
    assert (comment.author_contact, comment.body) == ("zhang@example.cn", "我补充一点：要有无障碍设施。")


def test_messages_forwarded_as_attachments_are_recorded_each_as_it_was(client, clock, consultation, office, submit):
    from email import message_from_bytes

    clock.set(shanghai(2023, 5, 3, 9, 0))
    wrapper = EmailMessage()
    wrapper["From"], wrapper["To"], wrapper["Subject"] = "办公室 <staff@mz.gov.cn>", "contact@example.gov.cn", "FW: 两封意见"
    wrapper["Date"], wrapper["Message-ID"] = "Tue, 2 May 2023 12:00:00 +0800", "<wrap@x>"
    wrapper.set_content("转给你们，请查收。")
    for number, (sender, text) in enumerate((("王伯 <wang@example.cn>", "建议延长日间照料时间。"),
                                              ("钱姐 <qian@example.cn>", "建议增加护理员培训。"))):
        inner = message_from_bytes(mail("意见", text, sender=sender, message_id=f"<inner{number}@x>"))
        wrapper.add_attachment(inner)
    response = upload(client, submit, consultation, ("wrap.eml", wrapper.as_bytes()))
    assert [(c.author_contact, c.body) for c in emailed()] == [
        ("wang@example.cn", "建议延长日间照料时间。"), ("qian@example.cn", "建议增加护理员培训。")]
    assert all("由“办公室”转发" in row for row in rows(response.get_data(as_text=True)))
    # uploaded again: each inner message is recorded once (its own Message-ID)
    upload(client, submit, consultation, ("wrap.eml", wrapper.as_bytes()))
    assert len(emailed()) == 2


def test_a_long_letter_with_an_earlier_message_attached_is_one_opinion(client, clock, consultation, office, submit):
    from email import message_from_bytes

    clock.set(shanghai(2023, 5, 3, 9, 0))
    letter = EmailMessage()
    letter["From"], letter["To"], letter["Subject"] = "张大爷 <zhang@example.cn>", "contact@example.gov.cn", "意见"
    letter["Date"], letter["Message-ID"] = "Tue, 2 May 2023 12:00:00 +0800", "<long@x>"
    letter.set_content("我的意见如下。" + "养老服务要覆盖农村。" * 30)
    letter.add_attachment(message_from_bytes(mail("旧邮件", "以前的回复。", message_id="<old@x>")))
    upload(client, submit, consultation, ("long.eml", letter.as_bytes()))
    (comment,) = emailed()
    assert comment.author_contact == "zhang@example.cn" and comment.body.startswith("我的意见如下。")


def test_a_forward_from_someone_not_a_public_body_counts_from_its_own_arrival(client, clock, consultation, office,
                                                                             submit):
    """Anyone can write "转发" and an earlier 发送时间 above a late opinion: only a public body's forward (a colleague,
    the 12345 hotline: a .gov.cn address, the notice's contact's domain, a staff account's) is believed about when the
    citizen sent it. Others count from when the forward itself arrived, in the text and as attachments."""
    from email import message_from_bytes

    clock.set(shanghai(2023, 5, 15, 9, 0))  # after the deadline (12 May)
    late_text = mail("转发：关于养老方案的意见", FOXMAIL_FORWARD, sender="热心人 <someone@example.com>",
                     date="Sat, 13 May 2023 08:00:00 +0800", message_id="<late-fw@x>")
    wrapper = EmailMessage()
    wrapper["From"], wrapper["To"], wrapper["Subject"] = "热心人 <someone@example.com>", "contact@example.gov.cn", "FW: 意见"
    wrapper["Date"], wrapper["Message-ID"] = "Sat, 13 May 2023 09:00:00 +0800", "<late-wrap@x>"
    wrapper.set_content("请查收。")
    wrapper.add_attachment(message_from_bytes(mail("意见", "建议增加护理员培训。", sender="钱姐 <qian@example.cn>",
                                                   message_id="<late-inner@x>")))  # dated 2 May
    response = upload(client, submit, consultation, ("fw.eml", late_text), ("wrap.eml", wrapper.as_bytes()))
    assert emailed() == []
    first, second = rows(response.get_data(as_text=True))
    for row in (first, second):
        assert "截止以后收到的意见不能计入" in row and "原邮件的发送时间无从核实" in row

    # the same forwards from the office's own domain are believed (the contact's: example.gov.cn)
    colleague = late_text.replace(b"someone@example.com", b"colleague@example.gov.cn").replace(b"late-fw", b"ok-fw")
    upload(client, submit, consultation, ("ok.eml", colleague))
    (recorded,) = emailed()
    assert recorded.created_at == shanghai(2023, 5, 11, 21, 30)


def test_an_auto_reply_known_only_by_its_subject_is_not_an_opinion(client, clock, consultation, office, submit):
    """Many Chinese mail services send auto-replies without the headers that mark them: the subject says it. A
    citizen's subject that only mentions auto-replies is an opinion."""
    clock.set(shanghai(2023, 5, 3, 9, 0))
    response = upload(client, submit, consultation,
                      ("away.eml", mail("自动回复：您的来信已收到", "您好，我正在休假。", message_id="<away@x>")),
                      ("away2.eml", mail("【自动回复】关于征求意见", "本邮箱不再使用。", message_id="<away2@x>")),
                      ("opinion.eml", mail("自动回复功能的建议", "建议网站的自动回复写明处理时限。", message_id="<op@x>")))
    (recorded,) = emailed()
    assert recorded.body == "建议网站的自动回复写明处理时限。"
    assert "2 封是自动回复或退信" in response.get_data(as_text=True)
