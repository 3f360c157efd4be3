"""Logins are rate-limited per address and e-mail; staff sessions expire."""
import time
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from flask import g
from itsdangerous.timed import TimestampSigner

from tests.helpers import csrf_token


def attempt(client, email, password):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"csrf_token": token, "email": email, "password": password})


def test_too_many_attempts_are_refused_with_a_clear_message(app, client, make_user):
    make_user("office", email="office@mz.gov.cn", unit_name="市民政局")
    for _ in range(5):
        assert attempt(client, "office@mz.gov.cn", "wrong password").status_code == 422
    response = attempt(client, "office@mz.gov.cn", "correct horse 1")  # even the right password now waits
    assert response.status_code == 429
    assert "登录尝试次数太多" in response.get_data(as_text=True)
    assert client.get("/office/").status_code == 302  # not logged in
    # another account from the same address is not locked out by this one's typos
    make_user("admin")
    assert attempt(client, "admin@example.gov.cn", "correct horse 1").status_code == 302


def test_session_cookie_lasts_the_configured_lifetime_and_then_expires(app, client, make_user, login, monkeypatch):
    make_user("admin")
    response = login("admin@example.gov.cn")
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    assert abs(expires - (datetime.now(UTC) + timedelta(hours=8))) < timedelta(minutes=2)
    assert client.get("/admin/users").status_code == 200
    # nine hours later the signed session is no longer accepted, whatever the browser still sends
    later = int(time.time()) + 9 * 3600
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    g.pop("_login_user", None)  # pytest-flask keeps one app context (and g) across the test's requests
    response = client.get("/admin/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_app_made_without_limits_leaves_the_others_limited(app, client, make_user, database_url):
    """The browser tests' server turns rate limits off; apps made before or after it in the same process keep
    theirs (Flask-Limiter keeps one flag for every app; portal.extensions.PortalLimiter reads each app's own)."""
    from portal import create_app

    unlimited = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test",
                            "RATELIMIT_ENABLED": False})
    make_user("office", email="office@mz.gov.cn", unit_name="市民政局")
    for _ in range(5):
        assert attempt(client, "office@mz.gov.cn", "wrong password").status_code == 422
    assert attempt(client, "office@mz.gov.cn", "correct horse 1").status_code == 429
    other = unlimited.test_client()
    for _ in range(7):
        assert attempt(other, "office@mz.gov.cn", "wrong password").status_code == 422
    assert attempt(other, "office@mz.gov.cn", "correct horse 1").status_code == 302


def test_logging_out_ends_the_sessions_a_copied_cookie_would_reopen(app, make_user):
    """Logout had only cleared this browser's cookie: a copy of it (a shared computer, a stolen one) kept working,
    and so did a session left open elsewhere."""
    from tests.helpers import Browser, staff_browser

    make_user("moderator", "mod@example.gov.cn")
    browser = staff_browser(app, "mod@example.gov.cn")
    elsewhere = staff_browser(app, "mod@example.gov.cn")
    cookie = browser.client.get_cookie("session")
    assert browser.get("/moderation").status_code == 200
    copy = Browser(app)
    copy.client.set_cookie("session", cookie.value)
    assert copy.get("/moderation").status_code == 200  # the copy works while the session stands
    browser.post("/logout", data={"csrf_token": csrf_token(browser, "/login")})
    assert copy.get("/moderation").status_code == 302  # to the login page
    assert elsewhere.get("/moderation").status_code == 302


def test_a_change_of_role_or_a_deactivation_ends_the_sessions(app, make_user):
    """Re-activated, the account's old cookies had come back to life."""
    from sqlalchemy import select

    from portal.accounts.models import User
    from portal.extensions import db
    from tests.helpers import staff_browser

    make_user("admin", "admin@example.gov.cn")
    user = make_user("moderator", "mod@example.gov.cn")
    moderator = staff_browser(app, "mod@example.gov.cn")
    assert moderator.get("/moderation").status_code == 200
    admin = staff_browser(app, "admin@example.gov.cn")
    url = f"/admin/users/{user.id}"
    for active in ("", "y"):  # deactivated, then active again
        fields = {"csrf_token": csrf_token(admin, url), "email": "mod@example.gov.cn", "name": "mod user",
                  "role": "moderator", "unit": "0"}
        if active:
            fields["active"] = active
        assert admin.post(url, data=fields).status_code in (302, 303)
    assert db.session.scalar(select(User.active).where(User.id == user.id)) is True
    assert moderator.get("/moderation").status_code == 302  # its session ended with the deactivation


