"""The rate-limit storage (Redis, PORTAL_RATELIMIT_STORAGE_URI) down or not answering is tried by a rate-limited
request once, never a 500, and then not again until its retry is due: the limits are counted in each worker's memory
meanwhile (portal/extensions.py, PortalLimiter.init_app). Redis down had failed the login, search, the whole API and
even the receipt page shown after a comment was stored; a Redis that accepts and never answers held /search for over a
minute. Checked by the tries made (the commands sent to Redis, the connections it accepted), not by the time taken."""
import socket
import time
import types

import flask_limiter._extension
import pytest
import redis

from portal import create_app
from portal.extensions import REDIS_TIMEOUT, limiter
from tests.helpers import SilentServer, csrf_token, post_comment, receipt_from, shanghai


def closed_port() -> int:
    with socket.socket() as probe:  # a port nothing listens on (taken, then given back)
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def portal_with_storage(database_url, clock, uri):
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test",
                       "CLOCK": clock.now, "RATELIMIT_STORAGE_URI": uri})


class RetryClock:
    """The clock by which Flask-Limiter tries a dead storage again (time.time(), not the portal's clock)."""

    def __init__(self, monkeypatch):
        self.seconds = time.time()
        clock = types.SimpleNamespace(**{name: getattr(time, name) for name in dir(time) if not name.startswith("_")})
        clock.time = lambda: self.seconds
        monkeypatch.setattr(flask_limiter._extension, "time", clock)

    def advance(self, seconds: float) -> None:
        self.seconds += seconds


@pytest.mark.parametrize("storage", ["closed", "silent"])
def test_the_rate_limited_pages_answer_when_the_rate_limit_storage_does_not(
        app, database_url, clock, import_seed, make_user, monkeypatch, storage):
    retry_clock = RetryClock(monkeypatch)
    commands = []  # each command sent to Redis: one try of the storage
    send = redis.Redis.execute_command
    monkeypatch.setattr(redis.Redis, "execute_command",
                        lambda client, *args, **options: commands.append(args[0]) or send(client, *args, **options))
    silent = SilentServer() if storage == "silent" else None
    port = silent.port if silent else closed_port()
    clock.set(shanghai(2023, 4, 21, 9, 0))
    consultation = import_seed("003", opens=shanghai(2023, 4, 20, 9, 0), deadline=shanghai(2023, 5, 20, 23, 59))
    make_user("office", email="office@mz.gov.cn", unit_name="市民政局")
    try:
        portal = portal_with_storage(database_url, clock, f"redis://127.0.0.1:{port}/0")
        pool = limiter.storage.storage.connection_pool  # a silent Redis is given up after REDIS_TIMEOUT
        assert (pool.connection_kwargs["socket_timeout"], pool.connection_kwargs["socket_connect_timeout"]) == (
            REDIS_TIMEOUT, REDIS_TIMEOUT)
        client = portal.test_client()

        def tries(request) -> int:
            """The request's tries of the storage; for the silent one, each a connection (none kept)."""
            before, connected = len(commands), silent.connections() if silent else 0
            response = request()
            assert response.status_code == 200, response.request.path
            made = len(commands) - before
            if silent:
                assert silent.connections() - connected == made
            return made

        # found dead by the first request, which tries it again at once (as a worker that has run a while does)
        assert tries(lambda: client.get("/search?q=养老")) == 2
        for url in ("/search?q=社区食堂", "/api/v1/consultations", f"/api/v1/consultations/{consultation.id}"):
            assert tries(lambda: client.get(url)) == 0, url  # counted in memory, no wait for Redis
        token = csrf_token(client, "/login")
        response = client.post("/login", data={"csrf_token": token, "email": "office@mz.gov.cn",
                                               "password": "correct horse 1"})
        assert response.status_code == 302  # signed in
        number = receipt_from(post_comment(client, consultation, f"/consultations/{consultation.id}",
                                           body="建议增加社区食堂。", author_name="李四"))
        assert tries(lambda: client.get(f"/receipts/{number}")) == 0
        assert number in client.get(f"/receipts/{number}").get_data(as_text=True)
        assert commands.count("PING") == 1 and len(commands) == 2  # the login and the comment tried it no more
        # tried again 2 s after the last try, then 4 s after that: once each time, and the page still answers
        for wait in (2, 4):
            retry_clock.advance(wait - 0.5)
            assert tries(lambda: client.get("/api/v1/consultations")) == 0
            retry_clock.advance(1)
            assert tries(lambda: client.get("/api/v1/consultations")) == 1
            assert commands[-1] == "PING"
            assert tries(lambda: client.get("/search?q=养老")) == 0
    finally:
        if silent:
            silent.close()


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
