"""新征求意见提醒: a citizen who asks for it in the account settings gets one mail for each consultation published
(real SMTP server on loopback), in the language they asked in, with its period, how to comment, its link, the
settings link and one-click unsubscribe; once, whatever is published again or retried; none when turned off,
unsubscribed or deleted by the time the worker sends."""
import re
from email.header import decode_header, make_header

import pytest
from sqlalchemy import event, func, select

from portal.citizens.models import Citizen
from portal.consultations.models import Consultation
from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.mail.worker import deliver_due
from portal.units.models import Unit
from tests.citizens.test_sign_in import ADDRESS, BASE, sign_in
from tests.helpers import csrf_token, shanghai

TITLE = "健全基本养老服务体系促进养老服务高质量发展三年行动方案（征求意见稿）"  # seed 003
ISSUER = "市养老服务体系建设工作领导小组办公室"


def subject_of(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def alerts_to(smtp_server, email=ADDRESS) -> list:
    return [m for m in smtp_server.to(email) if subject_of(m).startswith(("新的征求意见：", "New consultation: "))]


def ticked(page: str, name: str) -> bool:
    match = re.search(rf'<input[^>]*id="{name}"[^>]*>', page)
    assert match, name
    return " checked" in match.group(0)


def save_settings(client, **fields):
    """Submit the settings form as a person ticks it: ``mail`` and ``alerts`` present means ticked."""
    data = {"csrf_token": csrf_token(client, "/account/settings"), "name": ""}
    data.update({name: "y" for name, ticked in fields.items() if ticked})
    return client.post("/account/settings", data=data)


def turn_alerts_on(client, smtp_server, email=ADDRESS):
    sign_in(client, smtp_server, email)
    saved = save_settings(client, mail=True, alerts=True)
    assert saved.status_code == 200 and "设置已保存" in saved.get_data(as_text=True)


def publish_by_cli(app, consultation_id, *options):
    result = app.test_cli_runner().invoke(args=["consultations", "publish", str(consultation_id), *options])
    assert result.exit_code == 0, result.output


def alert_rows() -> list[OutboxMessage]:
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "new_consultation")
                              .order_by(OutboxMessage.id)).all()


@pytest.fixture
def unpublished_003(app, clock, import_seed):
    clock.set(shanghai(2023, 4, 20, 9, 0))
    return import_seed("003", publish=False)


