"""The session cookie: a cookie's signature is checked once per worker (portal/core/web.py, issue 9), and the
session still behaves as Flask's: it ends after the lifetime, a forged cookie is no session, and no request
sees what another request wrote into its copy."""
import time

import pytest
from itsdangerous import TimestampSigner


@pytest.fixture
def client(app, make_user):
    """An administrator's browser; each request in an app context of its own, as on a server (else Flask-Login
    keeps the user it loaded on ``g`` from one request to the next)."""
    from tests.helpers import csrf_token
    from tests.security.conftest import IsolatedClient

    make_user("admin", email="admin@example.gov.cn")
    browser = IsolatedClient(app, app.response_class, use_cookies=True)
    response = browser.post("/login", data={"csrf_token": csrf_token(browser, "/login"),
                                            "email": "admin@example.gov.cn", "password": "correct horse 1"})
    assert response.status_code == 302
    return browser


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def test_a_staff_session_ends_after_eight_hours_without_use(app, client, monkeypatch):
    assert client.get("/admin/users").status_code == 200
    assert client.get("/admin/users").status_code == 200  # the cookie as checked before
    started = int(time.time())
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: started + 8 * 3600 - 60)
    assert client.get("/admin/users").status_code == 200  # and signed anew: 8 hours from now
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: started + 16 * 3600 + 60)
    response = client.get("/admin/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_cookie_signed_in_the_future_is_no_session(app, client, monkeypatch):
    assert client.get("/admin/users").status_code == 200
    started = int(time.time())
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: started - 3600)
    assert client.get("/admin/users").status_code == 302


def test_a_forged_or_foreign_cookie_is_no_session(app, client):
    cookie = session_cookie(client)
    assert client.get("/admin/users").status_code == 200
    payload, _, signature = cookie.rpartition(".")
    forged = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    for value in (forged, cookie + "x", "e30.not.signed"):
        client.set_cookie("session", value)
        assert client.get("/admin/users").status_code == 302, value
    client.set_cookie("session", cookie)
    assert client.get("/admin/users").status_code == 200
    app.secret_key = "another secret key of another deployment"  # the same cookie, under other keys
    assert client.get("/admin/users").status_code == 302


def test_each_request_gets_its_own_copy_of_the_session(app):
    interface = app.session_interface
    cookie = interface.get_signing_serializer(app).dumps(
        {"_user_id": "7", "_flashes": [("message", "已保存")], "csrf_token": "t"})
    with app.test_request_context("/", headers={"Cookie": f"session={cookie}"}) as context:
        first = interface.open_session(app, context.request)
        first["_user_id"] = "somebody else"
        first["_flashes"].append(("message", "不应出现在别的请求里"))
        second = interface.open_session(app, context.request)
    assert second["_user_id"] == "7" and second["_flashes"] == [("message", "已保存")]
