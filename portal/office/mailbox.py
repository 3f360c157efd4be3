"""Reading the consultation's mailbox (收取邮箱): the notice says "请将意见发送至 xxx@…"; the office tells the portal that
mailbox (an IMAP server, its user and password) and the portal reads its new messages on the clock (the scheduled job
``fetch-mail``, ``flask comments fetch-mail``) or when the office presses 立即收取, recording each as an opinion
received by e-mail exactly as an upload of the saved messages would (portal/office/inbox.py: the sender, the time the
server received it, the section it names, a feedback form attached, forwards, auto-replies left out …).

The messages are only read (``BODY.PEEK``, the folder opened read-only): nothing is marked, moved or deleted, so the
office's own mail program sees its mailbox as before. Each reading remembers the highest UID read (with the folder's
UIDVALIDITY: when the server renumbers, everything is read again); each message is recorded once anyway, by its
Message-ID (migration 0035), so two readings at once (the job on two hosts, the office's button) record nothing twice.
The password is sealed (portal/core/sealing.py) and never shown again. Mail is read from the opening until a week after
the deadline (a letter posted on time arrives late; an e-mail seldom does, but a server may be slow).
"""
from __future__ import annotations

import imaplib
import re
import socket
import ssl
import time
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from portal.audit.services import record_action
from portal.core.sealing import seal, unseal
from portal.core.time import now
from portal.extensions import db
from portal.office.models import SECURITIES, ConsultationMailbox
from portal.office.services import ImportRefused, OfficeError

READ_AFTER_DEADLINE = timedelta(days=7)
BATCH = 50  # messages fetched, and recorded, at a time
TIMEOUT = 30  # seconds to wait for the server (the scheduled job, the command line)
# 立即收取 reads the mailbox inside the office's request, which gunicorn ends after 30 s (its worker timeout) with a
# bare 502: there each step waits for the server at most INTERACTIVE_TIMEOUT seconds (so that the office reads the
# portal's own words about a server that does not answer), and no new batch is begun after INTERACTIVE_BUDGET
# seconds (the scheduled job reads the rest a few minutes later)
INTERACTIVE_TIMEOUT = 10
INTERACTIVE_BUDGET = 12
LOCAL_HOSTS = ("127.0.0.1", "::1", "localhost")
_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,198}[A-Za-z0-9])?$|^[0-9a-fA-F:]+$")


class MailboxError(OfficeError):
    """A mailbox setting refused; ``field`` names the form field; ``message`` is lazy, as an OfficeError's."""


@dataclass
class FetchResult:
    recorded: int = 0
    duplicate: int = 0
    other: int = 0  # auto-replies, late, unreadable: the upload page's outcomes
    error: str | None = None
    problems: list[str] = field(default_factory=list)  # messages not recorded, each said


def mailbox_of(consultation) -> ConsultationMailbox | None:
    """The mailbox set for the consultation, if any."""
    return db.session.scalar(select(ConsultationMailbox).where(ConsultationMailbox.consultation_id == consultation.id))


def save_mailbox(consultation, actor, *, host: str, port: int | None, security: str, username: str,
                 password: str | None, folder: str | None) -> ConsultationMailbox:
    """Set (or change) the consultation's mailbox; an empty password keeps the one saved. Audited (never the
    password). Flushes."""
    host, username, folder = (host or "").strip(), (username or "").strip(), (folder or "").strip() or "INBOX"
    if not _HOST.match(host):
        raise MailboxError("host", _l("请填写收信服务器的地址，例如 imap.example.gov.cn。"))
    if security not in SECURITIES:
        raise MailboxError("security", _l("请选择连接方式。"))
    if security == "none" and host not in LOCAL_HOSTS:
        raise MailboxError("security", _l("不加密的连接会让密码在网上明文传送，只能用于本机的邮件服务器；请选择 SSL 或 STARTTLS。"))
    port = port or (993 if security == "ssl" else 143)
    if not 1 <= port <= 65535:
        raise MailboxError("port", _l("端口要在 1 到 65535 之间。"))
    if not port_allowed(port):
        raise MailboxError("port", _port_refusal())
    if not username:
        raise MailboxError("username", _l("请填写邮箱的用户名（通常就是邮箱地址）。"))
    mailbox = mailbox_of(consultation)
    if mailbox is None and not password:
        raise MailboxError("password", _l("请填写邮箱的密码（或客户端授权码）。"))
    before = _settings(mailbox) if mailbox is not None else None
    if mailbox is None:
        mailbox = ConsultationMailbox(consultation_id=consultation.id, last_uid=0)
        db.session.add(mailbox)
    if (mailbox.host, mailbox.username, mailbox.folder) != (host, username, folder):
        mailbox.uid_validity, mailbox.last_uid = None, 0  # another mailbox: read from its first message
    mailbox.host, mailbox.port, mailbox.security, mailbox.username, mailbox.folder = host, port, security, username, folder
    if password:
        mailbox.sealed_password = seal(password)
    mailbox.last_error = None
    db.session.flush()
    record_action(actor, "mailbox", consultation, consultation_id=consultation.id, before=before,
                  after={**_settings(mailbox), "password_changed": bool(password)})
    return mailbox


