"""An SMTP server that accepts a message and then drops the connection at QUIT: the message was delivered,
so the worker records it as sent and never sends it again."""
from sqlalchemy import select

from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.mail.worker import deliver_due
from tests.conftest import SMTPSink
from tests.helpers import post_comment, receipt_from, shanghai


class RudeSink(SMTPSink):
    async def handle_QUIT(self, server, session, envelope):
        server.transport.abort()  # gone before it says 221
        return "221 Bye"


def test_a_server_gone_at_quit_does_not_cause_a_second_delivery(app, client, clock, import_seed):
    from portal.extensions import mail

    sink = RudeSink()
    sink.start()
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port, MAIL_SUPPRESS_SEND=False, MAIL_TIMEOUT=5,
                          MAIL_RETRY_SECONDS=0)
        mail.init_app(app)
        clock.set(shanghai(2023, 4, 20, 9, 0))
        consultation = import_seed("003")
        receipt_from(post_comment(client, consultation, f"/consultations/{consultation.id}", body="整体赞成。"))
        first = deliver_due()
        second = deliver_due()
    finally:
        sink.stop()
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert rows and {row.status for row in rows} == {"sent"}
    assert len(first.sent) == len(rows) and first.retrying == [] and second.handled == 0
    assert len(sink.received) == len(rows)
