"""The reliability scenario, shared by tests/reliability (seconds) and bench/reliability.py (minutes).

Citizens' browsers (threads, each with its own session and CSRF token) post comments over HTTP to the portal
served by gunicorn (2 sync workers) on 127.0.0.1. Meanwhile: a worker is SIGKILLed in the middle of the
load (gunicorn starts a new one), the SMTP server (aiosmtpd) is taken down and brought back up, and two mail
workers (``flask mail deliver --loop``, as two hosts would run them) run in processes of their own throughout,
at a lower CPU priority than the web workers (``--nice``, portal/core/workers.py);
at the end they run until the routing queue and the outbox are empty. Then the scenario counts:

* every comment whose sender saw a receipt (303 to /receipts/…) is stored exactly once (by receipt number
  and by its text);
* every stored comment has all its routed mails in the outbox (the comment's routing queue row is written
  in the same transaction as the comment; the mail worker turns it into outbox rows), each sent, and each
  received by the SMTP server exactly once (by Message-ID).
"""
from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
VENV_BIN = Path(sys.executable).parent
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
RECEIPT = re.compile(r"/receipts/([0-9]{8}-[A-Z0-9]{6})(#receipt)?$")


@dataclass
class Outcome:
    """What the clients saw and what the database and the SMTP server hold afterwards."""

    attempted: int = 0
    receipts: dict[str, str] = field(default_factory=dict)  # receipt number -> marker in the text
    failed_requests: int = 0  # connection reset / no answer (the killed worker), or an error page
    workers_killed: int = 0
    smtp_outages: int = 0
    stored: int = 0
    stored_without_receipt: int = 0  # stored, but the client never saw the answer (killed after commit)
    receipts_missing: list[str] = field(default_factory=list)
    receipts_duplicated: list[str] = field(default_factory=list)
    routed_expected: int = 0
    routed_in_outbox: int = 0
    routed_sent: int = 0
    routed_received: int = 0
    received_twice: int = 0
    not_received: int = 0
    retried: int = 0  # outbox rows that needed more than one attempt (the SMTP outage)
    mail_worker_nice: list[int] = field(default_factory=list)  # read during the load
    web_worker_nice: list[int] = field(default_factory=list)
    events: list[str] = field(default_factory=list)  # when a worker was killed, the SMTP server went down and up
    twice: list[str] = field(default_factory=list)  # what is known of each message received twice

    @property
    def exactly_once(self) -> bool:
        return (
            not self.receipts_missing and not self.receipts_duplicated
            and self.routed_expected == self.routed_in_outbox == self.routed_sent == self.routed_received
            and self.received_twice == 0 and self.not_received == 0
        )

    def report(self) -> str:
        return "\n".join([
            f"submissions attempted: {self.attempted}; receipts seen by clients: {len(self.receipts)}; "
            f"requests that failed (killed worker or error): {self.failed_requests}",
            f"workers killed with SIGKILL: {self.workers_killed}; SMTP outages: {self.smtp_outages}",
            f"comments stored: {self.stored} (with a receipt: {len(self.receipts) - len(self.receipts_missing)}; "
            f"stored but the client saw no answer: {self.stored_without_receipt})",
            f"receipts missing from the database: {len(self.receipts_missing)}; stored twice: "
            f"{len(self.receipts_duplicated)}",
            f"routed mails: expected {self.routed_expected}, in the outbox {self.routed_in_outbox}, sent "
            f"{self.routed_sent}, received by SMTP {self.routed_received} (twice: {self.received_twice}, never: "
            f"{self.not_received}); retried after the outage: {self.retried}",
            f"exactly once: {'yes' if self.exactly_once else 'NO'}",
            f"nice values during the load: mail workers {self.mail_worker_nice}, web workers {self.web_worker_nice}",
            *([f"events: {'; '.join(self.events)}"] if self.twice else []),
            *self.twice,
        ])


