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

    def counts_own_limit(self, endpoint: str) -> None:
        self.own_limit_endpoints.add(endpoint)

    def _check_request_limit(self, callable_name=None, in_middleware=True):  # Flask-Limiter's before_request
        if request.endpoint in self.own_limit_endpoints:
            return None
        return super()._check_request_limit(callable_name, in_middleware)


# Rate limits: memory storage by default (one process); set PORTAL_RATELIMIT_STORAGE_URI=redis://…
# when several workers or hosts serve the portal, so that they share one count.
limiter = PortalLimiter(key_func=get_remote_address)
