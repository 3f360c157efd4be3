"""Reading the office's mailbox (portal/office/emailed.py): messages as Chinese mail programs really save them."""
import base64
import io
import mailbox
import zipfile
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from types import SimpleNamespace

import pytest

from portal.office.emailed import (MailFileError, guess_section, html_text, maildir_messages, messages_in, own_words,
                                   read_message)

CST = timezone(timedelta(hours=8))


def gb(text: str) -> str:
    """An encoded word in GB2312, as Foxmail writes one (with a character only GBK has, as real names do)."""
    return f"=?GB2312?B?{base64.b64encode(text.encode('gb18030')).decode()}?="


def foxmail_message() -> bytes:
    """HTML only, declared GB2312 but holding GBK characters, a reply quoting the office's earlier mail, a signature
    logo shown inline, and a Word file whose name is an encoded word."""
    html = ("<html><head><style>p{color:red}</style></head><body><div>关于第五条，建议把“八十周岁”改为“七十五周岁”。</div>"
            "<div>朱镕基路社区&nbsp;居民</div><img src=\"cid:logo\">"
            "<div>------------------&nbsp;原始邮件&nbsp;------------------</div>"
            "<div>发件人: \"市民政局\"&lt;contact@example.gov.cn&gt;;</div><div>欢迎提出意见</div></body></html>")
    body = base64.b64encode(html.encode("gb18030")).decode()
    docx = base64.b64encode(b"PK\x03\x04 not really a docx").decode()
    return (
        "Received: from mx.example.gov.cn by mail.example.gov.cn; Tue, 2 May 2023 10:15:00 +0800\r\n"
        "Date: Tue, 2 May 2023 01:00:00 +0000\r\n"
        f"From: {gb('张堃')} <zhangkun@example.cn>\r\n"
        "To: contact@example.gov.cn\r\n"
        f"Subject: {gb('对居家养老服务提升行动的意见')}\r\n"
        "Message-ID: <202305021015@example.cn>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n"
        "--outer\r\n"
        "Content-Type: multipart/related; boundary=\"inner\"\r\n\r\n"
        "--inner\r\n"
        "Content-Type: text/html; charset=\"GB2312\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        f"{body}\r\n"
        "--inner\r\n"
        "Content-Type: image/png; name=\"logo.png\"\r\nContent-Disposition: inline; filename=\"logo.png\"\r\n"
        "Content-ID: <logo>\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        f"{base64.b64encode(b'png').decode()}\r\n"
        "--inner--\r\n"
        "--outer\r\n"
        f"Content-Type: application/octet-stream; name=\"{gb('修改意见.docx')}\"\r\n"
        f"Content-Disposition: attachment; filename=\"{gb('修改意见.docx')}\"\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
        f"{docx}\r\n"
        "--outer--\r\n"
    ).encode("ascii")


def test_a_foxmail_message_is_read_as_its_sender_wrote_it():
    opinion = read_message(foxmail_message())
    assert (opinion.sender_name, opinion.sender_address) == ("张堃", "zhangkun@example.cn")
    assert opinion.subject == "对居家养老服务提升行动的意见"
    # the office's server received it at 10:15 Beijing time (its Received line), not when the sender's clock said
    assert opinion.received_at == datetime(2023, 5, 2, 10, 15, tzinfo=CST)
    assert opinion.body == "关于第五条，建议把“八十周岁”改为“七十五周岁”。\n朱镕基路社区 居民"  # no quoted reply, no CSS
    assert opinion.files == [("修改意见.docx", b"PK\x03\x04 not really a docx")]  # the inline logo is not a file
    assert not opinion.automatic
    assert read_message(foxmail_message()).key == opinion.key  # the same Message-ID, the same key


