"""What every page shares: filters for local time, error pages, security headers, page settings."""
from __future__ import annotations

import copy
import hashlib
import hmac
import re
from datetime import date, datetime
from functools import lru_cache
from itertools import chain
from urllib.parse import unquote_to_bytes, urlsplit
from types import SimpleNamespace

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_skeleton
from flask import Flask, current_app, g, has_request_context, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import format_date, format_decimal, get_locale, ngettext, refresh
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from itsdangerous import BadSignature
from markupsafe import Markup, escape
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from portal.core.time import SHANGHAI

ELDERLY_COOKIE = "elderly"
# Pages for one person or for staff: no search engine may keep them (robots.txt names them; each answers with
# X-Robots-Tag: noindex too, for a link that reached a crawler anyway: a receipt shared on a forum, say). The
# search pages are left out as well: endless combinations of queries, nothing that is not on the pages.
PRIVATE_PATHS = ("/receipts/", "/account/", "/mail/", "/office/", "/admin/", "/moderation", "/login", "/logout",
                 "/settings/", "/search", "/meetings/")  # /meetings/: a registrant's own page (its link is its key)
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)
SECURITY_HEADERS = tuple((name.lower(), name, value) for name, value in (  # (as compared, as sent, value)
    ("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"),
))


# English dates as "12 May 2023, 23:59"; other languages use their own long date from the CLDR
# (Chinese: "2023年5月12日 23:59").
DATE_PATTERNS = {"en": "d MMMM y"}


def _date_pattern() -> str:
    locale = get_locale()
    return DATE_PATTERNS.get(locale.language) or locale.date_formats["long"].pattern


def localdate(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(SHANGHAI).date()
    return format_date(value, _date_pattern())


# A day without its year, for charts: "12 May"; Chinese (and other languages) from the CLDR ("5月12日").
DAY_PATTERNS = {"en": "d MMMM"}


def localday(value: date) -> str:
    locale = get_locale()
    pattern = DAY_PATTERNS.get(locale.language)
    return format_date(value, pattern) if pattern else format_skeleton("MMMd", value, locale=locale)


def localdatetime(value: datetime | None) -> str:
    """The day as localdate writes it, then the time (HH:mm, 24 hours): a page of comments formats many
    times on few days, so each day is formatted once per language (the time needs no locale)."""
    if value is None:
        return ""
    local = value.astimezone(SHANGHAI)
    locale = get_locale()
    separator = ", " if locale.language == "en" else " "
    return f"{_formatted_day(local.date(), locale)}{separator}{local.hour:02d}:{local.minute:02d}"


def localclock(value: datetime | None) -> str:
    """The time of day in Asia/Shanghai, HH:mm (a meeting's end, after its start's day and time)."""
    if value is None:
        return ""
    local = value.astimezone(SHANGHAI)
    return f"{local.hour:02d}:{local.minute:02d}"


@lru_cache(maxsize=4096)
def _formatted_day(day: date, locale: Locale) -> str:
    return babel_format_date(day, DATE_PATTERNS.get(locale.language) or locale.date_formats["long"].pattern, locale=locale)


def secret_keys(app: Flask | None = None) -> tuple:
    """The portal's secret key, then the earlier ones still accepted (SECRET_KEY_FALLBACKS): what signed cookies,
    signed links, sealed secrets and keyed hashes are checked against; the first signs anew."""
    app = app or current_app
    return (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))


def draft_key(consultation_id: int, section_id: int | None, parent_id: int | None) -> str:
    """The name under which the page's script keeps what a citizen types in a comment form until it is sent (in the
    tab's sessionStorage: a reload, an expired form or a refusal does not lose it); the receipt names it too, so
    that the script forgets it once the comment is received."""
    return f"c{consultation_id}-s{section_id or 'w'}-p{parent_id or 0}"


def text_lang(text: str | None) -> str:
    """The language of a citizen's text, for its ``lang`` attribute: Chinese if it has any Han character."""
    return "zh-CN" if text and HAN.search(text) else "en"


def chinese_page() -> bool:
    """Whether the page's own words are Chinese (the request's language is zh…), not English."""
    return str(get_locale()).startswith("zh")


def chinese(text: str | None) -> Markup | str:
    """Chinese text (a title, a unit's name) inside a sentence of the page's own words, for a screen reader to read
    in a Chinese voice: in a ``<span lang="zh-CN">`` on an English page; on a Chinese page as it is (escaped)."""
    if text is None or text == "":
        return ""
    if chinese_page():
        return escape(text)
    return Markup('<span lang="zh-CN">%s</span>') % text


