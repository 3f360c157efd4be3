"""CSRF tokens: each signature is verified once per worker (portal/core/csrf.py, issue 9), and every check of
Flask-WTF still holds: a forged token, another browser's token, an expired token or one signed under another
key is refused, and nothing is stored."""
import time

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from portal.comments.models import Comment
from portal.extensions import db
from tests.helpers import csrf_token, shanghai

REFUSED = "您的意见这次没有提交成功"


@pytest.fixture
def client(app):
    """A citizen's browser; each request in an app context of its own, as on a server (else Flask-WTF's token
    would stay on ``g`` from one client to the next)."""
    return browser(app)


def browser(app):
    from tests.security.conftest import IsolatedClient

    return IsolatedClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def page(app, clock, import_seed):
    clock.set(shanghai(2023, 4, 20, 9, 0))
    consultation = import_seed("003")
    return consultation, f"/consultations/{consultation.id}"


def send(client, consultation, token: str, body: str = "建议增加社区食堂。"):
    return client.post(f"/consultations/{consultation.id}/comments", data={
        "csrf_token": token, "stance": "suggest", "body": body, "section_id": "", "parent_id": ""})


def stored() -> int:
    return db.session.scalar(select(func.count()).select_from(Comment))


def test_the_same_token_serves_every_form_of_its_session(client, page):
    consultation, url = page
    token = csrf_token(client, url)
    assert send(client, consultation, token, "第一条意见。").status_code == 303
    assert send(client, consultation, token, "第二条意见。").status_code == 303  # known to this worker now
    assert stored() == 2


def test_a_forged_token_is_refused_even_after_the_real_one_was_seen(client, page):
    consultation, url = page
    token = csrf_token(client, url)
    assert send(client, consultation, token).status_code == 303
    payload, _, signature = token.rpartition(".")
    forged = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    for value in (forged, token + "x", "not.a.token", ""):
        response = send(client, consultation, value)
        assert response.status_code == 400 and REFUSED in response.get_data(as_text=True), value
    assert stored() == 1


def test_another_browsers_token_is_refused(app, client, page):
    consultation, url = page
    theirs = browser(app)
    their_token = csrf_token(theirs, url)
    assert send(theirs, consultation, their_token).status_code == 303
    csrf_token(client, url)  # this browser's session has a token of its own
    assert send(client, consultation, their_token).status_code == 400
    assert stored() == 1


def test_a_token_past_the_time_limit_or_signed_in_the_future_is_refused(app, client, page, monkeypatch):
    consultation, url = page
    app.config["WTF_CSRF_TIME_LIMIT"] = 3600
    token = csrf_token(client, url)
    assert send(client, consultation, token).status_code == 303
    started = int(time.time())
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: started + 3600 - 60)
    assert send(client, consultation, token, "第二条意见。").status_code == 303
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: started + 3600 + 60)
    assert send(client, consultation, token, "第三条意见。").status_code == 400
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: started - 60)
    assert send(client, consultation, token, "第四条意见。").status_code == 400
    assert stored() == 2


def test_a_token_signed_under_another_key_is_refused(app, client, page):
    consultation, url = page
    token = csrf_token(client, url)
    assert send(client, consultation, token).status_code == 303
    app.config["WTF_CSRF_SECRET_KEY"] = "the CSRF key of another deployment"
    assert send(client, consultation, token, "第二条意见。").status_code == 400
    assert stored() == 1
