"""The portal's form base: Flask-WTF's FlaskForm with WTForms' own messages loaded once per language, and its
fields marked Chinese where they show Chinese data.

Flask-WTF reads WTForms' message catalogue from disk on every request that validates a form (about a
millisecond); the catalogue never changes while the portal runs, so it is loaded once per language here.
"""
from __future__ import annotations

from functools import cache

from babel import support
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path
from wtforms.widgets import Select, TextArea

from portal.core.web import HAN, ui_lang


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


class _MarkedSelect(Select):
    """A <select> whose options showing Chinese (a unit's name, a section's heading, a meeting's title: data, as the
    page's own words are translated) are marked lang="zh-CN": an <option> holds no <span>."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if "lang" not in (choice.render_kw or {}) and "lang" not in kwargs and HAN.search(str(choice.label or "")):
            kwargs["lang"] = "zh-CN"
        return super().render_option(choice, **kwargs)


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _MESSAGES

        def render_field(self, field, render_kw):
            """As WTForms renders a field, but on a page not in Chinese a <textarea> holding Chinese (a section's
            text, a meeting's description, what a citizen wrote and is shown again) is marked lang="zh-CN", and so
            are the options of a <select> that show Chinese. Chinese pages stay as they were (their lang says it)."""
            widget = field.widget
            if ui_lang() == "zh-CN":
                return super().render_field(field, render_kw)
            if isinstance(widget, TextArea) and "lang" not in render_kw and HAN.search(field._value() or ""):
                render_kw = {**render_kw, "lang": "zh-CN"}
            if type(widget) is Select:
                render_kw = {**(getattr(field, "render_kw", None) or {}), **render_kw}  # as WTForms merges them
                return _MarkedSelect(multiple=widget.multiple)(field, **render_kw)
            return super().render_field(field, render_kw)
