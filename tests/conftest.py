"""Fixtures: the app on each database (SQLite always, PostgreSQL when reachable), a movable clock, real objects.

Every test that uses ``app`` runs once per database backend. PostgreSQL is looked for at
``PORTAL_TEST_POSTGRES_URL`` (default: 127.0.0.1:5432, database ``test``, trust auth), in a schema of its
own; where none answers, those runs skip with the reason.
"""
from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.extensions import db

from tests.helpers import SEEDS  # noqa: E402

POSTGRES_URL = os.environ.get(
    "PORTAL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PG_SCHEMA = os.environ.get("PORTAL_TEST_POSTGRES_SCHEMA", f"portal_test_{os.getpid()}")


def _remember_password_hashes() -> None:
    """Hash each test password once a process: scrypt (werkzeug's default, the portal's) costs ~0.1 s by design, and
    the tests make and sign in hundreds of accounts with the same few passwords. The hashes are real scrypt hashes
    and every check is a real check, computed once for each (hash, password)."""
    import functools

    from portal.accounts import models

    models.generate_password_hash = functools.lru_cache(maxsize=None)(models.generate_password_hash)
    models.check_password_hash = functools.lru_cache(maxsize=None)(models.check_password_hash)


_remember_password_hashes()


def _postgres_unavailable() -> str | None:
    try:
        engine = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(sa.text("select 1"))
        engine.dispose()
    except Exception as error:  # any failure to connect means: skip, with the reason
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {error.__class__.__name__}: {str(error).strip()[:200]}"
    return None


class Clock:
    """The portal's clock in tests: starts at real time, can be set or moved."""

    def __init__(self):
        self.current: datetime | None = None

    def now(self) -> datetime:
        return self.current or datetime.now(UTC)

    def set(self, value: datetime) -> None:
        self.current = value.astimezone(UTC)

    def advance(self, **kwargs) -> None:
        self.current = self.now() + timedelta(**kwargs)


def _migrate(app) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        db.engine.dispose()  # its pooled connection, else held until a garbage collection (PostgreSQL's are few)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    """A migrated, empty database for the session: the URL to reach it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'portal.db'}"
        _migrate(create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url}))
        yield url
        return
    reason = _postgres_unavailable()
    if reason:
        pytest.skip(reason)
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE'))
        connection.execute(sa.text(f'CREATE SCHEMA "{PG_SCHEMA}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{separator}options=-csearch_path%3D{PG_SCHEMA}"
    _migrate(create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url}))
    yield url
    with admin.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE'))
    admin.dispose()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def app(database_url, clock, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test",
            "CLOCK": clock.now,
            "COMMENT_RATE_LIMIT": "1000/minute",  # tests post many comments; tests/moderation sets a low one
            "API_RATE_LIMIT": "1000/minute",  # likewise for the public API (tests/api sets a low one)
        }
    )
    app.instance_path = str(tmp_path)
    with app.app_context():
        _empty_tables()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _empty_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        # DELETE, not TRUNCATE: the tables hold a test's few rows, and truncating ~90 tables costs ~0.2 s a test
        # (new files for each); one round trip for all, then the sequences used are set back to 1
        db.session.execute(sa.text("; ".join(f'DELETE FROM "{t.name}"' for t in tables)))
        db.session.execute(sa.text(
            "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, 1, false) FROM pg_sequences"
            " WHERE schemaname = current_schema() AND last_value IS NOT NULL"
        ))
    else:
        for table in tables:
            db.session.execute(table.delete())
    from portal.core.tokens import renew_cache_tokens

    renew_cache_tokens()  # emptied with the rest: one row per token, as the migration leaves them
    db.session.commit()


@pytest.fixture
def seed_path():
    def path(prefix: str) -> Path:
        (match,) = SEEDS.glob(f"{prefix}_*.txt")
        return match

    return path



