"""What pages show of a consultation's public comments, kept in process memory under its comments token.

``consultations.comments_token`` is renewed by database triggers whenever anything the public sees of the
consultation's comments may have changed (migration 0009). Every key here starts with the consultation's
id and that token, so an entry can never be stale: once the comments change, the page reads a new token
with the consultation row and looks up a new key; old entries are never asked for again and fall out of
the LRU. Two workers (or hosts) can hold different entries, never different meanings for one key, which is
why process memory is enough (CONTRIBUTING: no state two workers would disagree on).

Ordering matters on PostgreSQL (READ COMMITTED): the token is read with the consultation, before the
comments, so what is cached under a token is never older than the token. A request whose own transaction
has written comments (its flushes ran the triggers, but the token in memory is the old one) neither reads
nor fills the cache until it commits or rolls back.

What is cached: the public counts per section, the number of threads of a section (or the whole draft),
and the rendered list of a page of threads with its pagers. The comment form (CSRF token, errors) is never
part of a cached fragment.
"""
from __future__ import annotations

from typing import Any, Callable

from flask import current_app, g, request
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.core.tokens import LRU  # noqa: F401  (also used by the tests from here)

MAX_ENTRIES = 1000
MAX_BYTES = 16 * 1024 * 1024  # rendered thread lists are 20-60 kB each
SMALL = 200  # what a counts dict or a number is charged (bytes, roughly)
WRITTEN = "portal_comments_written"  # session.info: this transaction has written comments


cache = LRU(MAX_ENTRIES, MAX_BYTES)


def clear() -> None:
    cache.clear()


# --- when the cache may be used -----------------------------------------------------------------------

def _comments_flushed(session: Session, _context, _instances) -> None:
    from portal.comments.models import Comment

    if any(isinstance(obj, Comment) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[WRITTEN] = True


def _statement_executed(orm_execute_state) -> None:
    # bulk INSERT/UPDATE/DELETE through the session (insert(Comment), update(Comment) …): be safe, any table
    if not orm_execute_state.is_select:
        orm_execute_state.session.info[WRITTEN] = True


def _transaction_ended(session: Session, transaction) -> None:
    if transaction.parent is None:  # the outermost one (a savepoint's end leaves the writes around it)
        session.info.pop(WRITTEN, None)


def register(session) -> None:
    """Follow the session's writes (call once, with ``db.session``)."""
    if not event.contains(session, "before_flush", _comments_flushed):
        event.listen(session, "before_flush", _comments_flushed)
        event.listen(session, "do_orm_execute", _statement_executed)
        event.listen(session, "after_transaction_end", _transaction_ended)


def usable(consultation) -> bool:
    from portal.extensions import db

    return bool(consultation.comments_token) and not db.session.info.get(WRITTEN)


def cached(consultation, parts: tuple, make: Callable[[], Any], size: Callable[[Any], int] | None = None):
    """``make()``, or what it returned for the same consultation, comments token and ``parts``."""
    if not usable(consultation):
        return make()
    key = (consultation.id, consultation.comments_token, *parts)
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = make()
        cache.put(key, value, size(value) if size else SMALL)
    return value


_MISSING = object()


# --- what pages use -----------------------------------------------------------------------------------

def public_counts(consultation) -> dict[int | None, int]:
    """Approved comments per section id (``None``: the whole draft), as public_comment_counts."""
    from portal.comments.services import public_comment_counts

    return cached(consultation, ("counts",), lambda: public_comment_counts(consultation))


def public_quotes(consultation):
    """What the pages show of public comments' quotations (portal/comments/quotes.py: PublicQuotes): under the
    content token too, as they are the draft's words."""
    from portal.comments.quotes import PublicQuotes
    from portal.comments.quotes import public_quotes as find

    if not consultation.comments_public:
        return PublicQuotes()
    return cached(consultation, ("quoted", consultation.content_token), lambda: find(consultation),
                  size=lambda found: SMALL + 150 * len(found.links) + sum(len(t) * 4 + 100 for t in found.texts.values()))


def thread_total(consultation, section, only: list[int] | None = None, passage: int | None = None) -> int:
    from portal.comments.services import public_thread_total

    return cached(consultation, ("threads", section.id if section else None, passage, consultation.content_token),
                  lambda: public_thread_total(consultation, section, only))


def thread_list(consultation, section, page: int, order: str, endpoint: str, pager_args: dict, quotes,
                passage: int | None = None) -> Markup:
    """The rendered page of public threads with its pagers (``comments/_macros.html`` thread_list); ``quotes``: the
    consultation's public_quotes, which the page read already; ``passage``: only the comments quoting the sentence
    of the draft that starts there (portal/comments/quotes.py)."""
    from portal.comments.services import THREAD_ORDERS, THREADS_PER_PAGE, public_thread_page

    only = quotes.members.get((section.id if section else None, passage), []) if passage is not None else None
    if only is not None and not only:
        passage = only = None  # no such sentence among this list's (an old link): the whole list
    order = order if order in THREAD_ORDERS else "oldest"
    total = thread_total(consultation, section, only, passage)
    pages = max(1, -(-total // THREADS_PER_PAGE))
    asked, page = page, min(max(1, page), pages)
    g.thread_page_exists = asked == page  # a page number past the last is shown the last page, never shared
    parts = (
        "thread_list", section.id if section else None, page, order, str(get_locale()), consultation.is_open,
        endpoint, tuple(sorted(pager_args.items())), request.script_root, passage, consultation.content_token,
    )

    def render() -> Markup:
        from portal.comments.attachments import attachment_counts

        thread_page = public_thread_page(consultation, section, page, order, total=total, only=only)
        files = attachment_counts(c.id for c in thread_page.threads)  # replies carry none
        macro = current_app.jinja_env.get_template("comments/_macros.html").module.thread_list
        whole = {key: value for key, value in pager_args.items() if key != "passage"}  # the list, unnarrowed
        return Markup(macro(consultation, thread_page, endpoint, pager_args, files, quotes.links,
                            quotes.texts.get(passage) if passage is not None else None, whole))

    return cached(consultation, parts, render, size=lambda html: len(html) * 2 + SMALL)
