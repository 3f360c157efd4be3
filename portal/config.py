"""Configuration: the defaults here; a deployment changes those that `from_environment` reads from `PORTAL_*` environment
variables (README, Configuration), the mail settings through portal/mail/config.py."""
import os
import re

TIMEZONE = "Asia/Shanghai"


class Config:
    SECRET_KEY = "dev-only-change-me"  # never used as it is: an installation without one makes its own (core/secret.py)
    SQLALCHEMY_DATABASE_URI = None  # default: SQLite file in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # seconds a statement of a web request may run on PostgreSQL (0: no limit); commands have none (core/postgres.py)
    DATABASE_STATEMENT_TIMEOUT = 30
    WTF_CSRF_TIME_LIMIT = None  # a citizen may take an hour to write a comment
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = TIMEZONE
    PORTAL_LANGUAGES = ["zh_CN", "en"]
    COMMENT_MAX_LENGTH = 5000
    # a request's whole body: a comment with its attachments fits (3 × 5 MB); larger requests are refused
    # outright (413), so the comment form checks the sizes in the browser before sending
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    COMMENT_ATTACHMENTS_MAX = 3  # files sent with one comment (portal/comments/attachments.py)
    COMMENT_ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024  # each
    ATTACHMENT_TEXT_BATCH = 100  # files whose text one run of the scheduled job reads at most (the other jobs wait)
    # a comment's files travel with its mail to the contact and responsible units up to this size in all; larger
    # ones are named in the mail, to be fetched from the portal by the office
    MAIL_ATTACHMENTS_MAX_BYTES = 10 * 1024 * 1024
    # a comment whose mails cannot be planned (routing: a fault in its data or the code) is tried this many times, the
    # first retry after ROUTING_RETRY_SECONDS, doubling up to an hour, then marked failed for an administrator to retry
    ROUTING_MAX_ATTEMPTS = 6
    ROUTING_RETRY_SECONDS = 60
    OFFICE_UPLOAD_MAX_BYTES = 5 * 1024 * 1024  # a draft file; larger ones are refused with a clear message
    LOGIN_RATE_LIMIT = "5/minute;20/hour"  # failed attempts per address and e-mail; a right password clears them
    # failed logins from one address to any account (one password tried on every account). Not per account from any
    # address: a limit checked before the password would let anyone lock a staff member out by failing 30 times
    LOGIN_ADDRESS_FAILURE_LIMIT = "60/hour"
    # the ports an office's mailbox (收取邮箱, IMAP) may name: IMAP's own, so that the form cannot make the server knock on
    # any port of any host (and show what answers there); "*": any
    MAILBOX_PORTS = "143,993"
    # citizens' sign-in links asked for per client address (each address is also sent at most 5 an hour)
    CITIZEN_SIGN_IN_RATE_LIMIT = "10/hour;30/day"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 8 * 3600  # staff sessions expire after a working day
    TWO_FACTOR_REQUIRED = False  # every staff account must use two-step login (portal/accounts/two_factor.py)
    # a second person approves each publication (审核发布: portal/office/publication_review.py)
    PUBLICATION_REVIEW = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Cookies are Secure when the request came over TLS ("auto"), always ("1") or never ("0"); the portal
    # believes X-Forwarded-* headers only from TRUST_PROXY proxies in front of it (0: none, the default).
    SECURE_COOKIES = "auto"
    TRUST_PROXY = 0
    RATELIMIT_STORAGE_URI = "memory://"
    # The rate-limit storage (Redis) down or not answering: limits counted in each worker's memory until it is
    # back, errors logged, never a failed request (portal/extensions.py, PortalLimiter.init_app)
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    # On unless an app's own config says otherwise (Flask-Limiter would carry one app's setting over to the next
    # app made in the process; PortalLimiter reads each app's own)
    RATELIMIT_ENABLED = True
    # Whole public pages shared by every worker and host (portal/consultations/pages.py): redis://… or None (each
    # worker keeps its own only)
    PAGE_CACHE_URL = None
    # No X-RateLimit-* headers: the portal serves browsers, which ignore them, and each would cost another
    # round trip to the rate-limit storage per request (issue 9). A refused request gets a page saying why.
    RATELIMIT_HEADERS_ENABLED = False
    # Moderation: submissions per client address (Flask-Limiter syntax), spam signs, queue page size
    COMMENT_RATE_LIMIT = "10/minute;100/day"
    REPORT_RATE_LIMIT = "5/minute;50/day"
    AGREEMENT_RATE_LIMIT = "30/minute;300/day"  # agreeing with comments (赞同) or taking it back, per client address
    MEETING_SIGNUP_RATE_LIMIT = "10/hour;30/day"  # sign-ups for meetings (座谈会、听证会), per client address
    API_RATE_LIMIT = "120/minute"  # the public API (/api/v1), per client address
    # receipt numbers looked up that do not exist, per client address: a person mistypes a few; guessing others'
    # receipts (a receipt page shows the comment, private or not) takes millions
    RECEIPT_MISS_LIMIT = "20/hour"
    # days after a consultation ends that its commenters' contact details are kept (0: for ever): `flask comments
    # erase-contacts`, from cron
    CONTACT_RETENTION_DAYS = 0
    MODERATION_BURST_COUNT = 5  # this many comments from one address …
    MODERATION_BURST_SECONDS = 600  # … within this many seconds are flagged "burst"
    MODERATION_PAGE_SIZE = 50
    FEEDBACK_PAGE_SIZE = 300  # opinions a page of the feedback report shows (its Word document holds them all)
    # New comments grouped into form letters when the queue is shown, at most (the worker does the rest)
    MODERATION_GROUP_ON_VIEW = 500
    # Search: "auto" (PostgreSQL when the portal runs on it, else Whoosh), "whoosh" or "postgresql";
    # the Whoosh index directory defaults to <instance>/search.
    SEARCH_BACKEND = "auto"
    SEARCH_INDEX_DIR = None
    SEARCH_MAX_CANDIDATES = 1000
    # a consultation with more comments received than this: its digests and archive are built by the export worker
    # (portal/digests/exports.py) and the office is shown a page until the file is ready; up to it, given at once
    EXPORT_INLINE_MAX = 5000
    EXPORT_RETENTION_HOURS = 48  # an export's file is deleted this long after it was built (job expire-exports)


