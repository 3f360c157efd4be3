"""Configuration: the defaults here; a deployment changes those that `from_environment` reads from `PORTAL_*` environment
variables (README, Configuration), the mail settings through portal/mail/config.py."""
import os

TIMEZONE = "Asia/Shanghai"


class Config:
    SECRET_KEY = "dev-only-change-me"  # never used as it is: an installation without one makes its own (core/secret.py)
    SQLALCHEMY_DATABASE_URI = None  # default: SQLite file in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    WTF_CSRF_TIME_LIMIT = None  # a citizen may take an hour to write a comment
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = TIMEZONE
    PORTAL_LANGUAGES = ["zh_CN", "en"]
    COMMENT_MAX_LENGTH = 5000
    NAME_MAX_LENGTH = 50
    # a request's whole body: a comment with its attachments fits (3 × 5 MB); larger requests are refused
    # outright (413), so the comment form checks the sizes in the browser before sending
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    COMMENT_ATTACHMENTS_MAX = 3  # files sent with one comment (portal/comments/attachments.py)
    COMMENT_ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024  # each
    ATTACHMENT_TEXT_BATCH = 100  # files whose text one run of the scheduled job reads at most (the other jobs wait)
    # a comment's files travel with its mail to the contact and responsible units up to this size in all; larger
    # ones are named in the mail, to be fetched from the portal by the office
    MAIL_ATTACHMENTS_MAX_BYTES = 10 * 1024 * 1024
    OFFICE_UPLOAD_MAX_BYTES = 5 * 1024 * 1024  # a draft file; larger ones are refused with a clear message
    LOGIN_RATE_LIMIT = "5/minute;20/hour"  # per address and e-mail, failed and successful attempts alike
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
    # Comments are shown publicly after approval unless a consultation keeps them private.
    DEFAULT_COMMENT_VISIBILITY = "public"
    # Search: "auto" (PostgreSQL when the portal runs on it, else Whoosh), "whoosh" or "postgresql";
    # the Whoosh index directory defaults to <instance>/search.
    SEARCH_BACKEND = "auto"
    SEARCH_INDEX_DIR = None
    SEARCH_MAX_CANDIDATES = 1000


def from_environment() -> dict:
    """Read ``PORTAL_*`` environment variables (``PORTAL_SECRET_KEY``, ``PORTAL_DATABASE_URL`` …)."""
    values: dict = {}
    if url := os.environ.get("PORTAL_DATABASE_URL") or os.environ.get("DATABASE_URL"):
        values["SQLALCHEMY_DATABASE_URI"] = url
    if storage := os.environ.get("PORTAL_RATELIMIT_STORAGE_URI"):
        values["RATELIMIT_STORAGE_URI"] = storage
    if page_cache := os.environ.get("PORTAL_PAGE_CACHE_URL"):
        values["PAGE_CACHE_URL"] = page_cache
    for name in ("COMMENT_RATE_LIMIT", "REPORT_RATE_LIMIT", "AGREEMENT_RATE_LIMIT", "MEETING_SIGNUP_RATE_LIMIT", "CITIZEN_SIGN_IN_RATE_LIMIT",
                 "API_RATE_LIMIT", "RECEIPT_MISS_LIMIT"):
        if value := os.environ.get(f"PORTAL_{name}"):
            values[name] = value
    if days := os.environ.get("PORTAL_CONTACT_RETENTION_DAYS"):
        values["CONTACT_RETENTION_DAYS"] = int(days)
    if batch := os.environ.get("PORTAL_ATTACHMENT_TEXT_BATCH"):
        values["ATTACHMENT_TEXT_BATCH"] = int(batch)
    if key := os.environ.get("PORTAL_SECRET_KEY"):
        values["SECRET_KEY"] = key
    if old_keys := os.environ.get("PORTAL_SECRET_KEY_FALLBACKS"):  # earlier keys, still accepted (comma-separated)
        values["SECRET_KEY_FALLBACKS"] = [k.strip() for k in old_keys.split(",") if k.strip()]
    if secure := os.environ.get("PORTAL_SECURE_COOKIES"):
        values["SECURE_COOKIES"] = secure
    if os.environ.get("PORTAL_TWO_FACTOR_REQUIRED"):
        values["TWO_FACTOR_REQUIRED"] = os.environ["PORTAL_TWO_FACTOR_REQUIRED"].lower() in ("1", "true", "yes")
    if os.environ.get("PORTAL_PUBLICATION_REVIEW"):
        values["PUBLICATION_REVIEW"] = os.environ["PORTAL_PUBLICATION_REVIEW"].lower() in ("1", "true", "yes")
    if ports := os.environ.get("PORTAL_MAILBOX_PORTS"):
        values["MAILBOX_PORTS"] = ports
    if hosts := os.environ.get("PORTAL_TRUSTED_HOSTS"):  # Flask answers a request naming another Host with 400
        values["TRUSTED_HOSTS"] = [host.strip() for host in hosts.split(",") if host.strip()]
    if proxies := os.environ.get("PORTAL_TRUST_PROXY"):
        values["TRUST_PROXY"] = int(proxies)
    if backend := os.environ.get("PORTAL_SEARCH_BACKEND"):
        values["SEARCH_BACKEND"] = backend
    if index_dir := os.environ.get("PORTAL_SEARCH_INDEX_DIR"):
        values["SEARCH_INDEX_DIR"] = index_dir
    return values
