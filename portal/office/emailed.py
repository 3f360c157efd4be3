"""Opinions received by e-mail (电子邮件), read from the office's mailbox as its mail program saves it.

Notices ask for opinions "发送至电子邮箱……": until every citizen uses the portal, part of them arrive in the
office's mailbox. The office saves those messages (one .eml file each: Foxmail, Outlook, Thunderbird and web mail
all save them so; a .mbox file of a whole folder; or a .zip of .eml files) and uploads them, or a deployment points
``flask comments import-mail`` at the Maildir its mail server delivers to. Each message becomes an opinion received
by e-mail, as if the office had typed it in (portal/office/services.py: import_emailed_comments): the sender's name
and address, the time the office's server received it, the text, the files attached.

Pure: reads bytes, knows no database. Chinese mail as it really comes: GB2312 declared for GBK text, encoded words in
file names, HTML-only bodies, signature images inline, replies quoting the earlier message.
"""
from __future__ import annotations

import email
import email.policy
import hashlib
import io
import mailbox
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.header import Header, decode_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

from flask_babel import lazy_gettext as _l

from portal.core.time import SHANGHAI
from portal.drafts.docx_numbering import chinese_number

MESSAGES_MAX = 2000  # messages in one upload (a folder of a busy consultation)
ZIP_MEMBER_MAX = 30 * 1024 * 1024  # bytes of one message inside a .zip (a zip bomb stops here)
ZIP_TOTAL_MAX = 200 * 1024 * 1024  # bytes of all the messages inside a .zip

# Charsets mail programs declare for text written in a larger one: GB2312 mail holds GBK characters (镕, 堃 …).
_WIDER = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "euc-cn": "gb18030",
          "ascii": "utf-8", "us-ascii": "utf-8"}
# Where a reply's quotation of the earlier message begins (Foxmail, Outlook, web mail, Apple Mail, Gmail)
_QUOTED = re.compile(
    r"^\s*(?:-{2,}\s*(?:原始邮件|邮件原件|Original Message|Original|转发邮件|Forwarded message)\s*-{2,}"
    r"|_{8,}\s*$"
    r"|(?:发件人|From)\s*[:：].*\n\s*(?:发送时间|日期|Sent|Date)\s*[:：]"
    r"|在\s*\d{4}.{0,160}写道\s*[:：]\s*$"
    r"|On .{0,200}wrote:\s*$)",
    re.MULTILINE | re.IGNORECASE)
_SIGNATURE = re.compile(r"^-- ?$", re.MULTILINE)  # the usenet signature mark
_BLANK_LINES = re.compile(r"\n{3,}")


class MailFileError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass
class EmailedOpinion:
    """One message, read."""

    key: str  # sha256 of its Message-ID (or of the whole message when it has none): the same mail is recorded once
    sender_name: str | None
    sender_address: str | None
    received_at: datetime | None  # when the office's server received it (its first Received line), else its Date
    subject: str
    body: str  # the text the sender wrote, without the earlier messages a reply quotes
    files: list[tuple[str, bytes]] = field(default_factory=list)  # (file name, content) of the files attached
    automatic: bool = False  # an auto-reply, a delivery report, a mailing list's post: no opinion
    forwarded_by: str | None = None  # who forwarded the citizen's message to the office (name, else address)
    forwarder_address: str | None = None  # their address: only the office's own are believed about when it was sent
    arrived_at: datetime | None = None  # when this message itself reached the office (a forward's own arrival)
    forward_note: str = ""  # what they wrote above it ("请处理"): for the office, not the opinion