def test_failures_are_counted_per_address_on_any_account_and_nobody_can_lock_an_account_out(app, make_user):
    """The per-address-and-account count let one address try a password on every account without end. A count per
    account from any address is not kept: checked before the password, it would let anyone lock a staff member out."""
    from tests.helpers import Browser

    app.config.update(LOGIN_ADDRESS_FAILURE_LIMIT="8/hour")
    make_user("office", email="office@mz.gov.cn", unit_name="市民政局")

    def try_from(address, email, password="wrong password"):
        browser = Browser(app)
        token = csrf_token(browser, "/login")
        return browser.post("/login", data={"csrf_token": token, "email": email, "password": password},
                            environ_base={"REMOTE_ADDR": address})

    for number in range(8):  # one address, a password on eight accounts (unknown ones count the same)
        assert try_from("10.0.1.1", f"person{number}@example.gov.cn").status_code == 422
    refused = try_from("10.0.1.1", "another@example.gov.cn")
    assert refused.status_code == 429 and "登录尝试次数太多" in refused.get_data(as_text=True)
    for number in range(40):  # forty addresses fail on one account: its owner still logs in
        assert try_from(f"10.0.2.{number}", "office@mz.gov.cn").status_code == 422
    assert try_from("10.0.3.1", "office@mz.gov.cn", "correct horse 1").status_code == 302


def test_an_unknown_account_costs_the_same_hashing_as_a_known_one(app, make_user, monkeypatch):
    """Without it, the time of a refusal told which addresses have accounts."""
    import werkzeug.security

    from portal.accounts import services

    make_user("office", email="office@mz.gov.cn", unit_name="市民政局")
    hashed = []
    real = werkzeug.security.check_password_hash
    monkeypatch.setattr(services, "check_password_hash", lambda *args: hashed.append(1) or real(*args))
    assert services.authenticate("nobody@example.gov.cn", "wrong password") is None
    assert hashed == [1]


class LimiterClock:
    """The rate limits' own clock (the limiter's memory storage reads time.time(), not the portal's clock)."""

    def __init__(self, monkeypatch):
        import types

        import limits.storage.memory

        self.seconds = time.time()
        monkeypatch.setattr(limits.storage.memory, "time", types.SimpleNamespace(time=lambda: self.seconds))

    def advance(self, minutes: float) -> None:
        self.seconds += minutes * 60


def log_in_and_out(app, email="mod@example.gov.cn", password="correct horse 1"):
    """A login in a browser of its own; when it worked, a page of the moderator's, then the logout."""
    from tests.helpers import Browser

    browser = Browser(app)
    token = csrf_token(browser, "/login")
    response = browser.post("/login", data={"csrf_token": token, "email": email, "password": password})
    if response.status_code == 302:
        assert browser.get("/moderation").status_code == 200
        browser.post("/logout", data={"csrf_token": csrf_token(browser, "/login")})
    return response


def test_only_failed_logins_count_and_a_right_password_clears_them(app, make_user, monkeypatch):
    """Successful logins counted too: a moderator logging in and out often was locked out for the hour."""
    limiter_clock = LimiterClock(monkeypatch)
    make_user("moderator", "mod@example.gov.cn")
    for _ in range(25):  # 25 logins in fifty minutes, each followed by a logout
        response = log_in_and_out(app)
        assert response.status_code == 302 and response.headers["Location"].endswith("/moderation")
        limiter_clock.advance(minutes=2)
    # a few typos, then the right password: the typos are forgotten, more typos do not reach the 5 a minute
    for _ in range(2):
        for _ in range(4):
            assert log_in_and_out(app, password="wrong password").status_code == 422
        assert log_in_and_out(app).status_code == 302


def test_twenty_failures_in_an_hour_still_block_with_the_clear_message(app, make_user, monkeypatch):
    limiter_clock = LimiterClock(monkeypatch)
    make_user("moderator", "mod@example.gov.cn")
    for _ in range(20):  # under the 5 a minute, 20 in fifty minutes
        assert log_in_and_out(app, password="wrong password").status_code == 422
        limiter_clock.advance(minutes=2.5)
    response = log_in_and_out(app)  # even the right password now waits
    assert response.status_code == 429 and "登录尝试次数太多" in response.get_data(as_text=True)
    limiter_clock.advance(minutes=11)  # the hour from the first failure is over
    assert log_in_and_out(app).status_code == 302


def test_failures_and_their_clearing_are_kept_in_the_shared_storage(app, database_url, make_user):
    """With Redis (PORTAL_RATELIMIT_STORAGE_URI) every worker counts the same failures, and a right password clears
    them for every worker: nothing of it is kept in a worker's memory."""
    import uuid

    redis = pytest.importorskip("redis")
    from portal import create_app

    server = redis.Redis(host="127.0.0.1", port=6379, socket_timeout=1)
    try:
        server.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    email = f"mod-{uuid.uuid4().hex}@example.gov.cn"  # its keys this test's only, whatever else uses this Redis
    portal = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test",
                         "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"})
    make_user("moderator", email)

    def counted() -> dict[str, int]:
        return {key.decode().rsplit("/", 3)[-3] + "/" + key.decode().rsplit("/", 1)[-1]: int(server.get(key))
                for key in server.scan_iter(f"*|{email}/*")}

    try:
        for _ in range(4):
            assert log_in_and_out(portal, email, password="wrong password").status_code == 422
        assert counted() == {"5/minute": 4, "20/hour": 4}
        assert log_in_and_out(portal, email).status_code == 302
        assert counted() == {}  # cleared where every worker reads it
        for _ in range(10):
            assert log_in_and_out(portal, email).status_code == 302
        assert counted() == {}
    finally:
        for key in server.scan_iter(f"*{email}*"):
            server.delete(key)
