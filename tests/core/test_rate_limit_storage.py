"""The rate-limit storage (Redis, PORTAL_RATELIMIT_STORAGE_URI) down or not answering costs a rate-limited request
at most a fraction of a second, never a 500: the limits are counted in each worker's memory meanwhile (portal/
extensions.py, PortalLimiter.init_app). Redis down had failed the login, search, the whole API and even the receipt
page shown after a comment was stored; a Redis that accepts and never answers held /search for over a minute."""
import socket
import time

import pytest

from portal import create_app
from tests.helpers import csrf_token, post_comment, receipt_from, shanghai


def closed_port() -> int:
    with socket.socket() as probe:  # a port nothing listens on (taken, then given back)
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def portal_with_storage(database_url, clock, uri):
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test",
                       "CLOCK": clock.now, "RATELIMIT_STORAGE_URI": uri})


def timed(request):
    started = time.monotonic()
    response = request()
    return response, time.monotonic() - started


@pytest.mark.parametrize("storage", ["closed", "silent"])
def test_the_rate_limited_pages_answer_when_the_rate_limit_storage_does_not(
        app, database_url, clock, import_seed, make_user, request, storage):
    port = closed_port() if storage == "closed" else request.getfixturevalue("silent_port")
    clock.set(shanghai(2023, 4, 21, 9, 0))
    consultation = import_seed("003", opens=shanghai(2023, 4, 20, 9, 0), deadline=shanghai(2023, 5, 20, 23, 59))
    make_user("office", email="office@mz.gov.cn", unit_name="市民政局")
    portal = portal_with_storage(database_url, clock, f"redis://127.0.0.1:{port}/0")
    client = portal.test_client()

    response, took = timed(lambda: client.get("/search?q=养老"))
    assert response.status_code == 200
    assert took < 5  # a few tries of 0.3 s, once: then memory counts until Redis is back
    for url in ("/search?q=社区食堂", "/api/v1/consultations", f"/api/v1/consultations/{consultation.id}"):
        response, took = timed(lambda: client.get(url))
        assert response.status_code == 200, url
        assert took < 2, url
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"csrf_token": token, "email": "office@mz.gov.cn",
                                           "password": "correct horse 1"})
    assert response.status_code == 302  # signed in
    number = receipt_from(post_comment(client, consultation, f"/consultations/{consultation.id}",
                                       body="建议增加社区食堂。", author_name="李四"))
    response, took = timed(lambda: client.get(f"/receipts/{number}"))
    assert response.status_code == 200 and number in response.get_data(as_text=True)
    assert took < 2


def test_the_limits_still_count_in_memory_while_the_storage_is_down(app, database_url, clock, make_user):
    make_user("office", email="office@mz.gov.cn", unit_name="市民政局")
    portal = portal_with_storage(database_url, clock, f"redis://127.0.0.1:{closed_port()}/0")
    client = portal.test_client()
    for _ in range(5):
        token = csrf_token(client, "/login")
        assert client.post("/login", data={"csrf_token": token, "email": "office@mz.gov.cn",
                                           "password": "wrong"}).status_code == 422
    token = csrf_token(client, "/login")
    assert client.post("/login", data={"csrf_token": token, "email": "office@mz.gov.cn",
                                       "password": "correct horse 1"}).status_code == 429


def test_a_deployment_s_own_storage_options_are_kept(app, database_url, clock):
    portal = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test",
                         "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
                         "RATELIMIT_STORAGE_OPTIONS": {"socket_timeout": 2}})
    assert portal.config["RATELIMIT_STORAGE_OPTIONS"] == {"socket_timeout": 2, "socket_connect_timeout": 0.3}
    memory = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test"})
    assert not memory.config.get("RATELIMIT_STORAGE_OPTIONS")  # memory:// takes no socket options