def messages_in(data: bytes, filename: str | None) -> list[bytes]:
    """The messages of an uploaded file: one .eml, an mbox folder, or a .zip of .eml (and .mbox) files."""
    name = (filename or "").lower()
    if name.endswith(".zip") or (data[:4] == b"PK\x03\x04" and not name.endswith((".docx", ".xlsx", ".pptx", ".ofd"))):
        return _zip_messages(data)
    if name.endswith((".mbox", ".mbx")) or data.startswith(b"From "):
        return _mbox_messages(data)
    if name.endswith(".msg") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise MailFileError(_l("“%(name)s”是 Outlook 的 .msg 文件，读不了。请在 Outlook 中把邮件“另存为”.eml 格式"
                               "（或直接把邮件拖到桌面），再上传。", name=filename or ""))
    if not _looks_like_mail(data):
        raise MailFileError(_l("“%(name)s”不是电子邮件文件。请上传邮件程序保存的 .eml 文件、.mbox 文件，"
                               "或者把多个 .eml 文件打包成的 .zip 文件。", name=filename or ""))
    return [data]


def _looks_like_mail(data: bytes) -> bool:
    head = data[:8192].lstrip()
    return bool(re.match(rb"[A-Za-z0-9-]+:", head)) and re.search(rb"^(from|date|subject|received|message-id):",
                                                                   head, re.IGNORECASE | re.MULTILINE) is not None


def _zip_messages(data: bytes) -> list[bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()
                   and not os.path.basename(m.filename).startswith(("._", "~$"))  # macOS and Office leftovers
                   and m.filename.lower().endswith((".eml", ".mbox", ".mbx"))]
    except zipfile.BadZipFile as error:
        raise MailFileError(_l("压缩文件打不开，可能已经损坏。")) from error
    if not members:
        raise MailFileError(_l("压缩文件中没有 .eml 或 .mbox 邮件文件。"))
    total, messages = 0, []
    for member in sorted(members, key=lambda m: m.filename):
        total += member.file_size
        if member.file_size > ZIP_MEMBER_MAX or total > ZIP_TOTAL_MAX:
            raise MailFileError(_l("压缩文件中的邮件太大了，请分成几次上传。"))
        with archive.open(member) as opened:
            content = opened.read(ZIP_MEMBER_MAX + 1)
        if len(content) > ZIP_MEMBER_MAX:
            raise MailFileError(_l("压缩文件中的邮件太大了，请分成几次上传。"))
        messages.extend(_mbox_messages(content) if member.filename.lower().endswith((".mbox", ".mbx"))
                        else [content])
    return messages


def _mbox_messages(data: bytes) -> list[bytes]:
    # mailbox.mbox reads a file by its path (it locks and seeks); a private temporary file, removed at once
    descriptor, path = tempfile.mkstemp(suffix=".mbox")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        box = mailbox.mbox(path, create=False)
        try:
            return [box.get_bytes(key) for key in box.iterkeys()]
        finally:
            box.close()
    finally:
        os.unlink(path)


def maildir_messages(path: str) -> list[bytes]:
    """The messages of a Maildir folder (its new/ and cur/), as a mail server delivers them."""
    box = mailbox.Maildir(path, create=False)
    return [box.get_bytes(key) for key in sorted(box.iterkeys())]


