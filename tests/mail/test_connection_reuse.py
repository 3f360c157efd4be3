"""The messages of a worker's pass share one SMTP connection (a relay further away costs a handshake, STARTTLS
and a login per connection), and sharing it never loses or doubles a message: a message the server refuses,
a server that closes the connection between two messages, a full connection."""
from collections import Counter

import pytest
from sqlalchemy import select

from portal.extensions import db, mail
from portal.mail.models import OutboxMessage
from portal.mail.worker import Courier, deliver_due
from tests.conftest import SMTPSink
from tests.helpers import post_comment, receipt_from
from tests.mail.conftest import queue_rendered


class CountingSink(SMTPSink):
    """Counts the connections (EHLO) and QUITs; refuses the recipients in ``refused`` for now (450); with
    ``hang_up`` set, a connection that has carried a message is dropped at its next command, unanswered (a
    server whose idle timeout ran out between two messages)."""

    def __init__(self):
        super().__init__()
        self.connections = 0
        self.quits = 0
        self.refused: set[str] = set()
        self.hang_up = False

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "450 4.2.1 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        session.carried = True
        return await super().handle_DATA(server, session, envelope)

    def _gone(self, server, session) -> bool:
        if self.hang_up and getattr(session, "carried", False):
            server.transport.abort()
            return True
        return False

    async def handle_NOOP(self, server, session, envelope, arg):
        return "421 Gone" if self._gone(server, session) else "250 OK"

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self._gone(server, session):
            return "421 Gone"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_QUIT(self, server, session, envelope):
        self.quits += 1
        return "221 Bye"


@pytest.fixture
def sink(app):
    server = CountingSink()
    server.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_SUPPRESS_SEND=False, MAIL_TIMEOUT=5)
    mail.init_app(app)
    yield server
    server.stop()


def _delivered(sink) -> Counter:
    return Counter((tuple(recipients), message["Message-ID"]) for recipients, message in sink.received)


def _statuses() -> dict[str, str]:
    db.session.expire_all()
    return {row.recipient: row.status for row in db.session.scalars(select(OutboxMessage))}


def test_the_messages_of_a_pass_share_one_connection(app, sink):
    recipients = [f"unit{i}@example.gov.cn" for i in range(12)]
    queue_rendered(recipients)
    report = deliver_due(batch=100)
    assert len(report.sent) == 12
    assert sink.connections == 1 and sink.quits == 1  # one connection, closed politely at the end of the pass
    assert sorted(r for (r,), _ in _delivered(sink)) == sorted(recipients)
    assert set(_delivered(sink).values()) == {1}
    assert set(_statuses().values()) == {"sent"}


def test_a_full_connection_is_replaced_before_the_next_message(app, sink):
    app.config["MAIL_MESSAGES_PER_CONNECTION"] = 5
    queue_rendered([f"unit{i}@example.gov.cn" for i in range(12)])
    report = deliver_due(batch=100)
    assert len(report.sent) == 12
    assert sink.connections == 3 and sink.quits == 3  # 5 + 5 + 2
    assert len(sink.received) == 12 and set(_delivered(sink).values()) == {1}


def test_a_refused_message_waits_for_its_retry_and_the_others_go_on_a_new_connection(app, sink, clock):
    recipients = [f"unit{i}@example.gov.cn" for i in range(6)]
    sink.refused = {"unit2@example.gov.cn"}
    queue_rendered(recipients)
    report = deliver_due(batch=100)
    assert len(report.sent) == 5 and len(report.retrying) == 1
    assert sink.connections == 2  # the connection that carried the refused message is not used again
    statuses = _statuses()
    assert statuses.pop("unit2@example.gov.cn") == "pending"
    assert set(statuses.values()) == {"sent"}
    refused = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "unit2@example.gov.cn"))
    assert "450" in refused.last_error

    sink.refused = set()
    clock.advance(minutes=1)
    assert len(deliver_due(batch=100).sent) == 1
    assert sorted(r for (r,), _ in _delivered(sink)) == sorted(recipients)
    assert set(_delivered(sink).values()) == {1}


def test_a_connection_the_server_closed_is_found_out_before_a_message_is_given_to_it(app, sink, monkeypatch):
    monkeypatch.setattr(Courier, "IDLE_SECONDS", -1.0)  # every message after the first: ask with NOOP first
    sink.hang_up = True
    recipients = [f"unit{i}@example.gov.cn" for i in range(4)]
    queue_rendered(recipients)
    report = deliver_due(batch=100)
    assert len(report.sent) == 4 and not report.retrying and not report.failed
    assert sink.connections == 4  # each message found the last connection gone and opened another
    assert set(_delivered(sink).values()) == {1} and len(sink.received) == 4
    assert set(_statuses().values()) == {"sent"}


def test_a_closed_connection_not_asked_first_costs_a_retry_never_a_lost_or_second_message(app, sink, clock,
                                                                                            monkeypatch):
    monkeypatch.setattr(Courier, "IDLE_SECONDS", 3600.0)  # never asked: the next message finds it gone
    sink.hang_up = True
    recipients = [f"unit{i}@example.gov.cn" for i in range(3)]
    queue_rendered(recipients)
    for _ in range(6):
        deliver_due(batch=100)
        clock.advance(minutes=1)
        if set(_statuses().values()) == {"sent"}:
            break
    assert set(_statuses().values()) == {"sent"}
    assert sorted(r for (r,), _ in _delivered(sink)) == sorted(recipients)
    assert set(_delivered(sink).values()) == {1}


def test_a_message_rendered_by_the_worker_keeps_what_it_said_when_it_fails_and_when_it_is_sent(
        app, client, open_003, sink):
    consultation = open_003
    section = next(s for s in consultation.current_draft.sections if "市民政局" in s.unit_names)
    url = f"/consultations/{consultation.id}/sections/{section.anchor}"
    number = receipt_from(post_comment(client, consultation, url, section_id=section.id, body="食堂要办在小区里。"))
    sink.refused = {"mzj@example.gov.cn"}
    report = deliver_due(batch=100)
    assert report.routed == 1 and len(report.sent) == 1 and len(report.retrying) == 1
    db.session.expire_all()
    rows = {row.recipient: row for row in db.session.scalars(select(OutboxMessage))}
    for row in rows.values():  # queued as a template and ids; rendered by the worker, kept whatever the outcome
        assert row.template == "comment" and "食堂要办在小区里。" in row.body_text and row.subject
        assert number in row.body_text + row.body_html + row.subject
    assert (rows["mzj@example.gov.cn"].status, rows["2019787574@qq.com"].status) == ("pending", "sent")
    assert "450" in rows["mzj@example.gov.cn"].last_error
