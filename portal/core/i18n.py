"""Language and time zone of the request: the page's switch (remembered in a cookie), then the browser.

Also compiles the message catalogues: the .mo files are not kept in git, so the portal builds each one
from its .po at start-up when it is missing or older than the .po.
"""
from __future__ import annotations

import logging
import os
import tempfile
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app, g, has_request_context, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import get_translations
from flask_babel.speaklater import LazyString
from markupsafe import escape
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from portal.config import TIMEZONE

LANGUAGE_COOKIE = "lang"
log = logging.getLogger(__name__)


def _escaped_html(self: LazyString) -> str:
    return str(escape(str(self)))


# Flask-Babel gives a lazily translated message (``_l(…)``, a LazyString) an ``__html__`` that returns its text as it
# is (python-babel/flask-babel #121, #224): Jinja and WTForms (an <option>'s label, a form's error, a field's
# description) then took it for markup made safe, and a title, a key question or a name put into it
# (``_l("问题%(n)d：%(question)s", question=…)``) reached the page as markup. Its HTML is its text escaped, as a
# str's is; no message of the portal is written as markup (markup goes in with ``with_markup`` or a template).
LazyString.__html__ = _escaped_html


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, but a lazily translated message is written as its text, not as its (escaped) HTML."""

    @staticmethod
    def default(o):
        if isinstance(o, LazyString):
            return str(o)
        return DefaultJSONProvider.default(o)


def select_locale() -> Locale:
    return _parsed(_chosen_language())


@cache
def _parsed(language: str) -> Locale:
    """Parsed once per process: Babel's parsing scans its list of locales every time (~0.3 ms a request)."""
    return Locale.parse(language)


def _chosen_language() -> str:
    if not has_request_context():  # command line, workers: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["PORTAL_LANGUAGES"]
    # the query is parsed only when there is one (a form's submission has none)
    chosen = (request.args.get("lang") if request.query_string else None) or request.cookies.get(LANGUAGE_COOKIE)
    if chosen in languages:
        return chosen
    return _browser_language(request.headers.get("Accept-Language", ""), current_app.config["BABEL_DEFAULT_LOCALE"])


@lru_cache(maxsize=512)
def _browser_language(accept_language: str, default: str) -> str:
    """English when the browser's Accept-Language puts it before Chinese, else ``default``: worked out once for
    each header value (browsers send a few dozen of them), not parsed for every request."""
    best = parse_accept_header(accept_language, LanguageAccept).best_match(["zh_CN", "zh", "en"])
    if best and best.startswith("en"):
        return "en"
    return default


def select_timezone() -> str:
    return TIMEZONE


def _translations():
    """The request's translations, for the templates' ``_()``: Flask-Babel looks them up anew for every string (its
    context three times, the locale's name once: ~10 µs, 1,200 strings on the office's answering page), kept here on
    its context beside the locale and domain they are of, so that ``force_locale`` (mails) and ``refresh`` are
    followed (a new locale object, or none, is a new lookup)."""
    ctx = g.get("_flask_babel") if g else None
    if ctx is not None:
        kept = getattr(ctx, "portal_translations", None)
        locale = getattr(ctx, "babel_locale", None)
        if kept is not None and locale is not None and kept[0] is locale and kept[1] is getattr(ctx, "babel_domain",
                                                                                                None):
            return kept[2]
    translations = get_translations()
    ctx = g.get("_flask_babel") if g else None
    if ctx is not None and getattr(ctx, "babel_locale", None) is not None:
        ctx.portal_translations = (ctx.babel_locale, getattr(ctx, "babel_domain", None), translations)
    return translations


def install_template_gettext(app) -> None:
    """The templates' gettext functions as Flask-Babel installs them, reading the translations through
    ``_translations``."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )


def compile_translations(directories: str | Path) -> list[Path]:
    """Compile every ``<lang>/LC_MESSAGES/*.po`` under ``directories`` (";"-separated, as
    BABEL_TRANSLATION_DIRECTORIES) whose .mo is missing or older than the .po.

    Each .mo is written to a temporary file and renamed into place, so several workers starting at once
    never read half a file. A read-only directory is logged, not fatal (the strings stay Chinese).
    """
    written = []
    po_paths = [po for d in str(directories).split(";") for po in sorted(Path(d).glob("*/LC_MESSAGES/*.po"))]
    for po_path in po_paths:
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        try:
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=po_path.parent.parent.name)
            handle, tmp_name = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
            with os.fdopen(handle, "wb") as tmp_file:
                write_mo(tmp_file, catalog, use_fuzzy=False)
            os.replace(tmp_name, mo_path)
        except OSError as error:
            log.warning("cannot compile %s: %s", po_path, error)
            continue
        written.append(mo_path)
    return written