def read_message(raw: bytes) -> EmailedOpinion:
    """One message, read: who sent it, when it arrived, what it says, what it carries. A message forwarding a
    citizen's in its text (转发, Fw:, Fwd:: a colleague or the 12345 hotline passing an opinion on) is read as the
    citizen's: its sender, the time it was sent (when earlier than the forward's arrival), its subject and text."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    message_id = (message.get("Message-ID") or "").strip()
    key = hashlib.sha256(message_id.encode("utf-8", "replace") if message_id else raw).hexdigest()
    sender_name, sender_address = _sender(message)
    subject = " ".join(header_text(message.get("Subject")).split())
    plain, html, files = _parts(message)
    body = plain if plain.strip() else html_text(html)
    opinion = EmailedOpinion(
        key=key, sender_name=sender_name, sender_address=sender_address, received_at=_received_at(message),
        subject=subject, body=own_words(body), files=files, automatic=_automatic(message))
    opinion.arrived_at = opinion.received_at
    forward = None if opinion.automatic else inline_forward(subject, body)
    if forward is not None:
        opinion.forwarded_by, opinion.forward_note = sender_name or sender_address, opinion.body
        opinion.forwarder_address = sender_address
        opinion.sender_name, opinion.sender_address = forward.sender_name, forward.sender_address
        opinion.subject, opinion.body = forward.subject or subject, forward.body
        if forward.sent_at is not None and (opinion.received_at is None or forward.sent_at <= opinion.received_at):
            opinion.received_at = forward.sent_at
    return opinion


# A forward, by its subject: 转发: / 转发： (Foxmail, Outlook, Netease), Fw: / FW: (Outlook), Fwd: (Gmail, Apple Mail)
_FORWARD_SUBJECT = re.compile(r"^\s*(?:转发|fwd?)\s*[:：]", re.IGNORECASE)
# The header lines a mail program writes above the message it forwards, in Chinese or English
_FORWARD_FIELDS = {"发件人": "from", "from": "from", "发送时间": "date", "发送日期": "date", "发信时间": "date",
                   "时间": "date", "日期": "date", "date": "date", "sent": "date", "收件人": "to", "to": "to",
                   "抄送": "to", "cc": "to", "主题": "subject", "subject": "subject"}
_FORWARD_LINE = re.compile(r"^[ \t>*]*(" + "|".join(_FORWARD_FIELDS) + r")[ \t*]*[:：][ \t*]*(.*?)[ \t]*$",
                           re.IGNORECASE)
_FORWARD_FROM = re.compile(r"^[ \t>*]*(?:发件人|from)[ \t*]*[:：]", re.IGNORECASE | re.MULTILINE)
_CHINESE_MOMENT = re.compile(r"(\d{4})\s*[年/.-]\s*(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*日?\s*(?:[（(]?(?:星期|周).[)）]?)?\s*"
                             r"(上午|下午|晚上|中午|凌晨)?\s*(\d{1,2})\s*[:：]\s*(\d{2})")
_ENGLISH_MOMENT = re.compile(r"([A-Z][a-z]{2})[a-z]*\.? (\d{1,2}), (\d{4}),? (?:at )?(\d{1,2}):(\d{2})\s*([AP]M)?",
                             re.IGNORECASE)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@dataclass
class ForwardedMessage:
    """The message a forward carries in its text."""

    sender_name: str | None
    sender_address: str
    sent_at: datetime | None
    subject: str
    body: str


def inline_forward(subject: str, text: str) -> ForwardedMessage | None:
    """The message ``text`` forwards below its header lines (发件人/From, 发送时间/Date, 主题/Subject …), when
    ``subject`` says it is a forward and those lines name a sender's address; else None."""
    if not _FORWARD_SUBJECT.match(subject):
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for start in _FORWARD_FROM.finditer(text):
        fields: dict[str, str] = {}
        position = start.start()
        for line in text[position:].split("\n"):
            found = _FORWARD_LINE.match(line)
            if found is None:
                if line.strip() or not fields:
                    break
                position += len(line) + 1  # the blank line after the header lines
                break
            fields.setdefault(_FORWARD_FIELDS[found.group(1).lower()], found.group(2))
            position += len(line) + 1
        if "from" not in fields or not ({"date", "subject"} & fields.keys()):
            continue
        name, address = _forwarded_sender(fields["from"])
        if address is None:
            continue
        return ForwardedMessage(name, address, _forwarded_moment(fields.get("date", "")),
                                " ".join(fields.get("subject", "").split()), own_words(text[position:]))
    return None


def _forwarded_sender(value: str) -> tuple[str | None, str | None]:
    """张三 <zhang@example.cn>, "张三"<zhang@example.cn>;, 张三 [mailto:zhang@example.cn], zhang@example.cn; (None, None)
    without an address."""
    name, address = _name_and_address(re.sub(r"\[mailto:([^\]]+)\]", r"<\1>", value).strip().rstrip(";；,"))
    return (name, address) if address else (None, None)