class ConfigError(ValueError):
    """A setting in the environment that cannot be used: said at start, naming the variable and what it takes."""


_KINDS: dict = {str: "text"}  # each reader, and what it takes, as an error says


def _takes(description: str):
    def register(reader):
        _KINDS[reader] = description
        return reader
    return register


@_takes("limits in the notation of `limits`, e.g. 10/minute;100/day")
def _rate_limit(value: str) -> str:
    from limits import parse_many

    parse_many(value)  # ValueError on a string the limits notation does not read
    return value


@_takes("a whole number (0 or more)")
def _whole(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


@_takes("1 or 0 (on or off)")
def _switch(value: str) -> bool:
    lowered = value.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(value)


@_takes("names, comma-separated")
def _names(value: str) -> list[str]:
    return [name.strip() for name in value.split(",") if name.strip()]


def _one_of(*choices: str):
    @_takes("one of " + ", ".join(choices))
    def read(value: str) -> str:
        if value.lower() not in choices:
            raise ValueError(value)
        return value.lower()
    return read


@_takes("a Redis URL: redis://host:port/db, rediss://… (TLS) or unix:///path/to/socket")
def _redis_url(value: str) -> str:
    from redis.connection import parse_url

    parse_url(value)  # ValueError without one of those schemes, or with a port that is no number
    return value


def _rate_limit_storage_choices() -> list[str]:
    from limits.storage import SCHEMES

    return sorted(scheme for scheme in SCHEMES if not scheme.startswith("async+"))  # Flask-Limiter's are sync


@_takes("a storage URL of `limits`: memory://, redis://host:port/db, rediss://…, redis+sentinel://…, "
        "redis+cluster://…, memcached://… (see its documentation)")
def _rate_limit_storage(value: str) -> str:
    scheme, separator, _rest = value.partition("://")
    if not separator or scheme.lower() not in _rate_limit_storage_choices():
        raise ValueError(value)
    if scheme.lower() in ("redis", "rediss"):
        _redis_url(value)
    return value


# config key: (environment variable, how its text is read). Every one is in README, Configuration.
ENVIRONMENT = {
    "SQLALCHEMY_DATABASE_URI": ("PORTAL_DATABASE_URL", str),
    "DATABASE_STATEMENT_TIMEOUT": ("PORTAL_DATABASE_STATEMENT_TIMEOUT", _whole),
    "SECRET_KEY": ("PORTAL_SECRET_KEY", str),
    "SECRET_KEY_FALLBACKS": ("PORTAL_SECRET_KEY_FALLBACKS", _names),  # earlier keys, still accepted
    "RATELIMIT_STORAGE_URI": ("PORTAL_RATELIMIT_STORAGE_URI", _rate_limit_storage),
    "PAGE_CACHE_URL": ("PORTAL_PAGE_CACHE_URL", _redis_url),
    "COMMENT_RATE_LIMIT": ("PORTAL_COMMENT_RATE_LIMIT", _rate_limit),
    "REPORT_RATE_LIMIT": ("PORTAL_REPORT_RATE_LIMIT", _rate_limit),
    "AGREEMENT_RATE_LIMIT": ("PORTAL_AGREEMENT_RATE_LIMIT", _rate_limit),
    "MEETING_SIGNUP_RATE_LIMIT": ("PORTAL_MEETING_SIGNUP_RATE_LIMIT", _rate_limit),
    "CITIZEN_SIGN_IN_RATE_LIMIT": ("PORTAL_CITIZEN_SIGN_IN_RATE_LIMIT", _rate_limit),
    "API_RATE_LIMIT": ("PORTAL_API_RATE_LIMIT", _rate_limit),
    "RECEIPT_MISS_LIMIT": ("PORTAL_RECEIPT_MISS_LIMIT", _rate_limit),
    "LOGIN_RATE_LIMIT": ("PORTAL_LOGIN_RATE_LIMIT", _rate_limit),
    "LOGIN_ADDRESS_FAILURE_LIMIT": ("PORTAL_LOGIN_ADDRESS_FAILURE_LIMIT", _rate_limit),
    "CONTACT_RETENTION_DAYS": ("PORTAL_CONTACT_RETENTION_DAYS", _whole),
    "ATTACHMENT_TEXT_BATCH": ("PORTAL_ATTACHMENT_TEXT_BATCH", _whole),
    "COMMENT_MAX_LENGTH": ("PORTAL_COMMENT_MAX_LENGTH", _whole),
    "COMMENT_ATTACHMENTS_MAX": ("PORTAL_COMMENT_ATTACHMENTS_MAX", _whole),
    "COMMENT_ATTACHMENT_MAX_BYTES": ("PORTAL_COMMENT_ATTACHMENT_MAX_BYTES", _whole),
    "MAIL_ATTACHMENTS_MAX_BYTES": ("PORTAL_MAIL_ATTACHMENTS_MAX_BYTES", _whole),
    "ROUTING_MAX_ATTEMPTS": ("PORTAL_ROUTING_MAX_ATTEMPTS", _whole),
    "ROUTING_RETRY_SECONDS": ("PORTAL_ROUTING_RETRY_SECONDS", _whole),
    "OFFICE_UPLOAD_MAX_BYTES": ("PORTAL_OFFICE_UPLOAD_MAX_BYTES", _whole),
    "MAX_CONTENT_LENGTH": ("PORTAL_MAX_CONTENT_LENGTH", _whole),
    "PERMANENT_SESSION_LIFETIME": ("PORTAL_STAFF_SESSION_SECONDS", _whole),
    "MODERATION_BURST_COUNT": ("PORTAL_MODERATION_BURST_COUNT", _whole),
    "MODERATION_BURST_SECONDS": ("PORTAL_MODERATION_BURST_SECONDS", _whole),
    "MODERATION_PAGE_SIZE": ("PORTAL_MODERATION_PAGE_SIZE", _whole),
    "MODERATION_GROUP_ON_VIEW": ("PORTAL_MODERATION_GROUP_ON_VIEW", _whole),
    "FEEDBACK_PAGE_SIZE": ("PORTAL_FEEDBACK_PAGE_SIZE", _whole),
    "SECURE_COOKIES": ("PORTAL_SECURE_COOKIES", _one_of("auto", "1", "0")),
    "TWO_FACTOR_REQUIRED": ("PORTAL_TWO_FACTOR_REQUIRED", _switch),
    "PUBLICATION_REVIEW": ("PORTAL_PUBLICATION_REVIEW", _switch),
    "MAILBOX_PORTS": ("PORTAL_MAILBOX_PORTS", str),
    # Flask answers a request naming another Host with 400
    "TRUSTED_HOSTS": ("PORTAL_TRUSTED_HOSTS", _names),
    "TRUST_PROXY": ("PORTAL_TRUST_PROXY", _whole),
    "SEARCH_BACKEND": ("PORTAL_SEARCH_BACKEND", _one_of("auto", "whoosh", "postgresql")),
    "SEARCH_INDEX_DIR": ("PORTAL_SEARCH_INDEX_DIR", str),
    "SEARCH_MAX_CANDIDATES": ("PORTAL_SEARCH_MAX_CANDIDATES", _whole),
    "EXPORT_INLINE_MAX": ("PORTAL_EXPORT_INLINE_MAX", _whole),
    "EXPORT_RETENTION_HOURS": ("PORTAL_EXPORT_RETENTION_HOURS", _whole),
}
# sizes and counts a deployment could not mean as 0 (0 would refuse every comment, file or page)
_AT_LEAST_ONE = {"COMMENT_MAX_LENGTH", "MAX_CONTENT_LENGTH", "MODERATION_PAGE_SIZE", "FEEDBACK_PAGE_SIZE",
                 "PERMANENT_SESSION_LIFETIME", "MODERATION_BURST_COUNT", "SEARCH_MAX_CANDIDATES",
                 "ATTACHMENT_TEXT_BATCH", "COMMENT_ATTACHMENT_MAX_BYTES", "OFFICE_UPLOAD_MAX_BYTES",
                 "ROUTING_MAX_ATTEMPTS", "EXPORT_RETENTION_HOURS"}


def read_setting(variable: str, raw: str, kind):
    """The value of environment variable ``variable`` (its text ``raw``) read as ``kind``; a ``ConfigError`` naming
    the variable and what it takes when it cannot be."""
    try:
        return kind(raw.strip() if kind is not str else raw)
    except ValueError:
        shown = re.sub(r"(://)[^/@]*@", r"\1…@", raw)  # a URL's user and password are not written to the log
        raise ConfigError(f"{variable}={shown!r} cannot be used: it takes {_KINDS.get(kind, kind.__name__)}") from None


def read_typed(variable: str, raw: str, kind: type):
    """``read_setting`` for a plain type: ``bool`` (1/0, on/off …), ``int`` (0 or more) or ``str``."""
    return read_setting(variable, raw, {bool: _switch, int: _whole}.get(kind, kind))


def from_environment() -> dict:
    """Read the ``PORTAL_*`` environment variables of ``ENVIRONMENT`` (``PORTAL_SECRET_KEY``, ``PORTAL_DATABASE_URL``
    …; ``DATABASE_URL`` too); an empty one is not set. A value that cannot be used stops the start with a
    ``ConfigError`` saying which and why, rather than failing at some later request."""
    values: dict = {}
    environ = dict(os.environ)
    if not environ.get("PORTAL_DATABASE_URL") and environ.get("DATABASE_URL"):
        environ["PORTAL_DATABASE_URL"] = environ["DATABASE_URL"]
    for key, (variable, kind) in ENVIRONMENT.items():
        raw = environ.get(variable)
        if raw is None or not raw.strip():
            continue
        value = read_setting(variable, raw, kind)
        if key in _AT_LEAST_ONE and value < 1:
            raise ConfigError(f"{variable}={raw!r} cannot be used: it takes a whole number of 1 or more")
        values[key] = value
    return values