def remove_mailbox(consultation, actor) -> None:
    """Stop reading the consultation's mailbox; its password is deleted. Audited."""
    mailbox = mailbox_of(consultation)
    if mailbox is not None:
        record_action(actor, "remove_mailbox", consultation, consultation_id=consultation.id, before=_settings(mailbox))
        db.session.delete(mailbox)
        db.session.flush()


def _settings(mailbox: ConsultationMailbox) -> dict:
    return {"host": mailbox.host, "port": mailbox.port, "security": mailbox.security, "username": mailbox.username,
            "folder": mailbox.folder}


def _allowed_ports() -> str:
    """``MAILBOX_PORTS`` (PORTAL_MAILBOX_PORTS): the ports comma-separated, or "*"."""
    return str(current_app.config.get("MAILBOX_PORTS", "143,993")).replace(" ", "")


def port_allowed(port: int) -> bool:
    """Whether ``MAILBOX_PORTS`` lets a mailbox name ``port``."""
    allowed = _allowed_ports()
    return allowed == "*" or str(port) in allowed.split(",")


def _port_refusal():
    """Lazy (``_l``): a MailboxError's message; ``str()`` where a failure is kept as text on the mailbox."""
    return _l("收信（IMAP）服务器的端口是 %(ports)s。要用其他端口，请管理员设置 PORTAL_MAILBOX_PORTS。",
              ports=_allowed_ports().replace(",", "、"))


def _connect(mailbox: ConsultationMailbox, timeout: float = TIMEOUT) -> imaplib.IMAP4:
    if not port_allowed(mailbox.port):  # saved before the setting narrowed
        raise MailboxPortRefused(mailbox.port)
    if mailbox.security == "ssl":
        return imaplib.IMAP4_SSL(mailbox.host, mailbox.port, ssl_context=ssl.create_default_context(),
                                 timeout=timeout)
    client = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=timeout)
    if mailbox.security == "starttls":
        client.starttls(ssl_context=ssl.create_default_context())
    return client


def _fetched(client: imaplib.IMAP4, uids: list[int]) -> list[tuple[int, bytes]]:
    """The messages of ``uids``, whole, unmarked (BODY.PEEK)."""
    typ, data = client.uid("FETCH", ",".join(map(str, uids)), "(UID BODY.PEEK[])")
    if typ != "OK":
        raise imaplib.IMAP4.error(f"FETCH {typ}")
    messages = []
    for item in data:
        if isinstance(item, tuple) and (found := re.search(rb"UID (\d+)", item[0])):
            messages.append((int(found.group(1)), item[1]))
    return sorted(messages)


def fetch_mailbox(mailbox: ConsultationMailbox, actor, *, interactive: bool = False) -> FetchResult:
    """Read the mailbox's new messages and record them (portal/office/inbox.py), a batch a commit; a failure (the
    server, the password) is kept on the mailbox for the office to see, and what was recorded before it stays.
    ``interactive`` (立即收取, inside a web request): shorter waits, and the batches left after
    ``INTERACTIVE_BUDGET`` seconds are left to the scheduled job (said among the result's problems)."""
    from portal.office.inbox import import_emailed_comments

    consultation, result = mailbox.consultation, FetchResult()
    started = time.monotonic()
    password = unseal(mailbox.sealed_password)
    try:
        if password is None:
            raise imaplib.IMAP4.error(_("保存的密码无法读出（平台的密钥已更换），请重新填写密码。"))
        client = _connect(mailbox, INTERACTIVE_TIMEOUT if interactive else TIMEOUT)
        try:
            client.login(mailbox.username, password)
            typ, _data = client.select(imap_folder_name(mailbox.folder), readonly=True)
            if typ != "OK":
                raise imaplib.IMAP4.error(_("邮箱里没有“%(folder)s”这个文件夹。", folder=mailbox.folder))
            validity = int((client.response("UIDVALIDITY")[1] or [b"0"])[0] or 0)
            if validity != mailbox.uid_validity:
                mailbox.uid_validity, mailbox.last_uid = validity, 0
            typ, data = client.uid("SEARCH", None, f"UID {mailbox.last_uid + 1}:*")
            uids = sorted(uid for uid in map(int, (data[0] or b"").split()) if uid > mailbox.last_uid)
            for start in range(0, len(uids), BATCH):
                if interactive and start and time.monotonic() - started > INTERACTIVE_BUDGET:
                    left = len(uids) - start
                    result.problems.append(ngettext("还有 %(num)d 封新邮件没有收取，平台会在几分钟内自动收取。",
                                                    "还有 %(num)d 封新邮件没有收取，平台会在几分钟内自动收取。", left))
                    break
                messages = _fetched(client, uids[start:start + BATCH])
                imported = import_emailed_comments(
                    consultation, actor, [(f"{mailbox.folder}-{uid}.eml", raw) for uid, raw in messages],
                    messages_max=None)
                for outcome in imported.outcomes:
                    if outcome.kind == "recorded":
                        result.recorded += 1
                    elif outcome.kind == "duplicate":
                        result.duplicate += 1
                    else:
                        result.other += 1
                        if outcome.kind in ("refused", "unreadable"):
                            result.problems.append(f"{outcome.subject}：{outcome.problem}")
                mailbox.last_uid = max([mailbox.last_uid, *(uid for uid, _raw in messages)])
                db.session.commit()  # each batch recorded and remembered: a failure later reads it no more
        finally:
            try:
                client.logout()
            except (imaplib.IMAP4.error, OSError):
                pass
    except (imaplib.IMAP4.error, OSError, ssl.SSLError, ValueError, ImportRefused) as error:
        db.session.rollback()
        result.error = " ".join(map(str, error.messages)) if isinstance(error, ImportRefused) else _failure(error)
        mailbox = db.session.get(ConsultationMailbox, mailbox.id)
        if mailbox is not None:
            mailbox.last_error = result.error
            mailbox.last_fetched_at = now()
            db.session.commit()
        return result
    mailbox.last_fetched_at, mailbox.last_error = now(), None
    mailbox.last_counts = {"recorded": result.recorded, "duplicate": result.duplicate, "other": result.other}
    db.session.commit()
    return result