def test_a_citizen_who_asked_hears_of_a_consultation_published_on_the_office_page_once(
        app, client, clock, unpublished_003, smtp_server, make_user, login):
    page = client.get("/consultations/").get_data(as_text=True)
    assert 'href="/account/settings"' in page  # the list offers the alerts
    sign_in(client, smtp_server)
    settings = client.get("/account/settings").get_data(as_text=True)
    assert "有新的征求意见发布时，发邮件通知我" in settings
    assert 'id="alerts"' in settings and not ticked(settings, "alerts")  # off by default
    assert "设置已保存" in save_settings(client, mail=True, alerts=True).get_data(as_text=True)
    assert ticked(client.get("/account/settings").get_data(as_text=True), "alerts")
    neighbour = app.test_client()
    sign_in(neighbour, smtp_server, "neighbour@example.cn")  # an account with the alerts left off
    deliver_due()  # the sign-in mails

    # The office publishes on its page.
    make_user("office", email="office@example.gov.cn", unit_name="市民政局")
    unpublished_003.owner_unit_id = db.session.scalar(select(Unit.id).where(Unit.name == "市民政局"))
    db.session.commit()
    office = app.test_client()
    token = csrf_token(office, "/login")
    office.post("/login", data={"csrf_token": token, "email": "office@example.gov.cn", "password": "correct horse 1"})
    url = f"/office/consultations/{unpublished_003.id}/publish"
    published = office.post(url, data={"csrf_token": csrf_token(office, url), "opens": "now",
                                       "deadline_date": "2023-05-31", "deadline_time": "17:30",
                                       "comment_visibility": "public"})
    assert published.status_code == 302, published.get_data(as_text=True)[:500]
    report = deliver_due()
    (mail,) = alerts_to(smtp_server)
    assert report.sent and alerts_to(smtp_server, "neighbour@example.cn") == []
    assert subject_of(mail) == f"新的征求意见：{TITLE}"
    text = mail.get_body(("plain",)).get_content()
    assert f"“{TITLE}”" in text and f"发布单位：{ISSUER}" in text
    assert "征求意见时间：2023年4月20日 09:00 至 2023年5月31日 17:30" in text
    assert "怎样提意见" in text and "以后才能提交意见" not in text and "不公开" not in text
    lines = text.splitlines()
    assert f"{BASE}/consultations/{unpublished_003.id}" in lines and f"{BASE}/account/settings" in lines
    assert mail["List-Unsubscribe"].startswith(f"<{BASE}/mail/unsubscribe/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["List-Unsubscribe"].strip("<>") in text
    html = mail.get_body(("html",)).get_content()
    assert f'href="{BASE}/consultations/{unpublished_003.id}"' in html and f'href="{BASE}/account/settings"' in html
    citizen = db.session.scalars(select(Citizen).where(Citizen.email == ADDRESS)).one()
    (row,) = alert_rows()
    assert row.dedup_key == f"new_consultation:{unpublished_003.id}:{citizen.id}" and row.status == "sent"

    # Published again (the CLI refuses: published once), then taken down and published once more, two workers: still
    # one mail.
    assert app.test_cli_runner().invoke(args=["consultations", "publish", str(unpublished_003.id)]).exit_code != 0
    consultation = db.session.get(Consultation, unpublished_003.id)
    consultation.published_at = None
    db.session.commit()
    publish_by_cli(app, unpublished_003.id)
    deliver_due(worker_id="first")
    deliver_due(worker_id="second")
    assert len(alerts_to(smtp_server)) == 1 and len(alert_rows()) == 1


def test_an_upcoming_private_consultation_is_announced_with_its_opening_and_a_retry_sends_once(
        app, client, clock, unpublished_003, smtp_server):
    turn_alerts_on(client, smtp_server)
    smtp_server.stop()  # the mail server is down when the worker first tries
    publish_by_cli(app, unpublished_003.id, "--opens", "2023-05-01T09:00", "--deadline", "2023-06-01T23:59",
                   "--comments", "private")
    report = deliver_due()
    (row,) = alert_rows()
    assert report.server_down and row.status == "pending" and row.attempts == 0 and row.last_error
    smtp_server.start()
    clock.advance(minutes=5)
    deliver_due()
    deliver_due()
    (mail,) = alerts_to(smtp_server)
    text = mail.get_body(("plain",)).get_content()
    assert "征求意见时间：2023年5月1日 09:00 至 2023年6月1日 23:59" in text
    assert "现在还没有开始：2023年5月1日 09:00 以后才能提交意见。" in text
    assert "这次收到的意见不公开，只有起草单位能看到。" in text


def test_the_mail_comes_in_the_language_the_alerts_were_turned_on_in(app, client, unpublished_003, smtp_server):
    client.get("/settings/language/en")
    sign_in(client, smtp_server)
    page = client.get("/account/settings").get_data(as_text=True)
    assert "Send me an email when a new consultation is published" in page
    save_settings(client, mail=True, alerts=True)
    client.get("/settings/language/zh_CN")
    save_settings(client, mail=True, alerts=True)  # saved again in Chinese: the alerts stay English
    assert db.session.scalars(select(Citizen.alerts_language)).one() == "en"
    publish_by_cli(app, unpublished_003.id)
    deliver_due()
    (mail,) = alerts_to(smtp_server)
    assert subject_of(mail) == f"New consultation: {TITLE}"
    text = mail.get_body(("plain",)).get_content()
    assert "Open for comments: 20 April 2023, 09:00 to 12 May 2023, 23:59" in text
    assert "How to comment" in text and "To stop these alerts" in text


def test_no_alert_when_off_unsubscribed_deleted_or_turned_off_before_sending(
        app, client, clock, import_seed, unpublished_003, smtp_server):
    turn_alerts_on(client, smtp_server)
    unsubscribed, deleted = app.test_client(), app.test_client()
    turn_alerts_on(unsubscribed, smtp_server, "gone@example.cn")
    turn_alerts_on(deleted, smtp_server, "deleted@example.cn")
    deliver_due()
    # one-click unsubscribe, as a mail client does it: no alert queued at all
    from portal.mail.links import unsubscribe_token

    assert client.post(f"/mail/unsubscribe/{unsubscribe_token('gone@example.cn')}",
                       data={"List-Unsubscribe": "One-Click"}).status_code == 200
    publish_by_cli(app, unpublished_003.id)
    assert sorted(row.recipient for row in alert_rows()) == ["deleted@example.cn", ADDRESS]
    # before the worker sends: one account is deleted, the other turns the alerts off
    assert deleted.post("/account/delete", data={"csrf_token": csrf_token(deleted, "/account/delete")}
                        ).status_code == 200
    assert save_settings(client, mail=True).status_code == 200
    assert db.session.scalars(select(Citizen.consultation_alerts).where(Citizen.email == ADDRESS)).one() is False
    deliver_due()
    for email in (ADDRESS, "gone@example.cn", "deleted@example.cn"):
        assert alerts_to(smtp_server, email) == [], email
    rows = alert_rows()
    assert [row.status for row in rows] == ["failed", "failed"]
    assert all("关闭了新征求意见提醒" in row.last_error for row in rows)


def test_a_consultation_closed_when_published_is_not_announced(app, client, clock, import_seed, smtp_server):
    """load-samples publishes old drafts with their real dates: nobody is told of a consultation already over."""
    clock.set(shanghai(2023, 6, 1, 9, 0))
    turn_alerts_on(client, smtp_server)
    import_seed("003", opens=shanghai(2023, 4, 12), deadline=shanghai(2023, 5, 12, 23, 59, 59))
    assert alert_rows() == []


def test_alerts_without_mail_are_refused_with_a_message(app, client, unpublished_003, smtp_server):
    sign_in(client, smtp_server)
    refused = save_settings(client, alerts=True)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "不接收邮件，就收不到新征求意见的提醒" in page and 'href="#alerts"' in page
    assert db.session.scalars(select(Citizen.consultation_alerts)).one() is False
    client.get("/settings/language/en")
    english = save_settings(client, alerts=True).get_data(as_text=True)
    assert "Without mail from us you cannot get alerts of new consultations" in english


def test_thousands_of_subscribers_are_queued_by_a_few_statements(app, clock, unpublished_003):
    """Publishing writes every alert with one INSERT … SELECT, not one statement (or one Python row) per citizen;
    each row has a Message-ID of its own, and the one-click unsubscribe link is made when the mail is sent."""
    clock.set(shanghai(2023, 4, 20, 9, 0))
    db.session.execute(Citizen.__table__.insert(), [
        {"email": f"c{n}@example.cn", "created_at": clock.now(), "session_epoch": 0, "consultation_alerts": n % 4 > 0,
         "alerts_language": "en" if n % 2 else "zh_CN"} for n in range(2400)])
    db.session.commit()
    outbox_inserts = []

    def count(_conn, _cursor, statement, parameters, _context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO OUTBOX"):
            outbox_inserts.append(executemany)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        publish_by_cli(app, unpublished_003.id)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.kind == "new_consultation")) == 1800
    assert outbox_inserts == [False]  # one statement, not an executemany
    ids = db.session.scalars(select(OutboxMessage.message_id).where(OutboxMessage.kind == "new_consultation")).all()
    assert len(set(ids)) == 1800 and all(i.startswith("<alert.") and i.endswith("@localhost>") for i in ids)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.kind == "new_consultation", OutboxMessage.language == "en")) == 1200