def prepare(app) -> tuple[int, list[tuple[int, str]]]:
    """Seed 003 open now (real time), every unit it names with an address; returns the consultation id and
    (section id, page path) of the sections with responsible units."""
    from portal.consultations.services import publish_consultation
    from portal.core.time import now
    from portal.drafts.services import import_draft, parse_file
    from portal.extensions import db
    from portal.units.models import Unit

    (path,) = (ROOT / "samples").glob("003_*.txt")
    text, parsed = parse_file(path.read_bytes(), path.name)
    consultation = import_draft(parsed.to_dict(), text, path.name)
    publish_consultation(consultation, now() - timedelta(minutes=1), now() + timedelta(days=30))
    names = sorted({n for s in consultation.current_draft.sections for n in s.unit_names or []})
    for number, name in enumerate(names):
        db.session.add(Unit(name=name, emails=[f"unit{number}@units.example.gov.cn"]))
    db.session.commit()
    sections = [(s.id, f"/consultations/{consultation.id}/sections/{s.anchor}")
                for s in consultation.current_draft.sections if s.unit_names]
    return consultation.id, sections


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# The mail workers' wait for the SMTP server's answer: the portal's default (30 s). A server's 250 that comes after
# the worker gave up is a message taken in that the worker sends again, which SMTP cannot tell apart (RFC 1047): with
# 5 s, a run of the whole suite on a loaded machine saw a test server answer the end of a message's data late, and
# that message arrive twice. The outage itself is met at once (421, then a refused connection), whatever this is.
MAIL_TIMEOUT = 30