def imap_folder_name(folder: str) -> str:
    """A folder's name as IMAP spells it (RFC 3501's modified UTF-7: 征求意见 is &X4FsQmEPicE-), quoted when needed."""
    import base64

    encoded, pending = [], []

    def flush() -> None:
        if pending:
            data = "".join(pending).encode("utf-16-be")
            encoded.append("&" + base64.b64encode(data).decode("ascii").rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in folder:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            encoded.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    name = "".join(encoded)
    return name if re.fullmatch(r"[A-Za-z0-9._/&,+-]+", name) else '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


class MailboxPortRefused(Exception):
    """A mailbox saved with a port ``MAILBOX_PORTS`` no longer lets it name."""


def _failure(error: Exception) -> str:
    """Why reading failed, in words an office understands. What a server that is no IMAP server answered is never
    shown: the form would otherwise read the banners of any service (SSH, a database) the portal can reach."""
    if isinstance(error, MailboxPortRefused):
        return str(_port_refusal())
    if isinstance(error, imaplib.IMAP4.abort) or "unexpected response" in str(error) or "greeting" in str(error):
        return _("这个地址和端口上的不是收信（IMAP）服务器，请检查服务器地址、端口和连接方式。")
    if isinstance(error, socket.timeout):
        return _("连接收信服务器超时，请检查服务器地址和端口。")
    if isinstance(error, ssl.SSLError):
        return _("无法和收信服务器建立加密连接（%(detail)s），请检查连接方式和端口。", detail=str(error)[:200])
    if isinstance(error, OSError):
        return _("连接不上收信服务器（%(detail)s），请检查服务器地址和端口。", detail=str(error)[:200])
    text = str(error)
    if "AUTHENTICATIONFAILED" in text.upper() or "LOGIN" in text.upper() and "FAIL" in text.upper():
        return _("邮箱的用户名或密码不对（有的邮箱要用“客户端授权码”代替密码）。")
    return _("读取邮箱失败：%(detail)s", detail=text[:300])


def failing_mailboxes(consultation_ids: list[int]) -> dict[int, str]:
    """The consultations whose mailbox could not be read the last time, with why (the office's dashboard says so)."""
    if not consultation_ids:
        return {}
    return dict(db.session.execute(
        select(ConsultationMailbox.consultation_id, ConsultationMailbox.last_error)
        .where(ConsultationMailbox.consultation_id.in_(consultation_ids),
               ConsultationMailbox.last_error.is_not(None))).all())


def fetch_due_mailboxes() -> dict:
    """Read every mailbox of a published consultation that is open, or closed less than a week ago (the job
    ``fetch-mail``). Each mailbox on its own: one failing does not stop the others."""
    from portal.consultations.models import Consultation

    at = now()
    mailboxes = db.session.scalars(
        select(ConsultationMailbox).join(ConsultationMailbox.consultation)
        .where(Consultation.published_at.is_not(None), Consultation.opens_at <= at,
               Consultation.deadline > at - READ_AFTER_DEADLINE)
        .order_by(ConsultationMailbox.id)).all()
    counts = {"mailboxes": 0, "recorded": 0, "failed": 0}
    for mailbox in mailboxes:
        result = fetch_mailbox(mailbox, "scheduler")
        counts["mailboxes"] += 1
        counts["recorded"] += result.recorded
        counts["failed"] += 1 if result.error else 0
    return counts
