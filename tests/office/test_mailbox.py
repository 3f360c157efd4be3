"""The consultation's mailbox read by the portal (收取邮箱), against a real IMAP server: Debian's Dovecot, started for each
test on loopback with a mailbox of its own (skipped, with the reason, where Dovecot is not installed or the tests do
not run as root: ./test.sh installs it as root on Debian)."""
import email.utils
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.comments.models import Comment
from portal.extensions import db
from portal.office.models import ConsultationMailbox
from tests.helpers import SilentServer, csrf_token, shanghai

DOVECOT = "/usr/sbin/dovecot"
USER, PASSWORD = "yijian@example.gov.cn", "correct mailbox pass"

CONFIG = """protocols = imap
listen = 127.0.0.1
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
first_valid_gid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/users
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={base}/mail/%u
}}
mail_location = maildir:{base}/mail/%u/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


@dataclass
class ImapServer:
    host: str
    port: int

    def append(self, raw: bytes) -> None:
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        client.login(USER, PASSWORD)
        typ, _data = client.append("INBOX", None, None, raw)
        assert typ == "OK"
        client.logout()

    def append_to(self, folder: str, raw: bytes) -> None:
        """Into a folder of its own, made first (its name as IMAP spells it)."""
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        client.login(USER, PASSWORD)
        client.create(folder)
        typ, _data = client.append(folder, None, None, raw)
        assert typ == "OK"
        client.logout()

    def unseen(self) -> list[bytes]:
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        client.login(USER, PASSWORD)
        client.select("INBOX", readonly=True)
        _typ, data = client.search(None, "UNSEEN")
        client.logout()
        return data[0].split()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def imap_server():
    if not os.path.exists(DOVECOT):
        pytest.skip("no Dovecot (Debian's dovecot-imapd; ./test.sh installs it when run as root on Debian)")
    if os.geteuid() != 0:
        pytest.skip("the test IMAP server (Dovecot) is started as root, which it needs to switch to its own users")
    try:
        owner = pwd.getpwnam("dovecot")
    except KeyError:
        pytest.skip("Dovecot's user is missing: reinstall dovecot-core")
    base = tempfile.mkdtemp(prefix="portal-imap-", dir="/tmp")
    os.chmod(base, 0o755)
    port = _free_port()
    os.makedirs(f"{base}/mail")
    os.chown(f"{base}/mail", owner.pw_uid, owner.pw_gid)
    with open(f"{base}/users", "w", encoding="utf-8") as users:
        users.write(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    with open(f"{base}/dovecot.conf", "w", encoding="utf-8") as config:
        config.write(CONFIG.format(base=base, port=port))
    process = subprocess.Popen([DOVECOT, "-F", "-c", f"{base}/dovecot.conf"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60  # listening: at once as a rule, later under a full run's load
        while process.poll() is None and time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            log = open(f"{base}/dovecot.log", encoding="utf-8", errors="replace").read() if os.path.exists(
                f"{base}/dovecot.log") else ""
            pytest.fail(f"Dovecot did not start: {log[-2000:]}")
        yield ImapServer("127.0.0.1", port)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(base, ignore_errors=True)


def message(number: int, subject: str, body: str, sender: str = "王大爷 <wang@example.cn>") -> bytes:
    return (f"From: {sender}\r\nTo: {USER}\r\nSubject: {subject}\r\n"
            f"Date: {email.utils.format_datetime(shanghai(2023, 4, 25, 10, number))}\r\n"
            f"Message-ID: <{number}@example.cn>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            f"{body}\r\n").encode("utf-8")


@pytest.fixture(autouse=True)
def any_port(app):
    """The test's IMAP server listens on a free port of its own: let a mailbox name any (the deployment's default is
    IMAP's 143 and 993; tested below)."""
    app.config["MAILBOX_PORTS"] = "*"


def emails_url(consultation) -> str:
    return f"/office/consultations/{consultation.id}/comments/emails"


