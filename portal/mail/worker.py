"""The outbox worker: plan the mails of newly stored comments (the routing queue), then claim one due outbox
row at a time, send it through Flask-Mail, record the outcome. The messages of a pass share one SMTP
connection (``Courier``): a relay further away costs a TCP handshake, STARTTLS and a login per connection.

A claim is one atomic statement, so two workers never hold the same row: on PostgreSQL the row is picked
with ``SELECT … FOR UPDATE SKIP LOCKED``; on SQLite (one writer at a time) with a conditional
``UPDATE … WHERE status = 'pending'``. Each outcome is committed at once, so a crash loses at most the
record of one send. A claim left in 'sending' longer than MAIL_CLAIM_TIMEOUT (a worker died) goes back
to pending.
"""
from __future__ import annotations

import smtplib
import time
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from flask_mail import Connection, Message
from sqlalchemy import select, update

from portal.core.time import now
from portal.core.workers import runner_id
from portal.extensions import db
from portal.mail.models import COMMENTER_KINDS, OutboxMessage
from portal.mail.retry import ServerUnavailable, describe, is_permanent, is_server_failure, retry_delay
from portal.mail.compose import RenderedMail
from portal.mail.rendering import CannotRender, render
from portal.mail.services import is_unsubscribed, unsubscribe_headers
from portal.mail.wire import PortalMessage
from portal.routing.queue import RoutingFailure, route_queued


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    released: int = 0
    routed: int = 0  # comments of the routing queue whose mails this pass planned
    routing_failures: list[RoutingFailure] = field(default_factory=list)  # comments it could not route
    server_down: str | None = None  # why the SMTP server took no mail: the pass stopped there, the mail waits

    @property
    def handled(self) -> int:
        return len(self.sent) + len(self.retrying) + len(self.failed)


def release_stale_claims() -> int:
    """Rows left in 'sending' by a worker that died go back to the queue."""
    cutoff = now() - timedelta(seconds=current_app.config["MAIL_CLAIM_TIMEOUT"])
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "sending", OutboxMessage.claimed_at < cutoff)
        .values(status="pending", claimed_by=None, claimed_at=None, last_error="发送中断，重新排队")
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


def claim_next(worker_id: str) -> OutboxMessage | None:
    """Atomically take the next due pending row for this worker (and count the attempt); None if none. The row
    comes back with the claim (UPDATE … RETURNING) and detached from the session: the worker reads it and
    keeps what it renders on it until the outcome is recorded."""
    at = now()
    due = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= at)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
    )
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    claimed = db.session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id == due.scalar_subquery(), OutboxMessage.status == "pending")
        .values(
            status="sending", claimed_by=worker_id, claimed_at=at, attempts=OutboxMessage.attempts + 1
        )
        .returning(OutboxMessage)
        .execution_options(synchronize_session=False, populate_existing=True)
    ).one_or_none()
    if claimed is not None:
        db.session.expunge(claimed)  # not expired by the commit: read as claimed, without a second query
    db.session.commit()
    return claimed


def deliver_due(batch: int = 100, worker_id: str | None = None) -> DeliveryReport:
    """One pass: release stale claims, plan the mails of up to ``batch`` queued comments (routing queue), then
    send up to ``batch`` due messages, one claim at a time."""
    worker_id = worker_id or runner_id()
    report = DeliveryReport(released=release_stale_claims())
    report.routed = route_queued(batch, report.routing_failures)
    with Courier() as courier:
        while report.handled < batch:
            message = claim_next(worker_id)
            if message is None:
                break
            rendered = None
            try:
                rendered = _prepare(message)
                files = _files(message)
                db.session.commit()  # only read: ends the transaction before the SMTP server is asked anything
                courier.send(_outgoing(message, files))
            except Exception as error:  # every failure is recorded on the row; the loop goes on
                db.session.rollback()
                if is_server_failure(error):  # no message gets through now: this one waits, uncounted, and the
                    _record_server_failure(message.id, worker_id, error, report)  # pass stops (one timeout a
                    break                                                          # pass, not one a message)
                _record_failure(message.id, worker_id, error, report, rendered)
            else:
                _record_sent(message.id, worker_id, report, rendered)
    return report