def test_a_plain_message_in_utf8_with_an_rfc2231_file_name_and_no_received_line():
    message = EmailMessage()
    message["From"] = "李四 <lisi@example.cn>"
    message["Subject"] = "意见"
    message["Date"] = "Wed, 3 May 2023 20:30:00 +0800"
    message.set_content("我赞成这个方案。\n\n> 引用的旧邮件\n谢谢！\n-- \n李四\n电话 13800000000\n")
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="建议书.pdf")
    opinion = read_message(message.as_bytes())
    assert (opinion.sender_name, opinion.sender_address) == ("李四", "lisi@example.cn")
    assert opinion.received_at == datetime(2023, 5, 3, 20, 30, tzinfo=CST)
    assert opinion.body == "我赞成这个方案。\n\n谢谢！"  # the quoted line and the signature left out
    assert opinion.files == [("建议书.pdf", b"%PDF-1.4")]
    different = read_message(message.as_bytes().replace(b"Subject: ", b"Message-ID: <x@y>\nSubject: "))
    assert different.key != opinion.key


def test_raw_8bit_gbk_headers_and_a_forwarded_message_as_a_file():
    inner = "From: a@b.cn\r\nSubject: 旧邮件\r\n\r\n旧的正文\r\n".encode("utf-8")
    raw = ("From: 王五 <wangwu@example.cn>\r\nSubject: 建议\r\nDate: Thu, 4 May 2023 09:00:00 +0800\r\n"
           "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n"
           "Content-Type: text/plain; charset=gbk\r\n\r\n请看转发的邮件。\r\n--b\r\n"
           "Content-Type: message/rfc822\r\n\r\n").encode("gb18030") + inner + b"\r\n--b--\r\n"
    opinion = read_message(raw)
    assert (opinion.sender_name, opinion.subject, opinion.body) == ("王五", "建议", "请看转发的邮件。")
    assert [name for name, _data in opinion.files] == ["旧邮件.eml"]  # its text is not the sender's
    assert b"\xe6\x97\xa7\xe7\x9a\x84" in opinion.files[0][1]


@pytest.mark.parametrize("header", ["Auto-Submitted: auto-replied", "X-Autoreply: yes", "Precedence: bulk",
                                    "From: MAILER-DAEMON@example.gov.cn"])
def test_auto_replies_and_bounces_are_not_opinions(header):
    raw = f"{header}\r\nFrom: x@example.cn\r\nSubject: 自动回复：我正在休假\r\n\r\n我正在休假。\r\n".encode("utf-8")
    if header.startswith("From"):
        raw = raw.replace(b"From: x@example.cn\r\n", b"")
    assert read_message(raw).automatic
    assert not read_message(b"From: x@example.cn\r\nAuto-Submitted: no\r\nSubject: a\r\n\r\nb\r\n").automatic


@pytest.mark.parametrize("text, own", [
    ("好的。\n\n-----Original Message-----\nFrom: x\n旧", "好的。"),
    ("好的。\n在 2023年5月1日 10:00，市民政局 写道：\n> 旧", "好的。"),
    ("好的。\n在 2023-05-01 10:00:00，\"市民政局养老服务处\" <yanglao@mzj.example.gov.cn> 写道：\n旧", "好的。"),
    ("好的。\n\n-----邮件原件-----\n发件人: x\n旧", "好的。"),
    ("好的。\nOn Mon, May 1, 2023 at 10:00 AM office <a@b> wrote:\n> old", "好的。"),
    ("好的。\n发件人: 市民政局\n发送时间: 2023年5月1日\n旧", "好的。"),
    ("一、建议\n\n\n\n二、理由", "一、建议\n\n二、理由"),
])
def test_own_words_leave_out_what_a_reply_quotes(text, own):
    assert own_words(text) == own


def test_html_text_keeps_paragraphs_and_table_cells():
    assert html_text("<p>第一段<br>第二行</p><table><tr><td>甲</td><td>乙</td></tr></table><script>x()</script>") == \
        "第一段\n第二行\n甲\t乙"
    assert html_text("<div>一</div><div><br></div><div>二</div>") == "一\n\n二"  # the empty line the sender left


def sections():
    return [SimpleNamespace(label="一、", heading="总体要求", title="一、总体要求"),
            SimpleNamespace(label="第五条", heading="居家养老服务提升行动", title="第五条 居家养老服务提升行动"),
            SimpleNamespace(label="第十二条", heading="养老服务", title="第十二条 养老服务"),
            SimpleNamespace(label="第一百零五条", heading="附则", title="第一百零五条 附则")]


