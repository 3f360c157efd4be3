"""PostgreSQL engine settings: connections checked before use, renewed now and then, and a bounded wait to connect.

Without them, after PostgreSQL restarted (an upgrade, a failover) the first request on each connection kept in a
worker's pool failed with a 500, and a database host that accepted connections and never answered (a network
fault, a hung server) held /health and every page until gunicorn killed the worker. A deployment's own
SQLALCHEMY_ENGINE_OPTIONS (or ``connect_timeout`` in the URL) win over these.

A statement of a web request may run ``DATABASE_STATEMENT_TIMEOUT`` seconds at most (PORTAL_DATABASE_STATEMENT_TIMEOUT,
30; 0: no limit): PostgreSQL cancels a runaway query (or one waiting that long for a lock), the request gets the
portal's plain error page and the worker and its connection are free again. Commands (``flask …``: migrations, restores,
reindexing, exports, the workers' and scheduler's passes) run without a limit: what decides is whether the connection
is taken inside a command (a click context), so the one app serves both. Each pooled connection is told once, when it
is first taken for the other kind of work (a ``SET``, kept by the connection), never on every request.
"""
from __future__ import annotations

import click
from sqlalchemy import event
from sqlalchemy.engine import make_url

CONNECT_TIMEOUT_SECONDS = 10  # to open a connection, its handshake included; /health then answers 503
POOL_RECYCLE_SECONDS = 1800  # connections older than this are replaced (firewalls drop idle ones)


def engine_options(uri: str, options: dict) -> dict:
    """SQLALCHEMY_ENGINE_OPTIONS for ``uri``: for PostgreSQL ``pool_pre_ping`` (a connection that died with a
    restart is replaced before the request uses it, not after it failed), ``pool_recycle`` and the driver's
    ``connect_timeout``, where ``options`` does not set them."""
    if not uri.startswith(("postgresql", "postgres")):
        return options
    options = {"pool_pre_ping": True, "pool_recycle": POOL_RECYCLE_SECONDS, **options}
    connect_args = dict(options.get("connect_args") or {})
    if "connect_timeout" not in make_url(uri).query:
        connect_args.setdefault("connect_timeout", CONNECT_TIMEOUT_SECONDS)
    if connect_args:
        options["connect_args"] = connect_args
    return options


QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement cancelled (statement_timeout, or cancelled by hand)
_TIMEOUT_KEY = "portal_statement_timeout"  # the connection's setting, as last set (its pool record's info)


def is_postgresql(uri: str) -> bool:
    return uri.startswith(("postgresql", "postgres"))


def in_command() -> bool:
    """Whether this runs inside a command (``flask …``, or a test's CLI runner), not a web request: click keeps its
    context per thread, so a request served by ``flask run`` (each in its own thread) is a web request."""
    return click.get_current_context(silent=True) is not None


def statement_timeout_ms(config) -> int:
    """The statement timeout for the work at hand, in milliseconds (0: none): the setting for web requests, none in
    commands."""
    if in_command():
        return 0
    return int(config.get("DATABASE_STATEMENT_TIMEOUT") or 0) * 1000


def register(app) -> None:
    """Give the PostgreSQL connections of ``app`` the statement timeout of the work that takes them."""
    if not is_postgresql(app.config["SQLALCHEMY_DATABASE_URI"]):
        return
    from portal.extensions import db

    with app.app_context():
        engine = db.engine

    def on_checkout(dbapi_connection, record, _proxy):
        wanted = statement_timeout_ms(app.config)
        if record.info.get(_TIMEOUT_KEY) == wanted:
            return
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {int(wanted)}")
        dbapi_connection.commit()  # the session's setting, not undone by the request's rollback
        record.info[_TIMEOUT_KEY] = wanted

    event.listen(engine, "checkout", on_checkout)


def is_query_canceled(error) -> bool:
    """Whether a database error is PostgreSQL cancelling a statement (the statement timeout)."""
    return getattr(getattr(error, "orig", None), "sqlstate", None) == QUERY_CANCELED
