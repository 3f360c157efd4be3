"""PostgreSQL connections that a restart or a network fault broke (portal/core/postgres.py): the next request
after PostgreSQL restarted is answered (each pooled connection is checked before use; it had been a 500 on every
one), and a database host that accepts connections and never answers makes /health say 503 within seconds, not
hold it until gunicorn kills the worker."""
import socket
import threading

import pytest
from sqlalchemy.engine import make_url

from portal import create_app
from portal.core import postgres


class Proxy:
    """A TCP proxy to PostgreSQL of the test's own: ``cut()`` drops every connection through it and stops
    listening, as a restarting server does; ``start()`` listens again on the same port."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = 0
        self.sockets: list[socket.socket] = []
        self.server: socket.socket | None = None

    def start(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(50)
        self.port, self.server = server.getsockname()[1], server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def _accept(self, server) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        try:
            self.server.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread (a close alone does not)
        except OSError:
            pass
        self.server.close()
        for end in self.sockets:
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            end.close()
        self.sockets = []


@pytest.fixture
def proxied_url(database_url):
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("PostgreSQL only")
    proxy = Proxy((url.host, url.port or 5432))
    proxy.start()
    yield proxy, url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    proxy.cut()


@pytest.mark.postgres
def test_the_first_request_after_postgresql_restarted_is_answered(app, proxied_url):
    from portal.extensions import db

    proxy, url = proxied_url
    portal = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test"})
    client = portal.test_client()
    assert client.get("/api/v1/consultations").status_code == 200
    assert client.get("/health").status_code == 200
    proxy.cut()  # PostgreSQL restarted while no request came: every connection of the pool is dead
    proxy.start()
    assert client.get("/api/v1/consultations").status_code == 200  # the dead connection replaced before use
    proxy.cut()
    assert client.get("/health").status_code == 503  # while it is down
    proxy.start()
    assert client.get("/health").status_code == 200
    with portal.app_context():
        db.engine.dispose()


def test_health_says_503_within_seconds_when_the_database_host_never_answers(monkeypatch):
    """Checked by the driver's connect_timeout (CONNECT_TIMEOUT_SECONDS; the fewest seconds libpq takes, 2, here)
    and the one connection the silent host gets, not by the time taken."""
    from sqlalchemy import event

    from portal.extensions import db
    from tests.helpers import SilentServer

    monkeypatch.setattr(postgres, "CONNECT_TIMEOUT_SECONDS", 2)
    with SilentServer() as silent:
        portal = create_app({"TESTING": True, "SECRET_KEY": "test",
                             "SQLALCHEMY_DATABASE_URI": f"postgresql://portal@127.0.0.1:{silent.port}/portal"})
        timeouts = []
        with portal.app_context():
            event.listen(db.engine, "do_connect",
                         lambda dialect, record, cargs, cparams: timeouts.append(cparams.get("connect_timeout")))
        response = portal.test_client().get("/health")
        connections = silent.connections()
    assert response.status_code == 503
    assert timeouts == [2] and connections == 1  # given up after connect_timeout, not tried again
    with portal.app_context():
        db.engine.dispose()


def test_a_deployment_s_own_engine_options_win():
    url = "postgresql+psycopg://portal@db/portal"
    assert postgres.engine_options(url, {}) == {
        "pool_pre_ping": True, "pool_recycle": 1800, "connect_args": {"connect_timeout": 10}}
    assert postgres.engine_options(url, {"pool_pre_ping": False, "pool_recycle": -1,
                                         "connect_args": {"connect_timeout": 3, "application_name": "portal"}}) == {
        "pool_pre_ping": False, "pool_recycle": -1, "connect_args": {"connect_timeout": 3, "application_name": "portal"}}
    assert "connect_args" not in postgres.engine_options(url + "?connect_timeout=5", {})  # the URL's own
    assert postgres.engine_options("sqlite:///portal.db", {"echo": True}) == {"echo": True}
