"""Flask extensions, created unbound and initialised in :func:`portal.create_app`."""
from flask import current_app, has_app_context, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from portal.core.csrf import PortalCSRFProtect

# One naming convention from the first migration on, so that Alembic can name
# (and later drop) constraints the same way on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True)
csrf = PortalCSRFProtect()  # Flask-WTF's, each token's signature verified once per worker
babel = Babel()
login_manager = LoginManager()
login_manager.login_view = "accounts.login"
mail = Mail()  # configured from PORTAL_MAIL_* in portal.mail.config; used only by the outbox worker


# The rate-limit storages that take redis-py's socket options; each call to them waits at most this many seconds
REDIS_SCHEMES = {"redis", "rediss", "redis+unix", "redis+sentinel", "redis+cluster", "valkey", "valkeys",
                 "valkey+unix", "valkey+sentinel", "valkey+cluster"}
REDIS_TIMEOUT = 0.3


class PortalLimiter(Limiter):
    """Flask-Limiter, which leaves alone the endpoints that count their own limit (``counts_own_limit``):
    the comment submission counts COMMENT_RATE_LIMIT from the comments table in its one read (issue 9), and
    Flask-Limiter's check of a request it has no limit for still cost ~45 µs of each submission's ~1.5 ms."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.own_limit_endpoints: set[str] = set()

    @property
    def enabled(self) -> bool:
        """The app's own RATELIMIT_ENABLED: Flask-Limiter keeps one flag on the extension, which the last app made
        in the process set for every app (tests, and the browser tests' server, which turns limits off)."""
        if has_app_context():
            return bool(current_app.config.get("RATELIMIT_ENABLED", True))
        return self._enabled_default

    @enabled.setter
    def enabled(self, value: bool) -> None:
        self._enabled_default = value

    def init_app(self, app) -> None:
        """Flask-Limiter with each app's own settings (it keeps the first app's swallow and fallback switches, adds
        up storage options and remembers a dead storage across the apps of a process), and a rate-limit storage on
        another host that cannot stop the portal: a Redis that is down, or accepts and never answers, failed every
        rate-limited request with a 500 (login, search, the API, receipts …) or held it for over a minute. Now each
        call to Redis waits at most ``REDIS_TIMEOUT`` seconds (unless RATELIMIT_STORAGE_OPTIONS says otherwise);
        when it fails the limits are counted in each worker's memory (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED) until
        Redis answers again (tried after 1, 2, 4 … 32 s), and any other storage error is logged, not shown
        (RATELIMIT_SWALLOW_ERRORS)."""
        uri = app.config.get("RATELIMIT_STORAGE_URI") or ""
        if uri.split("://", 1)[0].lower() in REDIS_SCHEMES:
            app.config["RATELIMIT_STORAGE_OPTIONS"] = {
                "socket_timeout": REDIS_TIMEOUT, "socket_connect_timeout": REDIS_TIMEOUT,
                **(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {})}
        self._storage_options = {}
        self._swallow_errors = None
        self._in_memory_fallback_enabled = False
        self._storage_dead = False
        # and its schedule of tries of a dead storage (Flask-Limiter's own, kept from the process's first app): the
        # first at once, as in a worker that has run a while, then 2, 4 … 32 s after the last
        self._Limiter__check_backend_count, self._Limiter__last_check_backend = 0, 0.0
        super().init_app(app)

    def counts_own_limit(self, endpoint: str) -> None:
        self.own_limit_endpoints.add(endpoint)

    def _check_request_limit(self, callable_name=None, in_middleware=True):  # Flask-Limiter's before_request
        if request.endpoint in self.own_limit_endpoints:
            return None
        return super()._check_request_limit(callable_name, in_middleware)


# Rate limits: memory storage by default (one process); set PORTAL_RATELIMIT_STORAGE_URI=redis://…
# when several workers or hosts serve the portal, so that they share one count.
limiter = PortalLimiter(key_func=get_remote_address)
