"""The API's answers about one consultation, kept in process memory, as its public pages are
(portal/consultations/pages.py): under the consultation's comments and content tokens, which database triggers
renew whenever what the public sees of it may have changed, and under its state, the path with its query, the
host (the answers hold absolute links) and the language. A key can never mean two answers, so two workers may
hold different entries but never disagree.

Kept only while the consultation is not closed: after the deadline the office publishes and may still edit its
responses, which no token follows (and the readers' burst comes before the deadline, not after).
"""
from __future__ import annotations

import json
from typing import Callable

from flask import request
from flask_babel import get_locale

from portal.consultations.pages import keeps, read_facts
from portal.core.tokens import LRU

MAX_ENTRIES = 2000
MAX_BYTES = 32 * 1024 * 1024  # an answer is 1-60 kB (a draft with all its sections, or 100 comments)

cache = LRU(MAX_ENTRIES, MAX_BYTES)


def clear() -> None:
    cache.clear()


def serialise(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def answer(consultation_id: int, make: Callable[[], dict]) -> str:
    """The JSON text of ``make()`` (which raises for an error, never kept), from memory when the same answer was
    made before under the same tokens."""
    facts = read_facts(consultation_id)
    if facts is None or not facts.is_published or facts.state() == "closed" or not keeps(facts):
        return serialise(make())
    key = (facts.id, facts.comments_token, facts.content_token, facts.state(), request.endpoint,
           request.full_path, request.host_url, str(get_locale()))
    text = cache.get(key)
    if text is None:
        text = serialise(make())
        cache.put(key, text, size=len(text) * 2 + 200)
    return text
