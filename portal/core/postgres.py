"""PostgreSQL engine settings: connections checked before use, renewed now and then, and a bounded wait to connect.

Without them, after PostgreSQL restarted (an upgrade, a failover) the first request on each connection kept in a
worker's pool failed with a 500, and a database host that accepted connections and never answered (a network
fault, a hung server) held /health and every page until gunicorn killed the worker. A deployment's own
SQLALCHEMY_ENGINE_OPTIONS (or ``connect_timeout`` in the URL) win over these.
"""
from __future__ import annotations

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
