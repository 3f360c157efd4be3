"""The search form's arguments (a plain GET form: nothing to protect, everything optional)."""
from __future__ import annotations

from dataclasses import dataclass

KINDS = ("section", "note", "comment")  # what a search may be narrowed to (kind=…)
STATES = ("open", "closed")  # the consultations' states it may be narrowed to (state=…)
MAX_QUERY_LENGTH = 100
MAX_PAGE = 500
MAX_ID = 2**31 - 1  # an id the database can hold; larger numbers are nonsense, not an error


@dataclass(frozen=True)
class SearchArgs:
    q: str = ""
    consultation_id: int | None = None
    state: str | None = None
    kind: str | None = None
    page: int = 1

    def link_args(self, **changes) -> dict:
        values = {"q": self.q, "consultation": self.consultation_id, "state": self.state, "kind": self.kind,
                  "page": self.page}
        values.update(changes)
        # the first page goes without its number; consultation 1 keeps its own (its filter was lost before)
        return {k: v for k, v in values.items() if v not in (None, "") and (k, v) != ("page", 1) or (k == "q")}


def _int(value: str | None) -> int | None:
    try:
        number = int(value) if value else None
    except ValueError:
        return None
    return number if number is None or abs(number) <= MAX_ID else None


def parse_search_args(args) -> SearchArgs:
    """Read ``q``, ``consultation``, ``state``, ``kind``, ``page``; ignore what makes no sense."""
    page = _int(args.get("page")) or 1
    return SearchArgs(
        q=(args.get("q") or "").strip()[:MAX_QUERY_LENGTH],
        consultation_id=_int(args.get("consultation")),
        state=args.get("state") if args.get("state") in STATES else None,
        kind=args.get("kind") if args.get("kind") in KINDS else None,
        page=min(max(page, 1), MAX_PAGE),
    )
