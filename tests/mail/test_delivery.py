"""The worker: nothing lost while the SMTP server is down, each row sent once even with two workers at once."""
import threading
from collections import Counter

from sqlalchemy import func, select

from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.mail.worker import claim_next, deliver_due
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
    assert report.routed == 3 and len(report.retrying) == 6 and not report.sent
    rows = db.session.scalars(select(OutboxMessage)).all()
    # Each comment: the contact (2019787574@qq.com from the notice) and 市民政局.
    assert len(rows) == 6 and {r.recipient for r in rows} == {"2019787574@qq.com", "mzj@example.gov.cn"}
    db.session.expire_all()
    for row in db.session.scalars(select(OutboxMessage)):
        assert (row.status, row.attempts) == ("pending", 1)
        assert "Connection refused" in row.last_error or "ConnectionRefused" in row.last_error
        assert row.next_attempt_at > clock.now()
    assert deliver_due().handled == 0  # not due yet: back-off

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
    for row in db.session.scalars(select(OutboxMessage)):
        assert row.attempts == 2 and row.sent_at is not None and row.last_error is None


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


def test_gives_up_after_the_last_attempt_and_an_administrator_resends(app, client, clock, login, make_user, smtp_server):
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    clock.set(shanghai(2024, 5, 10, 9, 0))
    _queue(1)
    smtp_server.stop()
    assert len(deliver_due().retrying) == 1
    clock.advance(minutes=5)
    assert len(deliver_due().failed) == 1
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
    assert "unit0@example.gov.cn" in page and "发送失败" in page and "Connection" in page
    token = csrf_token(client, "/admin/outbox?status=failed")
    response = client.post(f"/admin/outbox/{row.id}/resend", data={"csrf_token": token})
    assert response.status_code == 303
    db.session.refresh(row)
    assert (row.status, row.attempts) == ("pending", 0)

    smtp_server.start()
    assert len(deliver_due().sent) == 1
    assert len(smtp_server.received) == 1
    # Resending a sent message makes a new row: each row is still sent at most once.
    client.post(f"/admin/outbox/{row.id}/resend", data={"csrf_token": token})
    assert len(deliver_due().sent) == 1
    assert len(smtp_server.received) == 2
    db.session.expire_all()
    assert statuses() == Counter({"sent": 2})
    assert "已发送（2）" in client.get("/admin/outbox").get_data(as_text=True)