def save(client, consultation, **fields):
    url = emails_url(consultation)
    data = {"csrf_token": csrf_token(client, url), "action": "save", "host": "127.0.0.1", "security": "none",
            "port": "", "username": USER, "password": PASSWORD, "folder": ""}
    data.update(fields)
    return client.post(f"/office/consultations/{consultation.id}/comments/mailbox", data=data)


def press(client, consultation, action: str):
    url = emails_url(consultation)
    return client.post(f"/office/consultations/{consultation.id}/comments/mailbox",
                       data={"csrf_token": csrf_token(client, url), "action": action})


def test_the_portal_reads_the_mailbox_and_records_each_new_message_once(app, client, clock, consultation, office,
                                                                        imap_server):
    clock.set(shanghai(2023, 4, 26, 9, 0))
    imap_server.append(message(1, "对目标要求的意见", "建议把目标提前到2024年。"))
    imap_server.append(message(2, "意见", "希望多建社区食堂。", sender="李阿姨 <li@example.cn>"))
    page = client.get(emails_url(consultation)).get_data(as_text=True)
    assert "自动收取邮箱" in page and "保存收信设置" in page

    saved = save(client, consultation, port=str(imap_server.port))
    assert saved.status_code == 303
    mailbox = db.session.scalar(select(ConsultationMailbox))
    assert mailbox.port == imap_server.port and mailbox.folder == "INBOX"
    assert PASSWORD not in mailbox.sealed_password  # sealed, and never shown again
    page = client.get(emails_url(consultation)).get_data(as_text=True)
    assert PASSWORD not in page and "立即收取" in page and "还没有收取" in page
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "mailbox")).one()
    assert entry.after["password_changed"] is True and PASSWORD not in str(entry.after)

    fetched = press(client, consultation, "fetch")
    text = fetched.get_data(as_text=True)
    assert fetched.status_code == 200 and "收取完成：录入 2 封新邮件中的意见。" in text
    comments = db.session.scalars(select(Comment).order_by(Comment.id)).all()
    assert [(c.channel, c.author_name, c.body) for c in comments] == [
        ("email", "王大爷", "建议把目标提前到2024年。"), ("email", "李阿姨", "希望多建社区食堂。")]
    assert comments[0].section is not None and comments[0].section.heading == "目标要求"  # its subject named it
    assert len(imap_server.unseen()) == 2  # read, not marked: the office's mail program sees them as before

    again = press(client, consultation, "fetch").get_data(as_text=True)
    assert "收取完成：录入 0 封新邮件中的意见。" in again
    imap_server.append(message(3, "再提一条", "养老服务补贴要提高。"))
    output = app.test_cli_runner().invoke(args=["comments", "fetch-mail"])  # the scheduler's job, from cron
    assert output.exit_code == 0 and "收取 1 个邮箱，录入 1 封" in output.output, output.output
    db.session.expire_all()
    assert db.session.scalar(select(ConsultationMailbox.last_uid)) == 3
    assert len(db.session.scalars(select(Comment)).all()) == 3

    # the server renumbers its folder (a new UIDVALIDITY): all read again, nothing recorded twice
    mailbox = db.session.scalar(select(ConsultationMailbox))
    mailbox.uid_validity, mailbox.last_uid = 1, 0
    db.session.commit()
    repeat = app.test_cli_runner().invoke(args=["comments", "fetch-mail", "--consultation", str(consultation.id)])
    assert "录入 0 封，以前已录入 3 封" in repeat.output, repeat.output

    removed = press(client, consultation, "remove")
    assert removed.status_code == 303 and db.session.scalars(select(ConsultationMailbox)).all() == []


