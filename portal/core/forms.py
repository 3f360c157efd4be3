"""The portal's form base: Flask-WTF's FlaskForm with WTForms' own messages loaded once per language.

Flask-WTF reads WTForms' message catalogue from disk on every request that validates a form (about a
millisecond); the catalogue never changes while the portal runs, so it is loaded once per language here.
"""
from __future__ import annotations

from functools import cache

from babel import support
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path


@cache
def _catalogue(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _WTFormsMessages:
    """WTForms' built-in messages ("Not a valid choice.") in the page's language."""

    def gettext(self, string: str) -> str:
        return _catalogue(str(get_locale())).ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _catalogue(str(get_locale())).ungettext(singular, plural, n)


_MESSAGES = _WTFormsMessages()


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _MESSAGES
