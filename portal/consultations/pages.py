"""Whole public pages of a consultation (its overview and its section pages), kept in process memory.

A citizen's page is the same for every anonymous reader but for the CSRF token of the comment form. So the
page is rendered once with a placeholder in place of the token, kept under everything it depends on, and
each reader gets it with their own token put in:

- the consultation's ``comments_token`` and ``content_token``, renewed by database triggers whenever its
  public comments, or its own columns, drafts, sections, tables, extensions or routing change (migrations
  0009 and 0010, portal/core/tokens.py): a key can never mean two versions of the page;
- what the page shows that follows the clock or the reader: the consultation's state (open, closed …) and the
  days left to comment, the path with its query (page, order; the language and elderly-mode links carry it),
  the script root, the language and elderly mode.

With ``PAGE_CACHE_URL`` (Redis) the pages are also kept there, under a hash of the same key, for an hour: a page one
worker (or host) rendered is not rendered again by the others, nor by a worker that restarted. Only pages whose
query is one the pages themselves link to are shared (``page=N`` of a page of threads that exists, ``order=`` one of
the orders, written as the links write them); other queries stay in each worker's bounded memory, so that nobody
can fill Redis with page numbers that do not exist or the same query spelled another way. Redis unreachable
or slow (50 ms) is a miss, said once in the log; the page is rendered as without it.

Only anonymous readers' GETs are served from here, for consultations that are not closed or whose closing
summary is stored (an unstored summary counts published responses, which no token follows). A request whose
transaction has written comments renders as usual (portal/comments/page_cache.py: usable).
"""
from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Callable

from flask import current_app, g, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import bindparam, select

from portal.citizens.services import SESSION_KEY as CITIZEN_SESSION_KEY
from portal.comments import page_cache
from portal.comments.services import SUBMISSION_KEY_PLACEHOLDER, new_submission_key
from portal.comments.quotes import QUERY_ARG as QUOTE_ARG
from portal.consultations.models import Consultation, ConsultationState
from portal.core.statements import own_transaction, prepared, run
from portal.core.tokens import LRU
from portal.core.web import ELDERLY_COOKIE

MAX_ENTRIES = 2000
MAX_BYTES = 64 * 1024 * 1024  # a section page is 20-120 kB
SHARED_SECONDS = 3600  # a page under tokens since renewed is never asked for again
SHARED_MAX_BYTES = 1024 * 1024
log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]

cache = LRU(MAX_ENTRIES, MAX_BYTES)
_clients: dict[str, object] = {}
_failed: set[str] = set()  # Redis URLs whose failure was logged (once each, per process)
_UNUSABLE = object()  # in _clients: a URL redis-py refused


def clear() -> None:
    cache.clear()


def _placeholder() -> str:
    """Where the reader's CSRF token goes: the same in every worker of a deployment (pages are shared), derived
    from its secret key so that nobody can write it into a comment; never sent to a reader."""
    key = current_app.secret_key or ""
    return _placeholder_for(key if isinstance(key, bytes) else key.encode())


@lru_cache(maxsize=8)
def _placeholder_for(secret: bytes) -> str:
    return "csrf-placeholder-" + hmac.new(secret, b"portal page csrf placeholder", hashlib.sha256).hexdigest()[:32]


def _shared_query() -> bool:
    """Whether the request's query is one the pages link to, spelled as they spell it (or none)."""
    from portal.comments.services import THREAD_ORDERS

    query = request.query_string.decode("latin-1")
    if not query:
        return True
    names = set()
    for part in query.split("&"):
        name, _, value = part.partition("=")
        if name in names:
            return False
        names.add(name)
        if name == "page":
            if not (value.isascii() and value.isdigit() and value[0] != "0" and len(value) <= 6):
                return False
        elif name != "order" or value not in THREAD_ORDERS:
            return False
    return True


def _shared():
    """The Redis client of PAGE_CACHE_URL, or None (also for a query the pages do not link to)."""
    url = current_app.config.get("PAGE_CACHE_URL")
    if not url or not _shared_query():
        return None
    client = _clients.get(url)
    if client is None:
        import redis

        try:
            client = redis.Redis.from_url(url, socket_timeout=0.05, socket_connect_timeout=0.05)
        except Exception as error:  # noqa: BLE001 - a URL redis cannot use (no scheme …): no shared cache
            _shared_failed(error)
            client = _UNUSABLE
        _clients[url] = client
    return None if client is _UNUSABLE else client