def _prepare(message: OutboxMessage) -> RenderedMail | None:
    """Render a message queued as a template and ids (kept on the detached row, stored with its outcome; None
    when it came rendered); refuse one to a commenter who has unsubscribed since it was queued."""
    rendered = None
    if message.body_text is None:
        rendered = render(message)
        for column, value in rendered.sending_columns().items():
            setattr(message, column, value)
    if message.kind in COMMENTER_KINDS:
        if is_unsubscribed(message.recipient):
            raise Unsubscribed("收件人已退订")
        # RFC 8058's one-click link is made here for every commenter mail, not when it is queued: alerts are
        # queued in bulk by one INSERT … SELECT, and the link (a token that unsubscribes the address) is then
        # never stored on the row that the administrator's outbox page shows
        base_url = (message.context or {}).get("base_url")
        message.headers = {**(message.headers or {}), **unsubscribe_headers(message.recipient, base_url)}
    return rendered


def _files(message: OutboxMessage) -> list:
    """The files sent with the comment of a mail to staff (its contact, a responsible unit), when they fit
    MAIL_ATTACHMENTS_MAX_BYTES together; none otherwise (the mail then says so: templates/mail/comment.*)."""
    if message.kind != "comment" or message.comment_id is None:
        return []
    from portal.comments.attachments import attachments_of, files_with_data, mail_carries

    # the sizes first: files too large to travel are not read at all
    if not mail_carries(attachments_of([message.comment_id]).get(message.comment_id, [])):
        return []
    return files_with_data(message.comment_id)


def _outgoing(message: OutboxMessage, files=()) -> PortalMessage:
    outgoing = PortalMessage(
        subject=message.subject,
        recipients=[message.recipient],
        body=message.body_text,
        html=message.body_html,
        extra_headers=dict(message.headers or {}),
    )
    for file in files:  # Flask-Mail writes a Chinese name as RFC 2231 filename*
        outgoing.attach(file.filename, file.content_type, file.data)
    outgoing.msgId = message.message_id
    return outgoing


def _rendered_values(rendered: RenderedMail | None) -> dict:
    """What the worker rendered, stored with the outcome (the administrator's outbox shows what was sent)."""
    return rendered.outbox_columns() if rendered is not None else {}


class Unsubscribed(Exception):
    """The commenter unsubscribed after this message was queued."""


def _record_sent(message_id: int, worker_id: str, report: DeliveryReport, rendered: RenderedMail | None) -> None:
    outbox = OutboxMessage.__table__  # a plain UPDATE: the session holds nothing of this row
    db.session.execute(
        update(outbox)
        .where(outbox.c.id == message_id, outbox.c.claimed_by == worker_id)
        .values(status="sent", sent_at=now(), last_error=None, claimed_by=None, claimed_at=None,
                **_rendered_values(rendered))
    )
    db.session.commit()
    report.sent.append(message_id)


def _record_failure(message_id: int, worker_id: str, error: Exception, report: DeliveryReport,
                    rendered: RenderedMail | None) -> None:
    message = db.session.get(OutboxMessage, message_id, populate_existing=True)
    if message is None or message.claimed_by != worker_id:
        return
    config = current_app.config
    give_up = (
        isinstance(error, (Unsubscribed, CannotRender)) or is_permanent(error) or message.attempts >= config["MAIL_MAX_ATTEMPTS"]
    )
    # a mail with a secret (a sign-in link) is kept unrendered until it is sent: a retry renders it again,
    # and its stored copy leaves the link out
    if rendered is None or rendered.secret is None:
        for key, value in _rendered_values(rendered).items():
            setattr(message, key, value)
    message.last_error = describe(error)
    message.claimed_by = message.claimed_at = None
    if give_up:
        message.status = "failed"
        report.failed.append(message_id)
    else:
        message.status = "pending"
        message.next_attempt_at = now() + retry_delay(
            message.attempts, config["MAIL_RETRY_SECONDS"], config["MAIL_RETRY_MAX_SECONDS"]
        )
        report.retrying.append(message_id)
    logged = (message_id, message.attempts, message.last_error,
              "given up" if give_up else f"tried again at {message.next_attempt_at.isoformat(timespec='seconds')}")
    db.session.commit()
    current_app.logger.warning("mail: message %s (attempt %s) failed: %s; %s", *logged)