def mark_chinese(text) -> Markup | str:
    """A value that may or may not be Chinese (an audit log's value, a reason, a name): marked as ``chinese`` does
    when it holds Chinese, else as it is (escaped), so that an e-mail address or an English word is not marked."""
    return chinese(text) if HAN.search(str(text or "")) else escape(text if text is not None else "")


def chinese_lang(text) -> Markup:
    """`` lang="zh-CN"`` for an element that cannot hold a ``<span>`` (an <option>, a <textarea>) whose text holds
    Chinese, on a page in another language; nothing on a Chinese page (the page's own lang says it)."""
    if chinese_page() or not HAN.search(str(text or "")):
        return Markup("")
    return Markup(' lang="zh-CN"')


# Where markup (a name marked Chinese) goes into a sentence translated in Python: a character no translation holds
PLACE = "\x00"


def with_markup(sentence: str, part: Markup | str) -> Markup:
    """A translated sentence, escaped, with ``part`` (markup, or text to escape) where it says ``PLACE``: what a
    template's ``_()`` does with a marked name, for a sentence written in Python (``_("……%(names)s", names=PLACE)``)."""
    return escape(sentence).replace(PLACE, part)


def session_digest(purpose: str) -> str | None:
    """A keyed hash standing for this browser's session, for ``purpose``: of its CSRF secret (which a form's POST
    always has), so that two requests of one session in flight together make the same one; None without it."""
    raw = session.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    if not raw:
        return None
    return hmac.new(current_app.config["SECRET_KEY"].encode(), f"{purpose}:{raw}".encode(),
                    hashlib.sha256).hexdigest()[:32]


def ui_lang() -> str:
    """The language of the page's own words, for a ``lang`` attribute inside text marked Chinese (a global: macros
    imported without the context see it too)."""
    return "zh-CN" if chinese_page() else "en"


def number(value: int | float | None) -> str:
    """A number as the reader's language writes it (5,000)."""
    if value is None:
        return ""
    return format_decimal(value)


# the endpoints that receive a citizen's comment or reply: their error pages say what became of it
COMMENT_SUBMISSIONS = frozenset({"comments.create"})


def _window_seconds(error) -> int | None:
    """The length of the rate limit's window that refused the request: Flask-Limiter's, or the one the comment
    view counted (``g.rate_window``); None when unknown."""
    limit = getattr(error, "limit", None)
    if limit is not None and getattr(limit, "limit", None) is not None:
        return limit.limit.get_expiry()
    return g.get("rate_window")


