"""The worker: nothing lost while the SMTP server is down, each row sent once even with two workers at once."""
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.mail.worker import claim_next, deliver_due
from tests.conftest import SMTPSink
from tests.helpers import csrf_token, post_comment, receipt_from, shanghai
from tests.mail.conftest import queue_rendered


def statuses() -> Counter:
    return Counter(db.session.scalars(select(OutboxMessage.status)))


def message_ids(sink) -> Counter:
    return Counter(message["Message-ID"] for _, message in sink.received)


def test_smtp_server_down_then_back_every_message_delivered_once(app, client, clock, open_003, smtp_server):
    section = next(s for s in open_003.current_draft.sections if "市民政局" in s.unit_names)
    url = f"/consultations/{open_003.id}/sections/{section.anchor}"
    smtp_server.stop()
    numbers = [
        receipt_from(post_comment(client, open_003, url, section_id=section.id, body=f"第{i}条意见。"))
        for i in range(3)
    ]
    assert db.session.scalars(select(OutboxMessage)).all() == []  # the mail worker plans the mails first

    report = deliver_due()
    # the server is down: the first message waits, its attempt not counted, and the pass stops there (one
    # connection tried a pass, not one a message); nothing is given up however long the server stays down
    assert report.routed == 3 and report.handled == 0 and "Connection refused" in report.server_down
    rows = db.session.scalars(select(OutboxMessage)).all()
    # Each comment: the contact (2019787574@qq.com from the notice) and 市民政局.
    assert len(rows) == 6 and {r.recipient for r in rows} == {"2019787574@qq.com", "mzj@example.gov.cn"}
    db.session.expire_all()
    tried = [row for row in db.session.scalars(select(OutboxMessage)) if row.last_error]
    assert len(tried) == 1 and "Connection refused" in tried[0].last_error and tried[0].next_attempt_at > clock.now()
    for _day in range(3):  # a long weekend
        clock.advance(hours=8)
        for _pass in range(6):  # each pass tries the next message due, and puts it off a minute
            assert deliver_due().server_down
        assert deliver_due().server_down is None  # all six put off: nothing due, no connection tried
    db.session.expire_all()
    assert statuses() == Counter({"pending": 6})
    assert db.session.scalar(select(func.max(OutboxMessage.attempts))) == 0

    smtp_server.start()
    clock.advance(minutes=2)
    report = deliver_due()
    assert len(report.sent) == 6
    assert deliver_due().handled == 0
    db.session.expire_all()
    assert statuses() == Counter({"sent": 6})
    assert len(smtp_server.received) == 6
    assert set(message_ids(smtp_server).values()) == {1}
    for recipient in ("2019787574@qq.com", "mzj@example.gov.cn"):
        subjects = sorted(m["Subject"] for m in smtp_server.to(recipient))
        assert len(subjects) == 3 and all(any(n in s for s in subjects) for n in numbers)
    for row in db.session.scalars(select(OutboxMessage)):  # the tries while the server was down not counted
        assert row.attempts == 1 and row.sent_at is not None and row.last_error is None


def _queue(count: int) -> None:
    queue_rendered([f"unit{i % 7}@example.gov.cn" for i in range(count)])


def test_two_workers_at_once_send_each_message_exactly_once(app, smtp_server):
    _queue(40)
    reports, errors = [], []
    start = threading.Barrier(2)

    def work(name):
        try:
            with app.app_context():
                start.wait()
                reports.append(deliver_due(batch=100, worker_id=name))
        except Exception as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(f"worker-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sum(len(r.sent) for r in reports) == 40
    assert not set(reports[0].sent) & set(reports[1].sent)
    assert len(smtp_server.received) == 40
    assert set(message_ids(smtp_server).values()) == {1}
    db.session.expire_all()
    assert statuses() == Counter({"sent": 40})
    assert db.session.scalar(select(func.max(OutboxMessage.attempts))) == 1


def test_a_claimed_row_is_not_claimed_again_but_a_stale_claim_returns(app, clock, smtp_server):
    clock.set(shanghai(2024, 5, 10, 9, 0))
    _queue(1)
    assert claim_next("first") is not None
    assert claim_next("second") is None
    assert deliver_due(worker_id="second").handled == 0  # the claim is fresh: left alone
    clock.advance(seconds=app.config["MAIL_CLAIM_TIMEOUT"] + 1)
    report = deliver_due(worker_id="second")
    assert report.released == 1 and len(report.sent) == 1
    db.session.expire_all()
    assert statuses() == Counter({"sent": 1})


def test_the_mail_worker_claims_with_the_runner_id_of_its_process_and_the_longest_fits(app, clock, monkeypatch):
    """The mail worker names itself as the scheduler and the export worker do (host:pid:token, portal.core.workers);
    a hostname of 300 characters and the largest Linux pid still fit the outbox's column (PostgreSQL refuses more)."""
    from portal.core import workers

    monkeypatch.setattr(workers.socket, "gethostname", lambda: "h" * 300)
    monkeypatch.setattr(workers.os, "getpid", lambda: 4194304)
    monkeypatch.setattr(workers, "_token", None)
    clock.set(shanghai(2024, 5, 10, 9, 0))
    _queue(1)
    claimed = claim_next(workers.runner_id())
    assert claimed is not None
    db.session.expire_all()
    assert db.session.get(OutboxMessage, claimed.id).claimed_by == workers.runner_id()
    assert len(workers.runner_id()) == 80 + 1 + 7 + 1 + 8


class BusySink(SMTPSink):
    """Answers 450 (mailbox busy) to the recipients in ``busy``: a failure about one message, counted."""

    def __init__(self):
        super().__init__()
        self.busy: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.busy:
            return "450 4.2.1 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


class RefusingSink(SMTPSink):
    """Refuses the sender (530: the relay wants a login), as a relay does whose settings are wrong."""

    refuse = True

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.refuse:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        return "250 OK"


def _serve(app, sink) -> None:
    from portal.extensions import mail

    sink.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port, MAIL_SUPPRESS_SEND=False, MAIL_TIMEOUT=5)
    mail.init_app(app)