def _forwarded_moment(value: str) -> datetime | None:
    """When the forwarded message was sent, as its header line writes it: RFC 5322 (Thunderbird), 2023年5月2日(星期二)
    上午10:15 (Foxmail, Outlook, Netease), Tue, May 2, 2023 at 10:15 AM (Gmail; its zone not written: read as
    Beijing time, as the Chinese forms are)."""
    moment = _moment(value) if re.search(r"[+-]\d{4}|GMT|UT", value) else None
    if moment is not None:
        return moment
    try:
        if found := _CHINESE_MOMENT.search(value):
            year, month, day, part, hour, minute = found.groups()
            hour = int(hour) + (12 if part in ("下午", "晚上") and int(hour) < 12 else 0)
            return datetime(int(year), int(month), int(day), hour, int(minute), tzinfo=SHANGHAI)
        if found := _ENGLISH_MOMENT.search(value):
            month, day, year, hour, minute, half = found.groups()
            hour = int(hour) % 12 + (12 if (half or "").upper() == "PM" else 0) if half else int(hour)
            return datetime(int(year), _MONTHS.index(month[:3].lower()) + 1, int(day), hour, int(minute),
                            tzinfo=SHANGHAI)
    except ValueError:  # a day or an hour that is none (2月30日, 25:00)
        return None
    return None


def arrival(raw: bytes) -> tuple[str | None, datetime | None]:
    """The sender's address of a message and when it reached the office (its first Received line, else its Date)."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    return _sender(message)[1], _received_at(message)


def forwarded_attachments(raw: bytes) -> tuple[str | None, list[bytes]]:
    """Who forwarded (name, else address) and the messages ``raw`` forwards as attachments (Outlook's 以附件形式转发,
    several at once), to be read each as the message it was, when its own text is no more than a covering note
    ("请查收"); else (None, [])."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    if _automatic(message):
        return None, []
    inner = [part for part in _leaves(message) if part.get_content_type() == "message/rfc822"]
    if not inner:
        return None, []
    plain, html, _files = _parts(message)
    if len(own_words(plain if plain.strip() else html_text(html))) > COVER_NOTE_MAX:
        return None, []
    name, address = _sender(message)
    return name or address, [data for data in (_attached_bytes(part) for part in inner) if data]


COVER_NOTE_MAX = 200  # characters: a forward's own text longer than this is an opinion of its own


def _attached_bytes(part: Message) -> bytes:
    """The message a message/rfc822 part holds, as bytes."""
    data = part.get_payload(decode=True)
    if data is None:
        payload = part.get_payload()
        data = payload[0].as_bytes() if isinstance(payload, list) and payload else b""
    return data


def header_text(value) -> str:
    """A header's text: encoded words decoded (GB2312 read as GB18030), raw 8-bit headers read as UTF-8 or GB18030."""
    if value is None:
        return ""
    pieces = []
    # compat32 gives raw 8-bit header bytes as a Header of charset unknown-8bit, the rest as a string
    for chunk, charset in decode_header(value if isinstance(value, Header) else str(value)):
        if isinstance(chunk, str):  # no encoded word: raw 8-bit bytes come as surrogate escapes
            chunk = chunk.encode("utf-8", "surrogateescape")
        pieces.append(decode_bytes(chunk, charset))
    return "".join(pieces).strip()


def decode_bytes(data: bytes, charset: str | None) -> str:
    charset = (charset or "").lower().strip() or None
    charset = _WIDER.get(charset, charset)
    if charset:
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    for guess in ("utf-8", "gb18030"):
        try:
            return data.decode(guess)
        except UnicodeDecodeError:
            continue
    return data.decode("gb18030", "replace")


def _sender(message: Message) -> tuple[str | None, str | None]:
    raw = message.get("From")
    return _name_and_address(header_text(raw)) if raw is not None else (None, None)