@pytest.fixture
def import_seed(app, seed_path):
    """Import (and by default publish) a seed through the same service the CLI uses."""
    from portal.consultations.services import publish_consultation
    from portal.drafts.services import import_draft, parse_file

    def load(prefix: str, publish: bool = True, opens=None, deadline=None):
        path = seed_path(prefix)
        text, parsed = parse_file(path.read_bytes(), path.name)
        consultation = import_draft(parsed.to_dict(), text, path.name)
        if publish:
            publish_consultation(consultation, opens, deadline)
        db.session.commit()
        return consultation

    return load


@pytest.fixture
def make_user(app):
    """Create a staff account (and its unit when named)."""
    from portal.accounts.services import create_user
    from portal.units.models import Unit
    from sqlalchemy import select

    def make(role: str = "admin", email: str | None = None, unit_name: str | None = None, password: str = "correct horse 1"):
        unit = None
        if unit_name:
            unit = db.session.scalar(select(Unit).where(Unit.name == unit_name)) or Unit(name=unit_name, emails=[])
            db.session.add(unit)
        user = create_user(email or f"{role}@example.gov.cn", f"{role} user", password, role, unit)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(client):
    """Log in through the login form, as a person would."""
    from tests.helpers import csrf_token

    def do(email: str, password: str = "correct horse 1"):
        token = csrf_token(client, "/login")
        return client.post("/login", data={"csrf_token": token, "email": email, "password": password})

    return do


@pytest.fixture
def silent_port():
    """A listener on 127.0.0.1 that accepts connections and never answers (a hung Redis, database or mail host): its
    port."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(50)
    held, stop = [], threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    server.close()


# --- mail (issue 4): a real SMTP server on loopback that keeps what it receives ---------------------

class SMTPSink:
    """An aiosmtpd server on 127.0.0.1 (free port) collecting every message; can be stopped and restarted.

    It stops as a mail server shuts down: new transactions refused (421), then it waits for those under way (MAIL
    accepted, not yet ended by the answer to DATA or by RSET) to end, at most ``GRACE_SECONDS``. Cut at once, a
    message taken in whose 250 never reached the sender was sent again and received twice: SMTP's own ambiguity
    (RFC 1047), which no sender can close, not the portal's bookkeeping. A fixed half second was not always enough
    on a loaded machine, where the mail workers run at nice 10 (CI, 2026-12-06: one message received twice)."""

    GRACE_SECONDS = 10.0

    def __init__(self):
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.received: list[tuple[list[str], object]] = []  # (envelope recipients, parsed message)
        self.raw: list[bytes] = []  # the same messages as they came over the wire
        self.arrivals: list[tuple[float, object]] = []  # (time.monotonic(), the sender's address) of each message
        self.controller = None
        self.closing = False
        self.under_way: set[int] = set()  # the sessions (by id) in a mail transaction

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.closing:
            return "421 Service closing transmission channel"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        self.under_way.add(id(session))
        return "250 OK"

    async def handle_RSET(self, server, session, envelope):
        self.under_way.discard(id(session))
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import time
        from email import message_from_bytes, policy

        self.arrivals.append((time.monotonic(), session.peer))
        self.raw.append(envelope.original_content)
        self.received.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        self.under_way.discard(id(session))  # the 250 is written with no wait after this (aiosmtpd's smtp_DATA)
        return "250 Message accepted for delivery"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.closing = False
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            import time

            self.closing = True
            deadline = time.monotonic() + self.GRACE_SECONDS
            while self.under_way and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(0.05)  # the last 250 on its way
            self.controller.stop()
            self.controller = None
            self.under_way.clear()

    def to(self, address: str) -> list:
        return [message for recipients, message in self.received if address in recipients]


@pytest.fixture
def smtp_server(app):
    """Point the portal's mail at a live SMTP server on loopback; links in mails use an https base URL."""
    from portal.extensions import mail

    sink = SMTPSink()
    sink.start()
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port, MAIL_SUPPRESS_SEND=False, MAIL_TIMEOUT=5,
        MAIL_DEFAULT_SENDER="公开征求意见平台 <noreply@portal.example.gov.cn>",
        PORTAL_BASE_URL="https://portal.example.gov.cn",
    )
    mail.init_app(app)
    yield sink
    sink.stop()