class Portal:
    """gunicorn with 2 sync workers and two mail workers (as two hosts would run them), child processes of this
    one."""

    def __init__(self, database_url: str, smtp_port: int, instance: Path):
        self.port = free_port()
        self.instance = instance
        self.env = {
            **os.environ, "PYTHONPATH": str(ROOT), "FLASK_APP": "wsgi",
            "PORTAL_DATABASE_URL": database_url, "PORTAL_SECRET_KEY": "reliability",
            "PORTAL_INSTANCE_PATH": str(instance), "PORTAL_COMMENT_RATE_LIMIT": "1000000/minute",
            "PORTAL_MAIL_SERVER": "127.0.0.1", "PORTAL_MAIL_PORT": str(smtp_port),
            "PORTAL_MAIL_SUPPRESS_SEND": "0", "PORTAL_MAIL_TIMEOUT": str(MAIL_TIMEOUT), "PORTAL_MAIL_RETRY_SECONDS": "1",
            "PORTAL_MAIL_RETRY_MAX_SECONDS": "2", "PORTAL_MAIL_MAX_ATTEMPTS": "1000",
            "PORTAL_BASE_URL": "https://portal.example.gov.cn",
        }
        self.server = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "--bind", f"127.0.0.1:{self.port}", "--workers", "2",
             "--log-level", "error", "--chdir", str(ROOT), "wsgi:app"],
            env=self.env, stderr=subprocess.DEVNULL,
        )
        self.mail_workers: list[subprocess.Popen] = []
        self.start_mail_workers()  # they start while gunicorn's workers load the portal
        self._wait()

    def _wait(self, timeout: float = 60.0) -> None:
        """Until the portal answers (gunicorn's workers loaded: slower under a full run's load), or gunicorn ended."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise RuntimeError(f"the portal did not start: gunicorn ended with exit code {self.server.returncode}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/consultations/")
                connection.getresponse().read()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the portal did not start")

    def workers(self) -> list[int]:
        path = Path(f"/proc/{self.server.pid}/task/{self.server.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def kill_a_worker(self) -> int:
        """SIGKILL one gunicorn worker (busy with a request under the load); gunicorn starts another."""
        victim = self.workers()[0]
        os.kill(victim, signal.SIGKILL)
        return victim

    def start_mail_workers(self, count: int = 2) -> None:
        """Two mail workers at once: each routes and sends what the other has not taken."""
        for _ in range(count):
            log = self.instance / f"mail-worker-{len(self.mail_workers)}.log"  # its warnings: what failed, when
            with log.open("ab") as stderr:
                self.mail_workers.append(subprocess.Popen(
                    [str(VENV_BIN / "flask"), "mail", "deliver", "--loop", "--interval", "0.2", "--batch", "50"],
                    env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr,
                ))

    def mail_worker_lines(self) -> list[str]:
        lines = []
        for log in sorted(self.instance.glob("mail-worker-*.log")):
            lines += [f"{log.stem}: {line}" for line in log.read_text(errors="replace").splitlines()]
        return lines

    def stop_mail_workers(self) -> None:
        for worker in self.mail_workers:
            worker.send_signal(signal.SIGINT)  # between two messages: each outcome is committed
        for worker in self.mail_workers:
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        self.mail_workers = []

    def stop(self) -> None:
        self.stop_mail_workers()
        self.server.terminate()
        try:
            self.server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.server.kill()
            self.server.wait()


class Citizen(threading.Thread):
    """One browser: fetch a page (cookie and CSRF token), then post comments until told to stop."""

    def __init__(self, number: int, port: int, consultation_id: int, sections, stop: threading.Event, outcome,
                 lock: threading.Lock):
        super().__init__(daemon=True)
        self.number, self.port, self.consultation_id, self.sections = number, port, consultation_id, sections
        self.stop, self.outcome, self.lock = stop, outcome, lock
        self.cookie = self.token = None

    def _request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body, headers or {})
            response = connection.getresponse()
            return response, response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    def _session(self) -> None:
        section_id, page = self.sections[self.number % len(self.sections)]
        response, html = self._request("GET", page)
        self.cookie = response.getheader("Set-Cookie").split(";")[0]
        self.token = TOKEN.search(html).group(1)

    def run(self) -> None:
        sent = 0
        while not self.stop.is_set():
            try:
                if self.token is None:
                    self._session()
                section_id, _page = self.sections[(self.number + sent) % len(self.sections)]
                marker = f"[c{self.number}-{sent}]"
                sent += 1
                form = urllib.parse.urlencode({
                    "csrf_token": self.token, "section_id": section_id, "parent_id": "", "stance": "suggest",
                    "body": f"建议增加社区养老服务中心的开放时间。{marker}", "author_name": "",
                    "author_contact": "", "website": "",
                })
                with self.lock:
                    self.outcome.attempted += 1
                response, _html = self._request(
                    "POST", f"/consultations/{self.consultation_id}/comments", form,
                    {"Content-Type": "application/x-www-form-urlencoded", "Cookie": self.cookie},
                )
                found = RECEIPT.search(response.getheader("Location") or "") if response.status == 303 else None
                with self.lock:
                    if found:
                        self.outcome.receipts[found.group(1)] = marker
                    else:
                        self.outcome.failed_requests += 1
            except (OSError, http.client.HTTPException, AttributeError):
                with self.lock:
                    self.outcome.failed_requests += 1
                time.sleep(0.05)


def run(app, database_url: str, smtp, instance: Path, seconds: float, citizens: int = 4, kills: int = 1,
        outages: int = 1) -> Outcome:
    """Run the scenario against the migrated, empty database at ``database_url``; ``smtp`` is an SMTPSink
    (tests/conftest.py), already started. ``app`` is used to prepare and to check (in its app context)."""
    from portal.extensions import db

    with app.app_context():
        consultation_id, sections = prepare(app)
        db.session.remove()
    outcome, lock, stop = Outcome(), threading.Lock(), threading.Event()
    portal = Portal(database_url, smtp.port, instance)
    try:
        people = [Citizen(n, portal.port, consultation_id, sections, stop, outcome, lock) for n in range(citizens)]
        for person in people:
            person.start()
        events = sorted([("kill", seconds * (i + 1) / (kills + 1)) for i in range(kills)]
                        + [("smtp", seconds * (i + 0.5) / (outages + 1)) for i in range(outages)], key=lambda e: e[1])
        started = time.monotonic()

        def event(text: str) -> None:
            outcome.events.append(f"{time.monotonic() - started:.2f} s {text}")

        for kind, at in events:
            time.sleep(max(0.0, started + at - time.monotonic()))
            if kind == "kill":
                event(f"web worker {portal.kill_a_worker()} killed")
                outcome.workers_killed += 1
            else:
                event("SMTP server closing (421 to new mail)")
                smtp.stop()
                event("SMTP server stopped")
                outcome.smtp_outages += 1
                _wait_for_a_failed_send(app, timeout=max(10.0, seconds / (2 * (outages + 1))))
                smtp.start()
                event("SMTP server started")
        time.sleep(max(0.0, started + seconds - time.monotonic()))
        outcome.mail_worker_nice = [os.getpriority(os.PRIO_PROCESS, w.pid) for w in portal.mail_workers]
        outcome.web_worker_nice = [os.getpriority(os.PRIO_PROCESS, pid) for pid in portal.workers()]
        stop.set()
        for person in people:
            person.join(timeout=60)
        _drain_outbox(app, timeout=120 + seconds)
    finally:
        portal.stop()
    with app.app_context():
        _count(outcome, smtp, started, portal.mail_worker_lines())
        db.session.remove()
    return outcome


def _failed_sends(app) -> int:
    from sqlalchemy import func, select

    from portal.extensions import db
    from portal.mail.models import OutboxMessage

    with app.app_context():
        found = db.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.last_error.is_not(None))
        )
        db.session.remove()
    return found


def _wait_for_a_failed_send(app, timeout: float) -> None:
    """Keep the SMTP server down until a mail worker has met the outage (a send failed), at most ``timeout``."""
    before = _failed_sends(app)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _failed_sends(app) == before:
        time.sleep(0.1)


def _drain_outbox(app, timeout: float) -> None:
    """Wait until the mail workers have routed and sent everything (they keep running through the outage's
    retries): as long as the routing queue and the outbox keep shrinking, and at most ``timeout`` seconds
    without progress (a faster portal queues more mail in the same time than one worker sends in a fixed
    delay)."""
    from sqlalchemy import func, select

    from portal.extensions import db
    from portal.mail.models import OutboxMessage
    from portal.routing.models import RoutingQueueItem

    deadline, last = time.monotonic() + timeout, None
    with app.app_context():
        while time.monotonic() < deadline:
            waiting = db.session.scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status.in_(("pending", "sending")))
            ) + db.session.scalar(select(func.count()).select_from(RoutingQueueItem))
            db.session.remove()
            if waiting == 0:
                return
            if last is not None and waiting < last:
                deadline = time.monotonic() + timeout
            last = waiting
            time.sleep(0.3)
    raise AssertionError(f"the outbox stopped emptying: {last} comments and messages still waiting after "
                         f"{timeout:.0f} s")


def _count(outcome: Outcome, smtp, started: float, worker_lines: list[str]) -> None:
    from sqlalchemy import select

    from portal.comments.models import Comment
    from portal.extensions import db
    from portal.mail.models import OutboxMessage
    from portal.routing.services import addresses_for, route_section

    comments = db.session.scalars(select(Comment)).all()
    outcome.stored = len(comments)
    by_receipt = Counter(c.receipt_number for c in comments)
    by_marker = Counter(m.group(0) for c in comments if (m := re.search(r"\[c\d+-\d+\]", c.body)))
    for number, marker in outcome.receipts.items():
        if by_receipt[number] == 0:
            outcome.receipts_missing.append(number)
        elif by_receipt[number] > 1 or by_marker[marker] > 1:
            outcome.receipts_duplicated.append(number)
    outcome.stored_without_receipt = sum(1 for c in comments if c.receipt_number not in outcome.receipts)
    for comment in comments:
        outcome.routed_expected += len(addresses_for(route_section(comment.consultation, comment.section)))
    routed = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "comment")).all()
    outcome.routed_in_outbox = len(routed)
    outcome.routed_sent = sum(1 for m in routed if m.status == "sent")
    outcome.retried = sum(1 for m in routed if m.attempts > 1)
    received = Counter(message["Message-ID"] for _recipients, message in smtp.received)
    arrivals = {}
    for (_recipients, message), (at, peer) in zip(smtp.received, smtp.arrivals):
        arrivals.setdefault(message["Message-ID"], []).append(f"{at - started:.2f} s from {peer}")
    for message in routed:
        times = received.get(message.message_id, 0)
        outcome.routed_received += times == 1
        outcome.received_twice += times > 1
        outcome.not_received += times == 0
        if times > 1:  # what is known of it, to tell how it came to be sent twice
            outcome.twice.append(
                f"received twice: outbox row {message.id} (attempts {message.attempts}), received at "
                f"{', '.join(arrivals[message.message_id])}; its workers' lines: "
                + (" | ".join(line for line in worker_lines if f"message {message.id} " in line) or "none"))