def _name_and_address(value: str) -> tuple[str | None, str | None]:
    """The name and address of a From line (or a forward's 发件人 line): no address without an @, no name repeating the
    address."""
    addresses = getaddresses([value])
    if not addresses:
        return None, None
    name, address = addresses[0]
    name = name.strip().strip('"').strip() or None
    address = address.strip() or None
    if address and "@" not in address:
        address = None
    if name and address and name.lower() == address.lower():
        name = None  # some programs repeat the address as the name
    return name, address


def _received_at(message: Message) -> datetime | None:
    """When the office's own server took the message in: the time of its first (topmost) Received line, which the
    sender does not write; else the Date the sender's program wrote."""
    for value in message.get_all("Received") or []:
        _, _, when = str(value).rpartition(";")
        moment = _moment(when)
        if moment is not None:
            return moment
    return _moment(message.get("Date"))


def _moment(text) -> datetime | None:
    if not text:
        return None
    try:
        moment = parsedate_to_datetime(" ".join(str(text).split()))
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:  # "-0000": the zone is not known; read as UTC, as RFC 5322 says
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


def _automatic(message: Message) -> bool:
    """Not written by a person: an auto-reply (Auto-Submitted, X-Autoreply, Precedence), a delivery report, a post of
    a mailing list."""
    if (message.get("Auto-Submitted") or "no").strip().lower() != "no":
        return True
    if message.get("X-Autoreply") or message.get("X-Autorespond") or message.get("List-Id"):
        return True
    if (message.get("Precedence") or "").strip().lower() in ("bulk", "junk", "list", "auto_reply"):
        return True
    if message.get_content_type() == "multipart/report":
        return True
    address = (_sender(message)[1] or "").lower()
    if address.startswith(("mailer-daemon@", "postmaster@")):
        return True
    # Chinese mail services (QQ, 163, Foxmail, many government ones) send auto-replies with none of those headers:
    # their subject says what they are
    subject = " ".join(header_text(message.get("Subject")).split())
    return bool(AUTOMATIC_SUBJECT.match(subject))


# "自动回复：…", "【自动回复】…", "Auto-Reply: …", "Automatic reply: …", "Out of Office: …", "系统退信"; not "自动回复功能的建议"
AUTOMATIC_SUBJECT = re.compile(
    r"^\s*(?:[【\[(（]\s*)?(?:自动回复|自动答复|自动应答|休假自动回复|系统退信|Auto(?:matic)?[ -]?(?:reply|response)|"
    r"Out of (?:the )?Office|Undeliverable|Delivery Status Notification)(?=\s|[:：】\])）]|$)", re.IGNORECASE)


def _parts(message: Message) -> tuple[str, str, list[tuple[str, bytes]]]:
    """(the plain text, the HTML, the files attached) of a message. Inline images an HTML body shows (a signature's
    logo) are part of the text, not files sent; a message forwarded as an attachment is a file."""
    plain: list[str] = []
    html: list[str] = []
    files: list[tuple[str, bytes]] = []
    for part in _leaves(message):
        disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
        filename = header_text(_filename(part))
        content_type = part.get_content_type()
        if filename or disposition == "attachment" or content_type == "message/rfc822":
            if disposition == "inline" and part.get("Content-ID") and content_type.startswith("image/"):
                continue  # shown by the HTML body (cid:), not sent as a file
            data = _attached_bytes(part) if content_type == "message/rfc822" else part.get_payload(decode=True)
            if not filename and content_type == "message/rfc822":
                subject = header_text(email.message_from_bytes(data).get("Subject")) if data else ""
                filename = (subject or "邮件") + ".eml"
            files.append((filename or "附件", data or b""))
            continue
        if content_type == "text/plain":
            plain.append(decode_bytes(part.get_payload(decode=True) or b"", part.get_content_charset()))
        elif content_type == "text/html":
            html.append(decode_bytes(part.get_payload(decode=True) or b"", part.get_content_charset()))
    return "\n\n".join(plain), "\n\n".join(html), files