def test_a_wrong_password_is_said_and_nothing_is_recorded(app, client, clock, consultation, office, imap_server):
    clock.set(shanghai(2023, 4, 26, 9, 0))
    imap_server.append(message(1, "意见", "建议多设助餐点。"))
    assert save(client, consultation, port=str(imap_server.port), password="wrong").status_code == 303
    failed = press(client, consultation, "fetch")
    assert failed.status_code == 422 and "邮箱的用户名或密码不对" in failed.get_data(as_text=True)
    assert db.session.scalars(select(Comment)).all() == []
    page = client.get(emails_url(consultation)).get_data(as_text=True)
    assert "没有成功：" in page and "邮箱的用户名或密码不对" in page  # the office sees why on its page
    dashboard = client.get("/office/").get_data(as_text=True)  # and on its dashboard
    assert "收取邮箱没有成功：邮箱的用户名或密码不对" in dashboard
    # the right password, the rest kept (an empty password field keeps the saved one)
    assert save(client, consultation, port=str(imap_server.port), password=PASSWORD).status_code == 303
    assert save(client, consultation, port=str(imap_server.port), password="").status_code == 303
    assert "录入 1 封新邮件中的意见" in press(client, consultation, "fetch").get_data(as_text=True)


def test_settings_are_checked_before_anything_is_saved(client, consultation, office):
    refused = save(client, consultation, host="imap.example.gov.cn", security="none")
    assert refused.status_code == 422 and "只能用于本机的邮件服务器" in refused.get_data(as_text=True)
    missing = save(client, consultation, host="", password="")
    assert missing.status_code == 422 and "请填写收信服务器的地址" in missing.get_data(as_text=True)
    no_password = save(client, consultation, host="imap.example.gov.cn", security="ssl", password="")
    assert no_password.status_code == 422 and "请填写邮箱的密码" in no_password.get_data(as_text=True)
    assert db.session.scalars(select(ConsultationMailbox)).all() == []
    saved = save(client, consultation, host="imap.example.gov.cn", security="ssl")
    assert saved.status_code == 303 and db.session.scalar(select(ConsultationMailbox.port)) == 993


def test_a_folder_with_a_chinese_name_is_read(app, client, clock, consultation, office, imap_server):
    from portal.office.mailbox import imap_folder_name

    assert imap_folder_name("征求意见") == "&X4FsQmEPicE-" and imap_folder_name("A&B") == "A&-B"
    assert imap_folder_name("意见 2023") == '"&YQ+JwQ- 2023"'
    clock.set(shanghai(2023, 4, 26, 9, 0))
    imap_server.append_to("&X4FsQmEPicE-", message(1, "意见", "建议多设助餐点。"))  # 征求意见
    imap_server.append(message(2, "别的邮件", "不在这个文件夹里。"))
    assert save(client, consultation, port=str(imap_server.port), folder="征求意见").status_code == 303
    assert "录入 1 封新邮件中的意见" in press(client, consultation, "fetch").get_data(as_text=True)
    missing = save(client, consultation, port=str(imap_server.port), folder="没有的文件夹")
    assert missing.status_code == 303
    failed = press(client, consultation, "fetch")
    assert failed.status_code == 422 and "邮箱里没有“没有的文件夹”这个文件夹。" in failed.get_data(as_text=True)


def test_the_job_reads_the_mailboxes_of_open_consultations_and_a_week_after_the_deadline(app, client, clock,
                                                                                         consultation, office):
    """A mailbox whose server does not answer (nothing listens on its port): tried while the consultation is open
    and in the week after its deadline (its failure kept and counted), no more after that; nothing else is stopped."""
    assert save(client, consultation, port=str(_free_port())).status_code == 303
    runner = app.test_cli_runner()
    clock.set(shanghai(2023, 5, 18, 9, 0))  # six days after the deadline (2023-05-12)
    tried = runner.invoke(args=["comments", "fetch-mail"])
    assert tried.exit_code == 0 and "收取 1 个邮箱，录入 0 封，1 个没有收取成功。" in tried.output, tried.output
    db.session.expire_all()
    assert "连接不上收信服务器" in db.session.scalar(select(ConsultationMailbox.last_error))
    clock.set(shanghai(2023, 5, 20, 9, 0))  # more than a week after it
    assert "收取 0 个邮箱" in runner.invoke(args=["comments", "fetch-mail"]).output
    named = runner.invoke(args=["comments", "fetch-mail", "--consultation", str(consultation.id)])
    assert named.exit_code == 1 and "连接不上收信服务器" in named.output  # asked by name: tried, and said


