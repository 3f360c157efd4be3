"""Whole public pages of a consultation (its overview and its section pages), kept in process memory.

A citizen's page is the same for every anonymous reader but for the CSRF token of the comment form. So the
page is rendered once with a placeholder in place of the token, kept under everything it depends on, and
each reader gets it with their own token put in:

- the consultation's ``comments_token`` and ``content_token``, renewed by database triggers whenever its
  public comments, or its own columns, drafts, sections, tables, extensions or routing change (migrations
  0009 and 0010, portal/core/tokens.py): a key can never mean two versions of the page;
- what the page shows that follows the clock or the reader: the consultation's state (open, closed …), the
  path with its query (page, order; the language and elderly-mode links carry it), the script root, the
  language and elderly mode.

Only anonymous readers' GETs are served from here, for consultations that are not closed or whose closing
summary is stored (an unstored summary counts published responses, which no token follows). A request whose
transaction has written comments renders as usual (portal/comments/page_cache.py: usable).
"""
from __future__ import annotations

import uuid
from typing import Callable

from flask import current_app, g, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from portal.comments import page_cache
from portal.core.tokens import LRU
from portal.core.web import ELDERLY_COOKIE

MAX_ENTRIES = 2000
MAX_BYTES = 64 * 1024 * 1024  # a section page is 20-120 kB
_PLACEHOLDER = f"csrf-placeholder-{uuid.uuid4().hex}"  # per process; never sent to a reader

cache = LRU(MAX_ENTRIES, MAX_BYTES)


def clear() -> None:
    cache.clear()


def _usable(consultation) -> bool:
    if request.method != "GET" or current_user.is_authenticated or "_flashes" in session:
        return False
    if not consultation.content_token or not page_cache.usable(consultation):
        return False
    return consultation.state() != "closed" or bool(consultation.closing_summary)


def whole_page(consultation, render: Callable):
    """The response of ``render()`` (a view's return value, building its own form), from memory when the
    same page was rendered before under the same tokens."""
    if not _usable(consultation):
        return render()
    key = (
        consultation.id, consultation.comments_token, consultation.content_token, consultation.state(),
        request.endpoint, request.full_path, request.script_root, str(get_locale()),
        request.cookies.get(ELDERLY_COOKIE) == "1",
    )
    html = cache.get(key)
    if html is None:
        field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        setattr(g, field, _PLACEHOLDER)  # what generate_csrf() returns while the page renders
        try:
            response = make_response(render())
        finally:
            g.pop(field, None)
        if response.status_code != 200 or response.mimetype != "text/html":
            return response  # errors are not kept
        html = response.get_data(as_text=True)
        cache.put(key, html, size=len(html) * 2 + 200)
    else:
        response = make_response(html)
    if _PLACEHOLDER in html:
        response.set_data(html.replace(_PLACEHOLDER, generate_csrf()))
    return response
