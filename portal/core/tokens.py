"""Tokens that database triggers renew when what they stand for changes (migrations 0009 and 0010).

- ``consultations.comments_token``: what the public sees of the consultation's comments;
- ``consultations.content_token``: the rest of its public pages (its own columns, drafts, sections, tables,
  deadline extensions, routing settings);
- ``cache_tokens``, one row per table every consultation reads: ``units`` (the directory and its aliases)
  and ``sensitive_words``.

A worker may keep in its memory anything it read from those tables, under the token it read first: a key
with a token can never mean two things, so two workers (or hosts) never disagree on it, and a change is
seen by the next request that reads the new token. The triggers run whatever wrote the rows (the ORM, a
Core statement, psql), so no write path can forget to renew a token.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db

UNITS = "units"
SENSITIVE_WORDS = "sensitive_words"


class CacheToken(db.Model):
    __tablename__ = "cache_tokens"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


class LRU:
    """A bounded mapping, least recently used out first, bounded by entries and by (estimated) bytes."""

    def __init__(self, max_entries: int, max_bytes: int):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple, default=None):
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return default
            self._items.move_to_end(key)
            self.hits += 1
            return item[0]

    def put(self, key: tuple, value, size: int = 200) -> None:
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (value, size)
            self._bytes += size
            while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                _key, (_value, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    @property
    def size(self) -> int:
        return self._bytes


_remembered = LRU(4096, 8 * 1024 * 1024)
_MISSING = object()


def remember(key: tuple, make: Callable[[], Any]):
    """``make()``, or what it returned before for ``key``, a tuple that must hold every token ``make`` reads
    under (each entry is charged a fixed size: keep the values small)."""
    if None in key:  # a token missing (an emptied table): nothing can be kept under it
        return make()
    value = _remembered.get(key, _MISSING)
    if value is _MISSING:
        value = make()
        _remembered.put(key, value)
    return value


def renew_cache_tokens() -> None:
    """Give every row of ``cache_tokens`` a new value (creating missing rows); flushes. For tests and restores:
    the triggers renew them in everyday use."""
    import uuid

    from sqlalchemy import delete, insert

    db.session.execute(delete(CacheToken))
    db.session.execute(insert(CacheToken), [{"name": name, "token": uuid.uuid4().hex} for name in (UNITS, SENSITIVE_WORDS)])