def test_a_mailbox_names_only_imap_ports_and_no_other_servers_words_are_shown(app, client, consultation, office):
    """The form could make the server knock on any port of any host, and showed what answered (an SSH banner, say):
    a mailbox may now name IMAP's ports only (PORTAL_MAILBOX_PORTS), and a server that is no IMAP server is said to be
    one in plain words, never quoted."""
    import threading

    app.config["MAILBOX_PORTS"] = "143,993"
    refused = save(client, consultation, host="10.0.0.5", security="ssl", port="22")
    assert refused.status_code == 422 and "143、993" in refused.get_data(as_text=True)
    assert db.session.scalars(select(ConsultationMailbox)).all() == []

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]

    def banner():
        connection, _ = listener.accept()
        connection.sendall(b"SSH-2.0-OpenSSH_8.9p1 internal-db-host\r\n")
        connection.close()

    threading.Thread(target=banner, daemon=True).start()
    app.config["MAILBOX_PORTS"] = f"143,993,{port}"  # an administrator opened it
    assert save(client, consultation, port=str(port)).status_code == 303
    text = press(client, consultation, "fetch").get_data(as_text=True)
    listener.close()
    assert "不是收信（IMAP）服务器" in text and "OpenSSH" not in text and "internal-db-host" not in text
    assert "OpenSSH" not in (db.session.scalar(select(ConsultationMailbox.last_error)) or "")


def test_reading_now_waits_for_a_silent_server_less_than_the_web_worker_lives(app, client, consultation, office,
                                                                               monkeypatch):
    """立即收取 reads inside the office's request, which gunicorn ends after 30 s with a bare 502: a server that
    accepts and never answers is given up after INTERACTIVE_TIMEOUT (10 s; shortened here), and the office reads why
    in the portal's words. The scheduled job keeps its 30 s."""
    from portal.office import mailbox

    assert mailbox.INTERACTIVE_TIMEOUT <= 10 and mailbox.INTERACTIVE_BUDGET + mailbox.INTERACTIVE_TIMEOUT < 30
    monkeypatch.setattr(mailbox, "INTERACTIVE_TIMEOUT", 0.5)
    waits = []  # the timeout of each IMAP client the portal makes: how long it waits for each answer

    class IMAP4(imaplib.IMAP4):
        def __init__(self, host, port, timeout=None):
            waits.append(timeout)
            super().__init__(host, port, timeout=timeout)

    monkeypatch.setattr(imaplib, "IMAP4", IMAP4)
    with SilentServer() as silent:  # accepted by the system, never answered
        assert save(client, consultation, port=str(silent.port)).status_code == 303
        response = press(client, consultation, "fetch")
        connections = silent.connections()
    assert response.status_code == 422 and "连接收信服务器超时" in response.get_data(as_text=True)
    assert waits == [mailbox.INTERACTIVE_TIMEOUT]  # its one client waits INTERACTIVE_TIMEOUT for each answer, not 30 s
    assert connections == 1  # one connection, given up, not tried again


def test_reading_now_leaves_a_long_mailbox_s_rest_to_the_job(app, client, clock, consultation, office, imap_server,
                                                             monkeypatch):
    from portal.office import mailbox

    clock.set(shanghai(2023, 4, 26, 9, 0))
    for number in range(1, 4):
        imap_server.append(message(number, "意见", f"第{number}条：建议多设助餐点。"))
    monkeypatch.setattr(mailbox, "BATCH", 1)
    monkeypatch.setattr(mailbox, "INTERACTIVE_BUDGET", 0)  # the time for reading now is up after one batch
    assert save(client, consultation, port=str(imap_server.port)).status_code == 303
    text = press(client, consultation, "fetch").get_data(as_text=True)
    assert "录入 1 封新邮件中的意见" in text and "还有 2 封新邮件没有收取，平台会在几分钟内自动收取。" in text
    output = app.test_cli_runner().invoke(args=["comments", "fetch-mail"])  # the job: no budget
    assert "录入 2 封" in output.output, output.output
    assert len(db.session.scalars(select(Comment)).all()) == 3
