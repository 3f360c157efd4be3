"""Flashed messages translated when they are shown, not when they are flashed.

A message flashed by a form's POST is shown on the next page, which may be in the other language (the person
switched, or the language link itself redirected). ``flash(_("……"))`` kept the language of the request that flashed
it; ``flash_message(_l("……", name=chinese_part(title)))`` stores the msgid and its parameters instead (plain, JSON-safe
values in the session cookie) and ``flashed_messages()``, in the templates, translates them in the page's language.

- ``message``: ``_l("…", **params)`` or ``lazy_ngettext("…", "…", n, **params)`` (the extractor finds their msgids,
  as for a form's labels); a plain ``str`` (already translated) or ``Markup`` is kept as it is.
- a parameter may be a number, a text (escaped when shown), another ``_l(...)`` (a label, translated too),
  ``chinese_part(text)``: text from the draft or a person (a title, a unit's name), marked ``lang="zh-CN"`` on an
  English page as ``mark_chinese`` does, or a date, a moment or a number written as the page's language writes it
  (``date_part(day)`` as ``localdate``, ``moment_part(at)`` as ``localdatetime``, ``number_part(n)`` as
  ``format_decimal``: "2023年5月12日" on a Chinese page, "12 May 2023" on an English one); read as text at once (the
  command line, ``str()``), each is written in the language of that moment.
- a message flashed before this (a plain string in an old session) is shown as it was stored.

A service refuses with such a lazy message too (``raise OfficeError("file", _l("…", name=chinese_part(name)))``): the
view flashes it unchanged, or shows it at once at its form's field with ``shown_now(message)``, which marks its Chinese
parts as a flashed message's are.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

import flask_babel
from flask import flash, get_flashed_messages
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape

from portal.core.web import localdate, localdatetime, mark_chinese


class chinese_part:  # noqa: N801 (used as a function: title=chinese_part(title))
    """A parameter holding Chinese text from the draft or a person, marked when shown on an English page."""

    __slots__ = ("text",)

    def __init__(self, text: Any):
        self.text = "" if text is None else str(text)

    def __str__(self) -> str:  # read as a plain parameter (the message made a string at once): the text itself
        return self.text


class _local_part:  # noqa: N801
    """A date, a moment or a number inside a message, written when the message is shown, in the page's language."""

    __slots__ = ("kind", "value")

    def __init__(self, kind: str, value: Any):
        self.kind, self.value = kind, value

    def __str__(self) -> str:  # read as a plain parameter (the message made a string at once): in this language
        return _written(self.kind, self.value)

    def stored(self) -> dict:
        value = self.value.isoformat() if isinstance(self.value, (date, datetime)) else self.value
        return {self.kind: value}


def date_part(day: date) -> _local_part:
    """A day in a message, as ``localdate`` writes it on the page that shows the message."""
    return _local_part("date", day)


def moment_part(at: datetime) -> _local_part:
    """A moment (aware) in a message: its day and time in Asia/Shanghai, as ``localdatetime`` writes them."""
    return _local_part("moment", at)


def number_part(number: int | float) -> _local_part:
    """A number in a message, as ``format_decimal`` writes it in the page's language (1,000; 1.5)."""
    return _local_part("number", number)


def _written(kind: str, value: Any) -> str:
    if kind == "date":
        return localdate(date.fromisoformat(value) if isinstance(value, str) else value)
    if kind == "moment":
        return localdatetime(datetime.fromisoformat(value) if isinstance(value, str) else value)
    return flask_babel.format_decimal(value)


LOCAL_KINDS = ("date", "moment", "number")


def stored(message: Any) -> Any:
    """What the session keeps of ``message``: a dict naming its msgid and parameters for a lazy message, else the
    message itself (a ``str`` or ``Markup``: already translated)."""
    if isinstance(message, LazyString):
        return _stored_lazy(message)
    if isinstance(message, Markup):
        return message
    return str(message)


def _stored_lazy(message: LazyString) -> dict:
    func, args, kwargs = message._func, message._args, message._kwargs
    params = {name: _stored_param(value) for name, value in kwargs.items()}
    if func is flask_babel.gettext:
        return {"msgid": args[0], "params": params}
    if func is flask_babel.ngettext:
        singular, plural, num = args
        return {"msgid": singular, "plural": plural, "num": num, "params": params}
    if func is flask_babel.pgettext:
        context, msgid = args
        return {"msgid": msgid, "context": context, "params": params}
    return {"text": str(message)}  # any other lazy value: as it reads now


def _stored_param(value: Any) -> Any:
    if isinstance(value, chinese_part):
        return {"chinese": value.text}
    if isinstance(value, _local_part):
        return value.stored()
    if isinstance(value, LazyString):
        return _stored_lazy(value)
    if isinstance(value, Markup):
        return {"markup": str(value)}
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)


def flash_message(message: Any, category: str = "message") -> None:
    """Flash ``message`` (see the module's notes) to be translated on the page that shows it."""
    flash(stored(message), category)


def shown(message: Any) -> Markup | str:
    """A stored message in the page's language: ``Markup`` (its parameters escaped, Chinese parts marked), or an old
    plain string as it is (escaped by the template)."""
    if not isinstance(message, dict):
        return message
    if "text" in message and "msgid" not in message:
        return message["text"]
    translations = flask_babel.get_translations()
    params = {name: _shown_param(value) for name, value in (message.get("params") or {}).items()}
    if "plural" in message:
        params.setdefault("num", message["num"])
        return escape(translations.ungettext(message["msgid"], message["plural"], message["num"])) % params
    if "context" in message:
        translated = translations.upgettext(message["context"], message["msgid"])
    else:
        translated = translations.ugettext(message["msgid"])
    # as gettext does: a message without parameters is not formatted (a "%" in it stays as it is)
    return escape(translated) % params if params else escape(translated)


def shown_now(message: Any) -> Markup | str:
    """``message`` in the language of this request, as ``flashed_messages`` would show it (a service's refusal shown
    at its form's field): a lazy message as ``Markup``, its parameters escaped and Chinese parts marked; a ``str`` as
    it is (escaped by the template)."""
    return shown(stored(message))


def refuse_at(field, message: Any) -> None:
    """Add a service's refusal to a form ``field``'s errors, as ``shown_now`` shows it (in this request's language,
    its Chinese parts marked on an English page)."""
    field.errors = list(field.errors) + [shown_now(message)]


def _shown_param(value: Any) -> Any:
    if isinstance(value, dict):
        if "chinese" in value:
            return mark_chinese(value["chinese"])
        if "markup" in value:
            return Markup(value["markup"])
        if (kind := next((kind for kind in LOCAL_KINDS if kind in value), None)) is not None:
            return _written(kind, value[kind])
        return shown(value)
    return value


def flashed_messages() -> list[tuple[str, Markup | str]]:
    """The flashed messages with their categories, each in the page's language (a template global)."""
    return [(category, shown(message)) for category, message in get_flashed_messages(with_categories=True)]
