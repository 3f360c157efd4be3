"""What both backends offer, and which one the portal uses."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Protocol

from flask import current_app

from portal.search.analysis import Clause
from portal.search.documents import Document

Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class Hit:
    kind: str
    target_id: int
    consultation_id: int
    score: float


@dataclass
class HitPage:
    hits: list[Hit]
    total: int
    total_is_capped: bool = False
    # scopes ("sections", or a consultation id) whose index is missing or corrupt: being rebuilt
    unavailable: set = field(default_factory=set)


class SearchBackend(Protocol):
    name: str

    def replace_sections(self, consultation_id: int, docs: list[Document]) -> None: ...

    def replace_comments(self, consultation_id: int, docs: Iterable[Document], progress: Progress | None = None) -> None: ...

    def update_comments(self, consultation_id: int, upserts: list[Document], deletes: list[int]) -> None: ...

    def drop_consultation(self, consultation_id: int) -> None: ...

    def rebuild_sections(self, docs: Iterable[Document], progress: Progress | None = None) -> None: ...

    def search(
        self, clauses: list[Clause], consultation_ids: list[int], kinds: tuple[str, ...], limit: int, offset: int
    ) -> HitPage: ...


def get_backend() -> SearchBackend:
    from portal.extensions import db

    name = current_app.config.get("SEARCH_BACKEND") or "auto"
    if name == "auto":
        name = "postgresql" if db.engine.dialect.name == "postgresql" else "whoosh"
    if name == "postgresql":
        from portal.search.postgres_backend import PostgresBackend

        return PostgresBackend()
    from portal.search.whoosh_backend import WhooshBackend

    return WhooshBackend.for_app(current_app)
