"""The PostgreSQL backend: the analyser's bigram tokens as a ``tsvector`` (GIN index), phrase ``tsquery``.

The tokens are computed in Python by the same analyser as for Whoosh and handed to PostgreSQL as a
``tsvector`` literal (``养老:1 老床:2 …``), so both backends index and match exactly the same terms.
Nothing beyond what ships with PostgreSQL is used. A search ranks at most ``SEARCH_MAX_CANDIDATES``
matches (default 1,000, in storage order); beyond that the count is shown as "more than".
"""
from __future__ import annotations

from typing import Iterable

from flask import current_app
from sqlalchemy import text

from portal.extensions import db
from portal.search.analysis import Clause, token_string
from portal.search.backend import Hit, HitPage, Progress
from portal.search.documents import Document

BATCH = 1000


def tsquery(clauses: list[Clause]) -> str:
    """``'养老' <-> '老床' <-> '床位' & '老':*`` (terms are letters, digits or Han only: no quoting needed)."""
    parts = []
    for clause in clauses:
        terms = [f"'{t}'" for t in clause.terms]
        if clause.prefix:
            terms[-1] += ":*"
        parts.append(" <-> ".join(terms) if len(terms) > 1 else terms[0])
    return " & ".join(f"({p})" for p in parts)


def insert_documents(connection, docs: Iterable[Document], progress: Progress | None = None, upsert: bool = False) -> int:
    """Insert documents in multi-row statements; the ``tsvector`` is parsed by PostgreSQL from the token string."""
    statement = text(
        "INSERT INTO search_documents (kind, target_id, consultation_id, tokens) "
        "SELECT kind, target_id, consultation_id, CAST(tokens AS tsvector) FROM "
        "unnest(CAST(:kinds AS text[]), CAST(:ids AS int[]), CAST(:cids AS int[]), CAST(:tokens AS text[])) "
        "AS d(kind, target_id, consultation_id, tokens)"
        + (" ON CONFLICT (kind, target_id) DO UPDATE SET tokens = excluded.tokens, "
           "consultation_id = excluded.consultation_id" if upsert else "")
    )
    count = 0
    batch: list[Document] = []

    def flush() -> None:
        connection.execute(
            statement,
            {
                "kinds": [d.kind for d in batch],
                "ids": [d.target_id for d in batch],
                "cids": [d.consultation_id for d in batch],
                "tokens": [token_string(d.text) for d in batch],
            },
        )
        if progress:
            progress(len(batch))
        batch.clear()

    for doc in docs:
        batch.append(doc)
        count += 1
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    return count


class PostgresBackend:
    name = "postgresql"

    @property
    def connection(self):
        return db.session.connection()

    def replace_sections(self, consultation_id: int, docs: list[Document]) -> None:
        self.connection.execute(
            text("DELETE FROM search_documents WHERE kind IN ('section', 'note') AND consultation_id = :cid"),
            {"cid": consultation_id},
        )
        insert_documents(self.connection, docs, upsert=True)

    def rebuild_sections(self, docs: Iterable[Document], progress: Progress | None = None) -> None:
        self.connection.execute(text("DELETE FROM search_documents WHERE kind IN ('section', 'note')"))
        insert_documents(self.connection, docs, progress, upsert=True)

    def replace_comments(self, consultation_id: int, docs: Iterable[Document], progress: Progress | None = None) -> None:
        self.connection.execute(
            text("DELETE FROM search_documents WHERE kind = 'comment' AND consultation_id = :cid"),
            {"cid": consultation_id},
        )
        insert_documents(self.connection, docs, progress, upsert=True)

    def update_comments(self, consultation_id: int, upserts: list[Document], deletes: list[int]) -> None:
        if deletes:
            self.connection.execute(
                text("DELETE FROM search_documents WHERE kind = 'comment' AND target_id = ANY(:ids)"),
                {"ids": deletes},
            )
        insert_documents(self.connection, upserts, upsert=True)

    def drop_consultation(self, consultation_id: int) -> None:
        self.connection.execute(
            text("DELETE FROM search_documents WHERE consultation_id = :cid"), {"cid": consultation_id}
        )

    def search(self, clauses, consultation_ids, kinds, limit, offset) -> HitPage:
        cap = int(current_app.config.get("SEARCH_MAX_CANDIDATES") or 1000)
        rows = self.connection.execute(
            text(
                "WITH q AS (SELECT CAST(:q AS tsquery) AS q), "
                "candidates AS (SELECT d.kind, d.target_id, d.consultation_id, d.tokens FROM search_documents d "
                "WHERE d.tokens @@ (SELECT q FROM q) AND d.consultation_id = ANY(:cids) AND d.kind = ANY(:kinds) "
                "LIMIT :cap) "
                "SELECT kind, target_id, consultation_id, ts_rank(tokens, (SELECT q FROM q)) AS score, "
                "count(*) OVER () AS total FROM candidates "
                "ORDER BY score DESC, kind DESC, target_id LIMIT :limit OFFSET :offset"
            ),
            {"q": tsquery(clauses), "cids": list(consultation_ids), "kinds": list(kinds), "cap": cap,
             "limit": limit, "offset": offset},
        ).all()
        total = rows[0].total if rows else 0
        if not rows and offset:
            total = self.connection.execute(
                text(
                    "SELECT count(*) FROM (SELECT 1 FROM search_documents d WHERE d.tokens @@ CAST(:q AS tsquery) "
                    "AND d.consultation_id = ANY(:cids) AND d.kind = ANY(:kinds) LIMIT :cap) c"
                ),
                {"q": tsquery(clauses), "cids": list(consultation_ids), "kinds": list(kinds), "cap": cap},
            ).scalar_one()
        hits = [Hit(r.kind, r.target_id, r.consultation_id, float(r.score)) for r in rows]
        return HitPage(hits, total, total >= cap)