CONTACT_000 = "yjzj@mzj.example.gov.cn"
UNITS_000 = {"市民政局": ["mzj@example.gov.cn", "laoling@example.gov.cn"], "市发展改革局": ["fgj@example.gov.cn"]}


@pytest.fixture
def routed_000(app, clock, import_seed):
    """Seed 000 open on 2024-05-10 (deadline 2024-06-10), owned by 市民政局, its contact CONTACT_000 and the units
    of UNITS_000 in the directory with their addresses: comments reach the contact and the responsible units."""
    from sqlalchemy import select

    from portal.units.models import Unit
    from tests.helpers import shanghai

    clock.set(shanghai(2024, 5, 10, 9, 0))
    consultation = import_seed("000", deadline=shanghai(2024, 6, 10, 23, 59))
    consultation.contact_office = "市民政局养老服务处"
    consultation.contact_emails = [CONTACT_000]
    for name, emails in UNITS_000.items():
        db.session.add(Unit(name=name, emails=emails))
    db.session.commit()
    consultation.owner_unit_id = db.session.scalar(select(Unit.id).where(Unit.name == "市民政局"))
    db.session.commit()
    return consultation


@pytest.fixture
def open_003(app, clock, import_seed):
    """Seed 003, published and open on 2023-04-20 09:00 (its deadline: 2023-05-12). Test folders that need more
    (a unit with an address, say) define their own."""
    from tests.helpers import shanghai

    clock.set(shanghai(2023, 4, 20, 9, 0))
    return import_seed("003")


@pytest.fixture
def routed_003(app, clock, import_seed):
    """Seed 003 open on 2023-04-20; 市民政局 (responsible for some of its sections) at mzj@example.gov.cn: its
    comments are mailed to the notice's contact and to that unit."""
    from portal.units.models import Unit
    from tests.helpers import shanghai

    clock.set(shanghai(2023, 4, 20, 9, 0))
    consultation = import_seed("003")
    db.session.add(Unit(name="市民政局", emails=["mzj@example.gov.cn"]))
    db.session.commit()
    return consultation


@pytest.fixture
def office_consultation(app, clock, import_seed, make_user):
    """Seed 003 owned by 市民政局, open on 2023-04-20, with comments of every kind (issue 6: responses,
    reports, digests). Office staff: office@example.gov.cn. Returns (consultation, comments by name)."""
    from sqlalchemy import select

    from portal.comments.services import submit_comment
    from portal.units.models import Unit
    from tests.helpers import shanghai

    clock.set(shanghai(2023, 4, 20, 9, 0))
    consultation = import_seed("003")
    make_user("office", unit_name="市民政局")
    consultation.owner_unit_id = db.session.scalar(select(Unit.id).where(Unit.name == "市民政局"))
    sections = consultation.current_draft.sections
    goals, friendly = sections[0], sections[2]  # 一、目标要求; (一) under 二、主要任务
    specs = {
        "goals": (goals, "建议明确养老服务中心的建设标准。", "suggest", "王大爷", "138 0013 8000", "approved"),
        "formula": (friendly, '=HYPERLINK("http://evil.example","点我")', "oppose", "李四", "+86 13800138000", "approved"),
        "whole": (None, "整体赞成。\n希望尽快实施。", "support", None, None, "approved"),
        "pending": (goals, "社区食堂要多开几家。", "suggest", "王大爷", None, "pending"),
        "spam": (goals, "广告广告", "suggest", "推销", "spam@example.com", "spam"),
    }
    comments = {}
    for day, (key, (section, body, stance, name, contact, status)) in enumerate(specs.items()):
        clock.set(shanghai(2023, 4, 20 + day, 10, 0))
        comment = submit_comment(consultation, body, stance, section, author_name=name, author_contact=contact)
        comment.status = status
        comments[key] = comment
    db.session.commit()
    clock.set(shanghai(2023, 5, 1, 9, 0))
    return consultation, comments
