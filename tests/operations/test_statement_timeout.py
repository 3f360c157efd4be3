"""PostgreSQL's statement timeout (PORTAL_DATABASE_STATEMENT_TIMEOUT, portal/core/postgres.py): a web request whose
query runs past it gets the portal's plain error page instead of hanging its worker; a command (migrations, restores,
reindexing, exports, the workers' passes) is never cut off. A query held up by a lock stands for a runaway one: another
connection locks the comments table for longer than the timeout."""
import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from portal.core import postgres
from portal.extensions import db
from tests.responses.test_responding import responses_url


class Lock:
    """The comments table locked by another connection (as a long migration or a runaway statement would) until
    ``release`` or, at the latest, ``hold`` seconds later: a request that does not give up is not held for ever."""

    def __init__(self, url: str, hold: float):
        self.engine = sa.create_engine(url)
        self.connection = self.engine.connect()
        self.connection.execute(sa.text("LOCK TABLE comments IN ACCESS EXCLUSIVE MODE"))
        self.released = threading.Event()
        self.timer = threading.Timer(hold, self.release)
        self.timer.start()

    def release(self) -> None:
        if not self.released.is_set():
            self.connection.rollback()
            self.connection.close()
            self.engine.dispose()
            self.released.set()


@pytest.fixture
def postgresql_url(database_url):
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no statement timeout")
    return database_url


@pytest.mark.postgres
def test_a_web_request_past_the_timeout_gets_the_plain_error_page_not_a_hang(
        app, client, login, office_consultation, postgresql_url):
    consultation, _comments = office_consultation
    app.config["DATABASE_STATEMENT_TIMEOUT"] = 1
    login("office@example.gov.cn")
    url = responses_url(consultation)
    assert client.get(url).status_code == 200
    db.session.rollback()  # the test's own transaction (its requests share it) reads nothing while the table is locked
    lock = Lock(postgresql_url, hold=20)
    try:
        response = client.get(url)
        assert not lock.released.is_set()  # answered while the lock still held it: cancelled, not waited out
    finally:
        lock.release()
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "网站现在太忙" in page and "请过一会儿再试一次" in page and "请拨打征求意见公告上写的联系电话" in page
    assert "57014" not in page and "statement" not in page.lower()  # no database jargon
    assert response.headers["Retry-After"] == "60"
    assert client.get(url).status_code == 200  # the worker and its connection serve again
    assert db.session.execute(sa.text("SHOW statement_timeout")).scalar() == "1s"  # outside a command: the setting


@pytest.mark.postgres
def test_the_open_data_api_says_it_in_json(app, client, office_consultation, postgresql_url):
    consultation, _comments = office_consultation
    app.config["DATABASE_STATEMENT_TIMEOUT"] = 1
    url = f"/api/v1/consultations/{consultation.id}/comments"
    db.session.rollback()
    lock = Lock(postgresql_url, hold=20)
    try:
        response = client.get(url)
    finally:
        lock.release()
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "busy"


@pytest.mark.postgres
def test_a_command_waits_as_long_as_it_takes(app, client, office_consultation, postgresql_url):
    consultation, comments = office_consultation
    app.config["DATABASE_STATEMENT_TIMEOUT"] = 1
    pending, receipt = comments["pending"].id, comments["pending"].receipt_number
    # a pooled connection is given the web requests' timeout first
    assert client.get(f"/consultations/{consultation.id}").status_code == 200
    db.session.rollback()
    lock = Lock(postgresql_url, hold=3)  # three times the timeout
    try:
        result = app.test_cli_runner().invoke(args=["comments", "approve", receipt])
        assert lock.released.is_set()  # it waited for the lock, past the timeout
    finally:
        lock.release()
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(type(comments["pending"]), pending).status == "approved"


def test_commands_have_no_statement_timeout_and_web_requests_the_setting(app):
    import click

    assert postgres.statement_timeout_ms({"DATABASE_STATEMENT_TIMEOUT": 30}) == 30_000
    assert postgres.statement_timeout_ms({"DATABASE_STATEMENT_TIMEOUT": 0}) == 0
    with click.Context(click.Command("upgrade")):
        assert postgres.statement_timeout_ms({"DATABASE_STATEMENT_TIMEOUT": 30}) == 0
    assert app.config["DATABASE_STATEMENT_TIMEOUT"] == 30  # the default