def _record_server_failure(message_id: int, worker_id: str, error: Exception, report: DeliveryReport) -> None:
    """The server took no mail: the message goes back to the queue as it was (its attempt not counted, tried again
    after MAIL_RETRY_SECONDS), with the reason on the outbox page; the pass says why it stopped."""
    outbox = OutboxMessage.__table__
    reason = describe(getattr(error, "error", error))
    db.session.execute(
        update(outbox)
        .where(outbox.c.id == message_id, outbox.c.claimed_by == worker_id)
        .values(status="pending", claimed_by=None, claimed_at=None, attempts=outbox.c.attempts - 1,
                last_error=f"邮件服务器没有接收：{reason}"[:1000],
                next_attempt_at=now() + timedelta(seconds=current_app.config["MAIL_RETRY_SECONDS"]))
    )
    db.session.commit()
    report.server_down = reason
    current_app.logger.warning("mail: the SMTP server takes no mail (%s); the outbox waits", reason)


class Courier:
    """The SMTP connection of one pass of the worker: opened for its first message, used for the next ones,
    closed (QUIT) at the end of the pass.

    - A message that fails closes the connection without a word (a server that refused it, or went away half
      way, is not asked again); the next message opens a new one.
    - After ``MAIL_MESSAGES_PER_CONNECTION`` messages the connection is closed and the next message opens a new
      one, before it is sent: relays limit the messages of a session.
    - A connection unused for ``IDLE_SECONDS`` (a slow render or database between two messages) is asked with
      NOOP whether it is still there before it carries a message; if not, a new one is opened. The message
      itself is never sent twice by the courier: whatever fails while it is being sent is the message's failure.
    """

    IDLE_SECONDS = 5.0

    def __init__(self):
        self.connection: TimeoutConnection | None = None
        self.carried = 0  # messages sent on this connection
        self.used_at = 0.0

    def __enter__(self) -> Courier:
        return self

    def __exit__(self, exc_type, exc_value, traceback) -> None:
        self._close(politely=True)

    def send(self, outgoing: Message) -> None:
        if current_app.extensions["mail"].suppress:  # MAIL_SUPPRESS_SEND: built, never sent (tests)
            TimeoutConnection().send(outgoing)
            return
        self._ready()
        try:
            self.connection.send(outgoing)
        except BaseException:
            self._close(politely=False)
            raise
        self.carried += 1
        self.used_at = time.monotonic()

    def _ready(self) -> None:
        if self.connection is not None:
            full = self.carried >= current_app.config["MAIL_MESSAGES_PER_CONNECTION"]
            if full or (time.monotonic() - self.used_at > self.IDLE_SECONDS and not self._answers()):
                self._close(politely=full)
        if self.connection is None:
            connection = TimeoutConnection()
            try:
                connection.host = connection.configure_host()
            except (smtplib.SMTPException, OSError) as error:  # no connection, greeting, STARTTLS or login
                raise ServerUnavailable(error) from error
            self.connection, self.carried, self.used_at = connection, 0, time.monotonic()

    def _answers(self) -> bool:
        try:
            return self.connection.host.noop()[0] == 250
        except (smtplib.SMTPException, OSError):
            return False

    def _close(self, politely: bool) -> None:
        """QUIT, or just close the socket. Once the server has accepted a message (250 after DATA), a server gone
        by the time of QUIT must not make the message count as unsent: it would be sent again (found by the
        reliability test, issue 9); so errors here are ignored."""
        connection, self.connection = self.connection, None
        if connection is None or connection.host is None:
            return
        try:
            if politely:
                connection.host.quit()
        except (smtplib.SMTPException, OSError):
            pass
        finally:
            connection.host.close()


class TimeoutConnection(Connection):
    """Flask-Mail's connection with a timeout, so that a hung SMTP server cannot hold a claim forever. Opened
    and closed by ``Courier``; Flask-Mail's reconnecting after MAIL_MAX_EMAILS (after a message was accepted,
    where a failure would make it look unsent) is not used."""

    def __init__(self):
        super().__init__(current_app.extensions["mail"])

    def send(self, message: Message, envelope_from=None) -> None:
        self.num_emails = -1  # Flask-Mail's own count (it reconnects at MAIL_MAX_EMAILS) stays at 0: the Courier counts
        super().send(message, envelope_from)

    def configure_host(self):
        state, timeout = self.mail, current_app.config["MAIL_TIMEOUT"]
        if state.use_ssl:
            host = smtplib.SMTP_SSL(state.server, state.port, timeout=timeout)
        else:
            host = smtplib.SMTP(state.server, state.port, timeout=timeout)
        try:
            if state.use_tls:
                host.starttls()
            if state.username and state.password:
                host.login(state.username, state.password)
        except BaseException:
            host.close()
            raise
        return host