def test_a_relay_refusing_the_sender_gives_nothing_up(app, clock):
    """A wrong PORTAL_MAIL_DEFAULT_SENDER or a missing login: every message refused at MAIL FROM. They all wait
    (it is the settings, not the messages), uncounted, and go once the relay takes them."""
    sink = RefusingSink()
    _serve(app, sink)
    try:
        clock.set(shanghai(2024, 5, 10, 9, 0))
        _queue(3)
        for _pass in range(20):
            report = deliver_due()
            assert report.handled == 0 and "530" in report.server_down
            clock.advance(hours=1)
        db.session.expire_all()
        assert statuses() == Counter({"pending": 3})
        assert db.session.scalar(select(func.max(OutboxMessage.attempts))) == 0
        sink.refuse = False  # the settings put right
        assert len(deliver_due().sent) == 3 and len(sink.received) == 3
    finally:
        sink.stop()


def test_a_server_that_never_answers_costs_one_wait_a_pass(app, clock, silent_port):
    """A server that accepts the connection and says nothing: the pass waits MAIL_TIMEOUT once and stops, instead
    of once for each message (100 messages × 30 s had held the worker, and the routing of new comments, 50
    minutes)."""
    from portal.extensions import mail

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=silent_port, MAIL_SUPPRESS_SEND=False, MAIL_TIMEOUT=1)
    mail.init_app(app)
    clock.set(shanghai(2024, 5, 10, 9, 0))
    _queue(5)
    report = deliver_due()
    assert report.handled == 0 and "timed out" in report.server_down
    db.session.expire_all()
    assert len([row for row in db.session.scalars(select(OutboxMessage)) if row.last_error]) == 1
    assert statuses() == Counter({"pending": 5})


@pytest.fixture
def busy_sink(app):
    sink = BusySink()
    _serve(app, sink)
    yield sink
    sink.stop()


def test_gives_up_after_the_last_attempt_and_an_administrator_resends(
        app, client, clock, login, make_user, busy_sink, caplog):
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    clock.set(shanghai(2024, 5, 10, 9, 0))
    smtp_server = busy_sink
    smtp_server.busy.add("unit0@example.gov.cn")
    _queue(1)
    assert len(deliver_due().retrying) == 1
    clock.advance(minutes=5)
    assert len(deliver_due().failed) == 1
    # each failed attempt is a line in the worker's log: which message, which attempt, why, what next
    failures = [r.getMessage() for r in caplog.records if "failed: SMTPRecipientsRefused" in r.getMessage()]
    assert len(failures) == 2 and "(attempt 1)" in failures[0] and "tried again at 2024-05-10T01:" in failures[0]
    assert "(attempt 2)" in failures[1] and failures[1].endswith("; given up") and "Mailbox busy" in failures[1]
    clock.advance(days=1)
    assert deliver_due().handled == 0
    row = db.session.scalars(select(OutboxMessage)).one()
    db.session.refresh(row)
    assert (row.status, row.attempts) == ("failed", 2)

    make_user("admin", email="admin@example.gov.cn")
    make_user("office", email="office@example.gov.cn", unit_name="市民政局")
    login("office@example.gov.cn")
    assert client.get("/admin/outbox").status_code == 403
    client.post("/logout")
    login("admin@example.gov.cn")
    page = client.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert "unit0@example.gov.cn" in page and "发送失败" in page and "Mailbox busy" in page
    token = csrf_token(client, "/admin/outbox?status=failed")
    response = client.post(f"/admin/outbox/{row.id}/resend", data={"csrf_token": token})
    assert response.status_code == 303
    db.session.refresh(row)
    assert (row.status, row.attempts) == ("pending", 0)

    smtp_server.busy.clear()
    assert len(deliver_due().sent) == 1
    assert len(smtp_server.received) == 1
    # Resending a sent message makes a new row: each row is still sent at most once.
    client.post(f"/admin/outbox/{row.id}/resend", data={"csrf_token": token})
    assert len(deliver_due().sent) == 1
    assert len(smtp_server.received) == 2
    db.session.expire_all()
    assert statuses() == Counter({"sent": 2})
    assert "已发送（2）" in client.get("/admin/outbox").get_data(as_text=True)
