"""A consultation that received opinions and published no answer reminds its drafting office 30, 60 and 90 days
after its deadline, once each time at each address, and no more once some answer is published."""
from email.header import decode_header, make_header

from sqlalchemy import select

from portal.consultations.models import Consultation
from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.mail.worker import deliver_due
from portal.operations.jobs import JOBS
from portal.responses.services import publish_responses, respond_to_comments
from tests.helpers import shanghai

BASE = "https://portal.example.gov.cn"
CONTACT = "2019787574@qq.com"  # the address seed 003's notice gives for opinions


def remind(app) -> str:
    result = app.test_cli_runner().invoke(args=["consultations", "remind-feedback"])
    assert result.exit_code == 0, result.output
    return result.output


def reminders(smtp_server, before: int) -> list:
    return [(to, message) for to, message in smtp_server.received[before:]
            if "请公布意见采纳情况" in str(make_header(decode_header(message["Subject"])))]


def test_the_office_is_reminded_at_30_60_and_90_days(app, clock, office_consultation, smtp_server):
    consultation, comments = office_consultation
    respond_to_comments(consultation, [comments["goals"]], "adopted", "已补充。", "test")  # written, not published
    db.session.commit()
    clock.set(shanghai(2023, 5, 13, 0, 30))
    app.test_cli_runner().invoke(args=["consultations", "close-due"])
    deliver_due()
    before = len(smtp_server.received)

    clock.set(shanghai(2023, 6, 10, 9, 0))  # 29 days: not yet
    assert "共提醒 0 项征求意见。" in remind(app)
    clock.set(shanghai(2023, 6, 12, 9, 0))  # 30 days and a few hours
    assert "（第 1 次）" in remind(app)
    assert "共提醒 0 项征求意见。" in remind(app)  # run again (cron, a second scheduler): nothing new
    deliver_due()
    sent = reminders(smtp_server, before)
    assert sorted(address for to, _m in sent for address in to) == sorted([CONTACT, "office@example.gov.cn"])
    (message,) = [m for to, m in sent if CONTACT in to]
    assert str(make_header(decode_header(message["Subject"]))) == f"请公布意见采纳情况：{consultation.title}"
    text = message.get_body(("plain",)).get_content()
    assert "至今 31 天，共收到意见 4 条，还没有公布意见采纳情况。" in text
    assert "已写好答复 1 条，还有 3 条没有答复。" in text
    assert f"{BASE}/office/consultations/{consultation.id}/responses?answer=unanswered" in text
    assert f"{BASE}/office/report?year=2023" in text
    html = message.get_body(("html",)).get_content()
    assert f'href="{BASE}/consultations/{consultation.id}/feedback"' in html
    assert "138 0013 8000" not in text + html

    clock.set(shanghai(2023, 7, 12, 9, 0))  # 61 days: the second
    assert "（第 2 次）" in remind(app)
    clock.set(shanghai(2023, 8, 11, 9, 0))  # 91 days: the third
    assert "（第 3 次）" in remind(app)
    clock.set(shanghai(2023, 9, 10, 9, 0))  # 121 days: no more (the work report says it)
    assert "共提醒 0 项征求意见。" in remind(app)
    deliver_due()
    assert len(reminders(smtp_server, before)) == 6
    keys = db.session.scalars(select(OutboxMessage.dedup_key).where(OutboxMessage.kind == "feedback_due")).all()
    assert sorted(key.rsplit(":", 1)[0] for key in keys) == sorted(
        f"feedback_due:{consultation.id}:{n}" for n in (1, 1, 2, 2, 3, 3))


def test_published_feedback_stops_the_reminders(app, clock, office_consultation, smtp_server):
    consultation, comments = office_consultation
    clock.set(shanghai(2023, 6, 12, 9, 0))
    assert "（第 1 次）" in remind(app)
    # answers published before the queued reminder goes: it is not sent
    respond_to_comments(db.session.get(Consultation, consultation.id), [comments["goals"]], "adopted", "已补充。",
                        "test")
    publish_responses(db.session.get(Consultation, consultation.id), "test")
    db.session.commit()
    before = len(smtp_server.received)
    deliver_due()
    assert reminders(smtp_server, before) == []
    clock.set(shanghai(2023, 7, 12, 9, 0))
    assert "共提醒 0 项征求意见。" in remind(app)


def test_no_reminder_without_opinions(app, clock, import_seed, make_user, smtp_server):
    clock.set(shanghai(2023, 4, 20, 9, 0))
    import_seed("003")  # nobody commented: nothing to publish (the closing summary says so)
    clock.set(shanghai(2023, 6, 20, 9, 0))
    assert "共提醒 0 项征求意见。" in remind(app)
    assert db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "feedback_due")).all() == []


def test_the_scheduler_reminds(app, clock, office_consultation):
    consultation, _comments = office_consultation
    clock.set(shanghai(2023, 6, 12, 9, 0))
    result = app.test_cli_runner().invoke(args=["jobs", "run"])
    assert result.exit_code == 0, result.output
    assert "提醒 1 项征求意见的起草单位。" in result.output
    assert len(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "feedback_due")).all()) == 2
    (job,) = [job for job in JOBS if job.name == "feedback-reminders"]
    assert job.every.total_seconds() == 3600