def _shared_key(key: tuple) -> str:
    """The Redis key: a hash of the page's key, of the deployment's placeholder (its secret key), so that two
    deployments sharing a Redis never read each other's pages, and of the code that renders them (code_version)."""
    return "portal:page:" + hashlib.sha256(f"{_placeholder()}|{code_version()}|{key!r}".encode()).hexdigest()


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of what renders the pages (the portal's code, static files, templates and translations), read once a
    process (~3 MB, a few ms): a page kept in Redis is served only by the code that rendered it. Tokens do not
    change with the code: without it, hosts half-way through an upgrade served each other's pages (the new form's
    fields to the old code, or the reverse), and every host served the old code's pages for an hour after it."""
    digest = hashlib.sha256()
    for folder, patterns in ((ROOT / "portal", ("*.py", "*.js", "*.css", "*.svg")), (ROOT / "templates", ("*",)),
                             (ROOT / "translations", ("*.po",))):
        for path in sorted({p for pattern in patterns for p in folder.rglob(pattern) if p.is_file()}):
            digest.update(f"{path.relative_to(ROOT)}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def _shared_failed(error: Exception) -> None:
    url = current_app.config.get("PAGE_CACHE_URL")
    if url not in _failed:
        _failed.add(url)
        log.warning("shared page cache unavailable (%s): pages are kept by each worker only", error)


def _get(key: tuple) -> str | None:
    """The page from this worker's memory, else from the shared cache (then kept here too)."""
    html = cache.get(key)
    if html is not None or (client := _shared()) is None:
        return html
    try:
        data = client.get(_shared_key(key))
        if data is None:
            return None
        html = data.decode()
    except Exception as error:  # noqa: BLE001 - whatever the shared cache does wrong is a miss, never a 500
        _shared_failed(error)
        return None
    cache.put(key, html, size=len(html) * 2 + 200)
    return html


def _put(key: tuple, html: str) -> None:
    cache.put(key, html, size=len(html) * 2 + 200)
    if (client := _shared()) is None or len(html) > SHARED_MAX_BYTES:
        return
    if "page" in request.args and not g.get("thread_page_exists"):  # the query is vetted (_shared_query)
        return  # ?page=999 shows the last page: kept by this worker only
    try:
        client.set(_shared_key(key), html.encode(), ex=SHARED_SECONDS)
    except Exception as error:  # noqa: BLE001 - the page is still served, and kept by this worker
        _shared_failed(error)


def _anonymous_get() -> bool:
    """A request that may be answered with a page from memory: an anonymous reader's GET (no staff member, no
    citizen signed in), nothing flashed, its form not asked to quote the draft (``?quote=``: words chosen by one
    reader, never kept)."""
    return (request.method == "GET" and QUOTE_ARG not in request.args and not current_user.is_authenticated
            and "_flashes" not in session
            and CITIZEN_SESSION_KEY not in session)  # a signed-in citizen's form is filled in with their name


def _usable(consultation) -> bool:
    return _anonymous_get() and keeps(consultation)


def keeps(consultation) -> bool:
    """Whether this consultation's pages may be kept: tokens to key them by, and a state they follow."""
    if not consultation.content_token or not page_cache.usable(consultation):
        return False
    return consultation.state() != "closed" or bool(consultation.closing_summary)


def _key(consultation) -> tuple:
    return (
        consultation.id, consultation.comments_token, consultation.content_token, consultation.state(),
        consultation.days_left(), request.endpoint, request.full_path, request.script_root, str(get_locale()),
        request.cookies.get(ELDERLY_COOKIE) == "1",
    )


@dataclass
class PageFacts(ConsultationState):
    """What the key of a consultation's pages needs (``_key``, ``_usable``), read without the ORM."""

    id: int
    published_at: datetime | None
    opens_at: datetime | None
    deadline: datetime | None
    comment_visibility: str
    comments_token: str | None
    content_token: str | None
    closing_summary: str | None


@prepared
def _page_facts_statement(_dialect):
    table = Consultation.__table__
    return select(*(table.c[name] for name in PageFacts.__dataclass_fields__)).where(table.c.id == bindparam("id"))


def read_facts(consultation_id: int) -> PageFacts | None:
    """The consultation's tokens and state, read with one statement outside the ORM session (on PostgreSQL in
    autocommit: one round trip instead of BEGIN, the query and ROLLBACK; issue 9); None if there is none. Read
    before anything cached under them is made, so that what is kept under a token is never older than it."""
    with own_transaction():
        row = run(_page_facts_statement(), {"id": consultation_id}).first()
    return None if row is None else PageFacts(**row._mapping)


def from_memory(consultation_id: int):
    """The page the reader asks for from memory, found with read_facts; None when it is not there, or not for
    this reader: the view then goes the usual way (and says 404 where it must)."""
    if not _anonymous_get():
        return None
    facts = read_facts(consultation_id)
    if facts is None or not facts.is_published or not keeps(facts):
        return None
    html = _get(_key(facts))
    return None if html is None else _respond(make_response(html), html)


def whole_page(consultation, render: Callable):
    """The response of ``render()`` (a view's return value, building its own form), from memory when the
    same page was rendered before under the same tokens."""
    if not _usable(consultation):
        return render()
    key = _key(consultation)
    html = _get(key)
    if html is None:
        field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        setattr(g, field, _placeholder())  # what generate_csrf() returns while the page renders
        setattr(g, SUBMISSION_KEY_PLACEHOLDER, True)  # and the comment form's one-use key
        try:
            response = make_response(render())
        finally:
            g.pop(field, None)
            g.pop(SUBMISSION_KEY_PLACEHOLDER, None)
        if response.status_code != 200 or response.mimetype != "text/html":
            return response  # errors are not kept
        html = response.get_data(as_text=True)
        _put(key, html)
    else:
        response = make_response(html)
    return _respond(response, html)


def _respond(response, html: str):
    """The page with the reader's own CSRF token put in, and a one-use key of its own in each comment form."""
    placeholder, filled = _placeholder(), html
    if placeholder in filled:
        filled = filled.replace(placeholder, generate_csrf())
    if SUBMISSION_KEY_PLACEHOLDER in filled:
        parts = filled.split(SUBMISSION_KEY_PLACEHOLDER)
        filled = "".join(chain.from_iterable((part, new_submission_key()) for part in parts[:-1])) + parts[-1]
    if filled is not html:
        response.set_data(filled)
    return response
