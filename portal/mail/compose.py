"""Render a mail from its templates in one language: templates/mail/<name>.<language>.txt and .html.

The .txt template sets ``subject`` (``{% set subject %}…{% endset %}``); its output is the plain-text body.
Rendering runs inside ``force_locale`` so that dates and numbers follow the reader's language.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from babel import Locale
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

LANGUAGES = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"


@dataclass
class RenderedMail:
    subject: str
    text: str
    html: str
    # a link that must never be stored (a sign-in link): the outbox keeps the mail with it left out
    secret: str | None = None

    def outbox_columns(self) -> dict:
        """The outbox row's columns this mail fills (OutboxMessage): what is stored, a secret left out."""
        columns = self.sending_columns()
        if self.secret:
            hidden = str(_l("（链接已隐去）"))
            columns["body_text"] = columns["body_text"].replace(self.secret, hidden)
            columns["body_html"] = columns["body_html"].replace(self.secret, hidden)
        return columns

    def sending_columns(self) -> dict:
        """The mail as it is sent, secret included."""
        return {"subject": self.subject, "body_text": self.text, "body_html": self.html}


def mail_language(language: str | None) -> str:
    """The mail language for a page language: English for any ``en…``, Chinese otherwise."""
    return "en" if (language or "").lower().startswith("en") else DEFAULT_LANGUAGE


@cache
def _locale(language: str) -> Locale:
    """Parsed once per process: Babel's parsing scans its list of locales every time (~0.3 ms)."""
    return Locale.parse(language)


def render_mail(name: str, language: str, **context) -> RenderedMail:
    language = mail_language(language)
    env = current_app.jinja_env
    with force_locale(_locale(language)):
        text_module = env.get_template(f"mail/{name}.{language}.txt").make_module(context)
        html = env.get_template(f"mail/{name}.{language}.html").render(context)
    subject = " ".join(str(getattr(text_module, "subject", "")).split())
    if not subject:
        raise ValueError(f"mail/{name}.{language}.txt sets no subject")
    return RenderedMail(subject=subject, text=str(text_module).strip() + "\n", html=html)