def _leaves(part: Message):
    """The parts holding content; a message forwarded as an attachment is one (its own parts are not the text)."""
    if part.get_content_type() == "message/rfc822" or not part.is_multipart():
        yield part
    else:
        for sub in part.get_payload():
            yield from _leaves(sub)


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except (LookupError, UnicodeError):
        name = None
    if name is None:
        # RFC 2231 in a charset Python does not know, or a name only in Content-Type's "name"
        name = part.get_param("name", header="content-type")
        if isinstance(name, tuple):
            name = decode_bytes(bytes(name[2], "latin-1", "replace"), name[0])
    return str(name) if name else None


class _TextOfHtml(HTMLParser):
    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "section"}
    SKIPPED = {"style", "script", "head", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag == "br":
            self.pieces.append("\n")  # a line break; <div><br></div> is an empty line
        elif tag in self.BLOCKS:
            self._line()
        elif tag in ("td", "th"):
            self.pieces.append("\t")

    def handle_endtag(self, tag):
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS and tag != "br":
            self._line()

    def _line(self):
        """A block starts or ends a line (mail programs put each line in a <div>), never an empty one."""
        if self.pieces and not self.pieces[-1].endswith("\n"):
            self.pieces.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.pieces.append(re.sub(r"[ \t\r\n]+", " ", data))


def html_text(html: str) -> str:
    """The text of an HTML body, a paragraph a line (web mail and Outlook send only HTML)."""
    if not html.strip():
        return ""
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    lines = [line.strip() for line in "".join(parser.pieces).replace("\xa0", " ").split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def own_words(text: str) -> str:
    """The text without what a reply quotes of earlier messages, nor the signature after "-- "."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    quoted = _QUOTED.search(text)
    if quoted is not None:
        text = text[:quoted.start()]
    signature = _SIGNATURE.search(text)
    if signature is not None:
        text = text[:signature.start()]
    lines = [line.rstrip() for line in text.split("\n") if not line.lstrip().startswith(">")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


# what follows quoted words to propose others: 建议将“……”修改为“……”, “……”改成“……”, “……”调整为：“……”
_PROPOSED = re.compile(r"[^“「『\"\n。；]{0,8}?(?:修改|更改|改|调整|表述|明确)(?:为|成)[：:]?\s*[“「『\"]([^”」』\"]{1,1000})[”」』\"]")


def proposed_after(text: str, position: int) -> str | None:
    """The wording a letter proposes right after the quoted words ending at ``position`` ("建议将“……”修改为“……”"), or
    None when it goes on otherwise."""
    found = _PROPOSED.match(text, position)
    return found.group(1) if found else None


_MENTION = re.compile(r"第\s*([一二三四五六七八九十百零〇两\d]+)\s*(条|章|节)")


def guess_section(subject: str, body: str, sections) -> tuple[object | None, str | None]:
    """The section a message is about, when its subject (else its first lines) names exactly one: by the section's
    heading (关于“居家养老服务提升行动”的建议), or by its article's number (对第十二条的意见). Returns (section, the words
    that named it), or (None, None): the whole draft."""
    for text in (subject, body[:300]):
        if not text:
            continue
        squeezed = re.sub(r"\s+", "", text)
        by_heading = [s for s in sections if len(_heading(s)) >= 4 and _heading(s) in squeezed]
        if by_heading:
            longest = max(len(_heading(s)) for s in by_heading)
            named = [s for s in by_heading if len(_heading(s)) == longest]
            if len(named) == 1:
                return named[0], _heading(named[0])
        mentioned = {f"第{_as_chinese(number)}{kind}" for number, kind in _MENTION.findall(squeezed)}
        if len(mentioned) == 1:
            (label,) = mentioned
            named = [s for s in sections if s.label == label]
            if len(named) == 1:
                return named[0], label
    return None, None


def _heading(section) -> str:
    return re.sub(r"\s+", "", section.heading or "").rstrip("。.；;：:")


def _as_chinese(number: str) -> str:
    return chinese_number(int(number)) if number.isdecimal() and int(number) < 1000 else number.replace("两", "二")