def _wait_sentence(seconds: int | None) -> str:
    """When to try again, true of the window that refused: a few minutes, some hours, or tomorrow."""
    if seconds is None:
        return _("请过一段时间再试。")
    if seconds >= 2 * 24 * 3600:
        days = -(-seconds // (24 * 3600))
        return ngettext("请过 %(num)d 天再试。", "请过 %(num)d 天再试。", days)
    if seconds >= 24 * 3600:
        return _("今天的次数已经用完了，请明天再试。")
    if seconds >= 3600:
        hours = -(-seconds // 3600)
        return ngettext("请过 %(num)d 个小时再试。", "请过 %(num)d 个小时再试。", hours)
    minutes = max(1, -(-seconds // 60))
    return ngettext("请过 %(num)d 分钟再试。", "请过 %(num)d 分钟再试。", minutes)


def local_path(target: str | None) -> bool:
    """A path on this site, and nothing a browser could read as another site: never an open redirect.

    Browsers drop tabs and newlines from a URL and read ``\\`` as ``/``, so ``/\t/evil.example`` is
    ``//evil.example``: any control character or space is refused too (and a newline could not go in a header).
    """
    return bool(
        target and target.startswith("/") and not target.startswith("//") and "\\" not in target
        and not re.search(r"[\x00-\x20\x7f]", target)
    )


LOCALISED_TYPES = frozenset(("text/html", "application/atom+xml"))


def return_path() -> str:
    """Where a page's settings links (language, elderly mode) come back to: the page itself, when a GET opens it
    again; on the answer to a form's POST (a refused comment, say) the page the form was on, by its Referer when
    that is this site, else the home page: never an address that only takes a POST (was a bare 405 page). A page
    without a query string comes back without Werkzeug's trailing "?" (``full_path`` always ends in one)."""
    here = request.full_path if request.query_string else request.path
    if request.method in ("GET", "HEAD"):
        return here
    try:
        current_app.url_map.bind_to_environ(request.environ).match(method="GET")
        return here
    except HTTPException:  # MethodNotAllowed, NotFound (RequestRedirect is one too)
        pass
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host:
        path = referrer.path + (f"?{referrer.query}" if referrer.query else "")
        if local_path(path):
            return path
    return "/"


MAX_ID = 2**31 - 1  # the largest id or page number a database integer holds


def query_int(value: str | None) -> int | None:
    """A positive whole number from a query parameter (an id, a page), else None: "²", "1e9", a number too
    large for the database or anything else a hand-edited URL may carry is ignored, never an error."""
    value = (value or "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > 10:
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


class IdConverter(IntegerConverter):
    """``<int:…>`` in every URL: 1 to MAX_ID, so that /consultations/99999999999999999999 is a 404, not an
    integer the database cannot hold (a 500)."""

    def __init__(self, map, fixed_digits=0, min=1, max=MAX_ID, signed=False):  # noqa: A002 (werkzeug's names)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def cookies_secure(app: Flask | None = None) -> bool:
    """Whether cookies get the Secure flag: PORTAL_SECURE_COOKIES "auto" (when this request came over TLS,
    as seen through PORTAL_TRUST_PROXY), "1" (always: behind a TLS proxy that says nothing) or "0" (never)."""
    setting = str((app or current_app).config.get("SECURE_COOKIES", "auto")).lower()
    if setting == "auto":
        return has_request_context() and request.is_secure
    return setting in ("1", "true", "yes", "on")


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its Secure flag per request (see :func:`cookies_secure`).

    A cookie's signature is checked once per worker: the same cookie string always verifies to the same data
    and signing time under the same keys, so what it says is kept (an LRU of 4,096 cookies) and each request
    gets its own copy; its age is checked against the session lifetime at every request, as Flask does. This
    saves building the serializer and an HMAC, base64 and JSON for each request (~70 µs of a comment
    submission's ~1.7 ms: issue 9). A cookie that does not verify is never kept."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return cookies_secure(app)

    def save_session(self, app: Flask, session, response) -> None:
        """As Flask does, but never for the open data API: its answers set no cookie (a staff member's or citizen's
        session is not renewed, nor its idle time reset, by a page of theirs reading the API)."""
        if request.blueprint == "api":
            return
        super().save_session(app, session, response)

    def open_session(self, app: Flask, request):
        value = request.cookies.get(self.get_cookie_name(app))
        if not value or not app.secret_key:
            return super().open_session(app, request)
        keys = secret_keys(app)
        serializer, signer = _session_serializer(self, keys)
        try:
            data, signed_at = _verified_cookie(serializer, value)
        except BadSignature:
            return self.session_class()
        age = signer.get_timestamp() - signed_at  # itsdangerous's clock and rule (max_age)
        if age < 0 or age > app.permanent_session_lifetime.total_seconds():
            return self.session_class()
        # the session class copies the dict it is given; values that can change in place (a list of flashed
        # messages) are copied too, so that no request changes what the next one reads
        return self.session_class(data if all(type(value) in _IMMUTABLE for value in data.values())
                                  else copy.deepcopy(data))


_IMMUTABLE = frozenset((str, int, float, bool, type(None)))


@lru_cache(maxsize=4096)
def _verified_cookie(serializer, value: str) -> tuple[dict, int]:
    """The data a session cookie holds and when it was signed; BadSignature if it does not verify (never
    cached: lru_cache keeps no exceptions)."""
    data, signed_at = serializer.loads(value, return_timestamp=True)
    return data, int(signed_at.timestamp())


@lru_cache(maxsize=16)
def _session_serializer(interface: SessionInterface, keys: tuple):
    """Flask's serializer for these keys (built once, not per request), and a signer of it for its clock."""
    keys_only = SimpleNamespace(secret_key=keys[0], config={"SECRET_KEY_FALLBACKS": list(keys[1:])})
    serializer = interface.get_signing_serializer(keys_only)  # all it reads of the app are these keys
    return serializer, serializer.make_signer()


def _holds_nul(fields: MultiDict) -> bool:
    """Whether a NUL character is in a name or in any value (not only the first) of a query's or form's fields."""
    return "\x00" in "".join(chain(fields.keys(), chain.from_iterable(fields.listvalues())))


def _form_not_utf8() -> bool:
    """Whether a urlencoded form's body holds bytes that are no UTF-8 (a form sent in GBK by an old client or a
    script, say). Werkzeug keeps such bytes as their %XX escapes, so that a comment would be stored as "%D2%E2%BC%FB"
    instead of its words; the form is parsed afterwards from the same copy of the body. The body is decoded whole:
    its separators (& =) are ASCII, so it is UTF-8 exactly when each of its names and values is."""
    try:
        unquote_to_bytes(request.get_data(cache=True)).decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def register(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter  # before any blueprint adds its rules
    app.session_interface = SessionInterface()
    if app.config.get("SECURE_COOKIES") not in (None, "auto"):
        app.config["REMEMBER_COOKIE_SECURE"] = cookies_secure(app)
    proxies = int(app.config.get("TRUST_PROXY") or 0)
    if proxies:  # believe X-Forwarded-For/-Proto/-Host/-Port from this many proxies in front, no more
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies)
    app.add_template_filter(localdate)
    app.add_template_filter(localdatetime)
    app.add_template_filter(localclock)
    app.add_template_filter(number)
    app.add_template_filter(chinese)
    app.add_template_filter(mark_chinese)
    app.add_template_global(chinese_lang)
    app.add_template_global(text_lang)
    app.add_template_global(ui_lang)
    app.add_template_global(draft_key)
    # the drafts, titles and unit names are Chinese whatever the page language (also a global: macros imported
    # without the context mark them too, instead of writing lang="")
    app.add_template_global("zh-CN", "content_lang")
    app.add_template_global(return_path)
    from portal.core.flash import flashed_messages

    app.add_template_global(flashed_messages)  # flashed messages in the language of the page that shows them
    # the site's icon (pages link it; a browser or feed reader that asks for /favicon.ico is sent there)
    app.add_url_rule("/favicon.ico", "favicon",
                     lambda: redirect(url_for("static", filename="favicon.svg"), code=301))
    # Flask-Babel caches the locale on the app context, which a test client (or a CLI command issuing
    # requests) may keep across requests: choose it afresh for every request.
    app.before_request(refresh)

    @app.context_processor
    def page_settings():
        locale = str(get_locale())
        return {
            "page_lang": ui_lang(),
            # the drafts, titles and summaries are Chinese whatever the page language: mark them so
            "content_lang": "zh-CN",
            "current_locale": locale,
            "elderly_mode": request.cookies.get(ELDERLY_COOKIE) == "1",
        }

    @app.before_request
    def refuse_nul_characters():
        """A NUL character in a URL or a form is never meant (no browser sends one from a page); PostgreSQL
        cannot store or compare it: refuse the request instead of failing with a 500. Every name and every value
        counts (a name may be given more than once); the query is read only when there is one."""
        if "\x00" in request.path or (request.query_string and _holds_nul(request.args)) or (
            request.method in ("POST", "PUT", "PATCH")
            and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
            and _holds_nul(request.form)
        ):
            return unreadable_characters()

    def refuse_forms_not_utf8():
        """A urlencoded form whose bytes are no UTF-8 is refused, instead of storing its text as %XX escapes. First
        of all the checks: the body is read before anything (CSRF's check) parses the form from it."""
        if request.method in ("POST", "PUT", "PATCH") and request.mimetype == "application/x-www-form-urlencoded" \
                and _form_not_utf8():
            return unreadable_characters()

    def unreadable_characters():
        """The answer to a URL or a form holding characters no page sends (a NUL, bytes that are no UTF-8)."""
        if request.path.startswith("/api/"):  # the public API answers in JSON, as for its other errors
            from portal.api.views import bad_request as api_bad_request

            return api_bad_request()
        return error_page(400, _("请求无效"), _("链接或表单中有无法识别的字符。请返回上一页重试。"))

    app.before_request_funcs.setdefault(None, []).insert(0, refuse_forms_not_utf8)

    @app.after_request
    def security_headers(response):
        """The headers every answer carries, unless the view set its own (a download's sandboxed CSP, say):
        one pass over the headers set, instead of a search for each."""
        headers = response.headers
        present = {name.lower() for name in headers.keys()}
        for lower, name, value in SECURITY_HEADERS:
            if lower not in present:
                headers.add(name, value)
        if request.is_secure and "strict-transport-security" not in present:
            headers.add("Strict-Transport-Security", "max-age=31536000")
        if request.path.startswith(PRIVATE_PATHS) and "x-robots-tag" not in present:
            headers.add("X-Robots-Tag", "noindex, nofollow")
        if response.status_code == 200 and response.mimetype in LOCALISED_TYPES:
            response.vary.add("Accept-Language")  # a page or feed in the language the browser asked for
        return response

    def error_page(status: int, title: str, message: str):
        return render_template("errors/error.html", title=title, message=message), status

    @app.errorhandler(404)
    def not_found(_error):
        if request.path.startswith("/api/"):  # an unknown address under the public API: JSON, as the API
            from portal.api.views import not_found as api_not_found

            return api_not_found()
        return error_page(404, _("页面不存在"), _("您要找的页面不存在，或尚未公开。请看看网址有没有输错，"
                                                   "或者到下面的征求意见列表里找一找。"))

    @app.errorhandler(403)
    def forbidden(_error):
        """A staff page of another role (an office at the moderation queue, say): the portal's own page, whose
        header links to the pages this account may use, instead of the server's bare English "Forbidden"."""
        if request.path.startswith("/api/"):
            from portal.api.views import error_response

            return error_response(403, "forbidden", _("没有权限打开这个页面。"))
        return error_page(403, _("没有权限打开这个页面"), _("您的账号不能使用这个页面。请从页面上方的链接进入您能使用的页面；"
                                                       "需要这项权限的，请联系平台管理员。"))

    @app.errorhandler(400)
    def bad_request(error):
        """A form a page never sends (a field missing, a choice that is not offered, a message that may not be sent
        again): the portal's own page in the reader's language, instead of the server's bare English "Bad Request".
        The token's refusal (CSRFError, a kind of 400) keeps its own page below. A host not in TRUSTED_HOSTS is
        refused before the request has a URL adapter (no page can link anywhere): the plain answer, as before."""
        from flask.globals import request_ctx

        if request_ctx.url_adapter is None:
            return error
        if request.path.startswith("/api/"):
            from portal.api.views import error_response

            return error_response(400, "bad_request", _("请求无效，请检查后重试。"))
        return error_page(400, _("请求无效"), _("这次提交的内容不完整或有误，没有保存。请返回上一页，刷新页面后再试一次。"))

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        if request.endpoint in COMMENT_SUBMISSIONS:  # a citizen's comment: say what became of it
            return error_page(400, _("页面已过期"), _("页面打开的时间太长，您的意见这次没有提交成功，网站上没有保存。"
                                                  "请返回上一页，刷新页面后再提交一次；您写的意见一般还在页面上。"))
        return error_page(400, _("页面已过期"),
                          _("页面打开的时间太长，这次没有提交成功。请返回上一页，刷新页面后再提交一次。"))

    @app.errorhandler(405)
    def method_not_allowed(error):
        if request.path.startswith("/api/"):  # the public API answers in JSON
            from portal.api.views import method_not_allowed as api_method_not_allowed

            return api_method_not_allowed(error)
        page, status = error_page(405, _("这个地址不能直接打开"),
                                  _("这个地址只用来提交表单，不能直接打开。请返回上一页，或回到首页。"))
        return page, status, {"Allow": ", ".join(error.valid_methods or [])}  # RFC 9110: a 405 names them

    @app.errorhandler(413)
    def too_large(_error):
        from portal.comments.attachments import megabytes

        if request.endpoint in COMMENT_SUBMISSIONS:  # the attachments of a comment: their own limit, per file
            return error_page(413, _("文件太大"), _(
                "您选的附件太大，您的意见这次没有提交成功，网站上没有保存。每个附件不能超过 %(mb)s MB。"
                "请返回上一页，换一个小一些的文件，或者不带附件，再提交一次。",
                mb=megabytes(current_app.config["COMMENT_ATTACHMENT_MAX_BYTES"])))
        return error_page(413, _("文件太大"), _(
            "上传的文件太大，这次没有上传成功。一次上传的文件加起来不能超过 %(mb)s MB。请返回上一页，换小一些的文件再试。",
            mb=megabytes(current_app.config["MAX_CONTENT_LENGTH"])))

    @app.errorhandler(429)
    def too_many_requests(error):
        # a limit with its own page (the login form, say) attaches that response: keep it
        if getattr(error, "response", None) is not None:
            return error.response
        wait = _wait_sentence(_window_seconds(error))
        if request.endpoint in COMMENT_SUBMISSIONS:
            return error_page(429, _("提交太频繁"), _(
                "您在短时间内提交的意见太多，这一条这次没有提交成功，网站上没有保存。%(wait)s"
                "返回上一页时，您写的内容一般还在，不用重写。", wait=wait))
        return error_page(429, _("操作太频繁"), _("您在短时间内操作的次数太多，这一次没有成功。%(wait)s", wait=wait))

    @app.errorhandler(IntegrityError)
    def conflict(error):
        """The same thing written twice at one moment (a form sent twice without the page's guard, two staff adding
        the same unit or word): the database's unique keys refuse the second. Nothing of it is kept; say so plainly
        instead of a server error."""
        from portal.extensions import db

        db.session.rollback()
        original = error.orig
        if not (getattr(original, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(original)):
            # a NOT NULL, foreign key or CHECK violation is a bug, not a second sending: a server error, logged
            current_app.logger.error("a write refused by the database", exc_info=error)
            return server_error(error)
        current_app.logger.info("a write refused by a unique key: %s", str(original)[:200])
        if request.path.startswith("/api/"):
            return {"error": "conflict", "message": "The same change was made at the same moment: reload."}, 409
        return error_page(409, _("刚才已经有人做了同样的修改"),
                          _("这项内容刚才已经被保存（可能是您按了两次，或有同事同时在修改），这一次没有再保存。"
                            "请返回上一页并刷新，看看现在的内容。"))

    @app.errorhandler(OperationalError)
    def statement_cancelled(error):
        """A statement PostgreSQL cancelled at the web requests' statement timeout (PORTAL_DATABASE_STATEMENT_TIMEOUT,
        portal/core/postgres.py): a plain page saying to try again later, at once, rather than a request that hangs.
        The request's transaction is rolled back. Any other database error goes on as before
        (a server error)."""
        from portal.core.postgres import is_query_canceled
        from portal.extensions import db

        if not is_query_canceled(error):
            raise error
        db.session.rollback()
        current_app.logger.warning("a statement cancelled at the statement timeout: %s %s", request.method,
                                   request.path)
        if request.path.startswith("/api/"):
            from portal.api.views import error_response

            response = error_response(503, "busy", _("网站现在太忙，请稍后再试。"))
        else:
            response = current_app.make_response(error_page(503, _("网站现在太忙"), _(
                "很抱歉，网站这一次等了太久，没有完成。请过一会儿再试一次；"
                "如果一直不成功，请拨打征求意见公告上写的联系电话。")))
        response.headers["Retry-After"] = "60"
        return response

    @app.errorhandler(500)
    def server_error(_error):
        return error_page(500, _("系统出现问题"), _("很抱歉，网站出了问题，这次的操作可能没有完成。请过一会儿再试一次；"
                                                   "如果一直不成功，请拨打征求意见公告上写的联系电话。"))


def name_download(response, name: str, fallback: str):
    """Name an attachment ``name`` (RFC 6266 filename*, UTF-8) and, for the programs that read only filename=,
    ``fallback``: an ASCII name saying what the file is (consultation-9-digest.xlsx). Werkzeug's own fallback drops
    every Chinese character: consultation-9-意见汇总.xlsx was consultation-9-.xlsx, a title -.docx."""
    from urllib.parse import quote

    if not name.isascii():
        fallback = fallback.encode("ascii", "ignore").decode("ascii").replace('"', "")
        response.headers.set("Content-Disposition", "attachment", filename=fallback,
                             **{"filename*": "UTF-8''" + quote(name, safe="!#$&+-.^_`|~")})
    return response


def ascii_suffix(name: str) -> str:
    """A stored file's extension (".pdf"), for its ASCII name; "" when it has none that ASCII can say."""
    suffix = re.search(r"\.[A-Za-z0-9]{1,8}$", name)
    return suffix.group(0).lower() if suffix else ""


def file_download(data: bytes, content_type: str, filename: str, private: bool, fallback: str | None = None):
    """A stored file as a download (never shown in the site's origin: a tab that opens it runs nothing, under a
    sandbox CSP), named as stored (RFC 6266 filename*), and ``fallback`` for the programs that read only an ASCII
    name (name_download). ``private``: never cached (staff's files); else a public file, kept five minutes."""
    import io

    from flask import send_file

    response = send_file(io.BytesIO(data), mimetype=content_type, as_attachment=True, download_name=filename,
                         etag=False, max_age=0 if private else 300)
    if fallback:
        name_download(response, filename, fallback)
    if private:
        response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = CSP + "; sandbox"
    return response
