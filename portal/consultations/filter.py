"""The consultation filter of the moderation queue and of the search page: a <select> of a bounded number of
consultations (those still taking comments and the most recent, and the one chosen, however old), and a text box
that reaches any other by its number or by words of its title.

A portal holds hundreds or thousands of consultations; one <option> each (its title and period) made most of those
pages' work. The options read only the columns their labels need (``consultation_label``: the title, the period, the
round)."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import case, or_, select
from sqlalchemy.orm import load_only

from portal.consultations.models import Consultation, closed_consultation
from portal.core.web import query_int
from portal.extensions import db

LISTED = 20  # consultations the <select> offers (besides the one chosen)
FOUND_MAX = 10  # consultations a title's words list at most
FIND_MAX_LENGTH = 100

LABEL_COLUMNS = (Consultation.id, Consultation.title, Consultation.opens_at, Consultation.published_at,
                 Consultation.deadline, Consultation.previous_round_id)


def _labelled(query):
    return query.options(load_only(*LABEL_COLUMNS))


def filter_options(chosen_id: int | None = None, *, published_only: bool = False, first_ids=(),
                   limit: int = LISTED) -> list[Consultation]:
    """At most ``limit`` consultations for the filter: those in ``first_ids`` (e.g. with comments waiting), then those
    still taking comments (open, upcoming, and unpublished unless ``published_only``), then the closed, each newest
    first; and the chosen one, first, when it is not among them (and may be chosen: published, if asked)."""
    first_ids = sorted(set(first_ids), reverse=True)[:limit]
    first = [(Consultation.id.in_(first_ids), 0)] if first_ids else []
    rank = case(*first, (closed_consultation(), 2), else_=1)
    query = _labelled(select(Consultation)).order_by(rank, Consultation.id.desc()).limit(limit)
    if published_only:
        query = query.where(Consultation.published_at.is_not(None))
    options = list(db.session.scalars(query))
    if chosen_id and all(c.id != chosen_id for c in options):
        chosen = db.session.scalar(_labelled(select(Consultation)).where(Consultation.id == chosen_id))
        if chosen is not None and (chosen.is_published or not published_only):
            options.insert(0, chosen)
    return options


@dataclass
class Found:
    """What the text box found: one consultation (``only``), several to choose from (``matches``, newest first,
    ``more`` when there were more than listed), or nothing (``problem``: "number", no consultation of that
    ``number``; "title", none whose title holds the words; the page says so)."""

    text: str
    only: Consultation | None = None
    matches: list[Consultation] = field(default_factory=list)
    more: bool = False
    problem: str | None = None
    number: int | None = None


def find_consultation(text: str, *, published_only: bool = False) -> Found:
    """A consultation by its number ("12", "#12", "１２") or by words of its title (all of them, in any order)."""
    text = " ".join((text or "").split())[:FIND_MAX_LENGTH]
    plain = unicodedata.normalize("NFKC", text)
    found = Found(text=text)
    if not text:
        return found
    query = _labelled(select(Consultation))
    if published_only:
        query = query.where(Consultation.published_at.is_not(None))
    number = query_int(plain.lstrip("#").strip())
    if number is not None:
        found.only, found.number = db.session.scalar(query.where(Consultation.id == number)), number
        if found.only is None:
            found.problem = "number"
        return found
    conditions = [or_(Consultation.title.contains(w, autoescape=True),
                      Consultation.title.contains(unicodedata.normalize("NFKC", w), autoescape=True))
                  for w in text.split()]
    rows = list(db.session.scalars(query.where(*conditions).order_by(Consultation.id.desc()).limit(FOUND_MAX + 1)))
    if not rows:
        found.problem = "title"
    elif len(rows) == 1:
        found.only = rows[0]
    else:
        found.matches, found.more = rows[:FOUND_MAX], len(rows) > FOUND_MAX
    return found