@pytest.mark.parametrize("subject, body, label, named_by", [
    ("对居家养老服务提升行动的意见", "", "第五条", "居家养老服务提升行动"),  # the longest heading wins over 养老服务
    ("关于第12条的建议", "", "第十二条", "第十二条"),
    ("意见", "关于第 105 条：建议删去", "第一百零五条", "第一百零五条"),
    ("第五条和第十二条的意见", "", None, None),  # two named: the office decides
    ("关于第九条", "", None, None),  # no such article
    ("建议", "我对养老很关心", None, None),
])
def test_the_section_a_message_names(subject, body, label, named_by):
    section, words = guess_section(subject, body, sections())
    assert (section.label if section else None, words) == (label, named_by)


def test_files_of_messages_an_mbox_a_zip_a_maildir(tmp_path):
    one = b"From: a@example.cn\r\nSubject: 1\r\n\r\none\r\n"
    two = b"From: b@example.cn\r\nSubject: 2\r\n\r\ntwo\r\n"
    box = mailbox.mbox(str(tmp_path / "in.mbox"))
    box.add(one)
    box.add(two)
    box.close()
    from_mbox = messages_in((tmp_path / "in.mbox").read_bytes(), "收件箱.mbox")
    assert [read_message(m).body for m in from_mbox] == ["one", "two"]

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("邮件/1.eml", one)
        z.writestr("邮件/2.eml", two)
        z.writestr("__MACOSX/邮件/._1.eml", b"junk")
        z.writestr("说明.txt", b"not mail")
    assert [read_message(m).body for m in messages_in(archive.getvalue(), "意见.zip")] == ["one", "two"]

    maildir = mailbox.Maildir(str(tmp_path / "Maildir"))
    maildir.add(one)
    assert [read_message(m).body for m in maildir_messages(str(tmp_path / "Maildir"))] == ["one"]

    assert messages_in(one, "1.eml") == [one]
    with pytest.raises(MailFileError, match=".msg"):
        messages_in(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "意见.msg")
    with pytest.raises(MailFileError, match="不是电子邮件文件"):
        messages_in("这是一封信的正文".encode(), "letter.txt")
    with pytest.raises(MailFileError, match="没有 .eml"):
        empty = io.BytesIO()
        with zipfile.ZipFile(empty, "w") as z:
            z.writestr("a.txt", b"x")
        messages_in(empty.getvalue(), "a.zip")


def test_the_time_a_forwarded_message_was_sent_is_read_as_mail_programs_write_it():
    from portal.office.emailed import _forwarded_moment
    from tests.helpers import shanghai

    assert _forwarded_moment("2023年5月2日(星期二) 下午3:05") == shanghai(2023, 5, 2, 15, 5)  # Foxmail
    assert _forwarded_moment("2023年5月2日 10:15") == shanghai(2023, 5, 2, 10, 15)  # Outlook
    assert _forwarded_moment("2023-05-02 08:01") == shanghai(2023, 5, 2, 8, 1)  # Netease
    assert _forwarded_moment("Tue, May 2, 2023 at 12:30 PM") == shanghai(2023, 5, 2, 12, 30)  # Gmail
    assert _forwarded_moment("Tue, May 2, 2023 at 12:30 AM") == shanghai(2023, 5, 2, 0, 30)
    assert _forwarded_moment("Tue, 2 May 2023 10:15:00 +0000") == shanghai(2023, 5, 2, 18, 15)  # RFC 5322
    assert _forwarded_moment("2023年2月30日 10:00") is None and _forwarded_moment("某天") is None


def test_a_forward_names_its_sender_however_the_program_writes_it():
    from portal.office.emailed import inline_forward

    text = "请阅。\n\n发件人: 李四 [mailto:li@example.cn]\n发送时间: 2023年5月2日 10:15\n主题: 意见\n\n意见正文。"
    forward = inline_forward("FW: 意见", text)
    assert (forward.sender_name, forward.sender_address, forward.body) == ("李四", "li@example.cn", "意见正文。")
    assert inline_forward("意见", text) is None  # not a forward by its subject
    assert inline_forward("转发：意见", "发件人: 某人\n主题: 意见\n\n正文") is None  # no address: left as it is
