"""The embedded backend: Whoosh (whoosh-reloaded), one index for sections, one per consultation for comments.

Index directory: ``SEARCH_INDEX_DIR`` (default ``<instance>/search``). An index that is missing or does
not open cleanly is reported as unavailable to searches (which fall back to the database) and rebuilt
from the database by the worker the next time it opens it for writing.
"""
from __future__ import annotations

import heapq
import itertools
import logging
import os
import secrets
import shutil
from pathlib import Path
from typing import Iterable

from whoosh import index as whoosh_index
from whoosh.analysis import Token, Tokenizer
from whoosh.codec.whoosh3 import W3Codec
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, TEXT, Schema
from whoosh.query import And, Or, Phrase, Prefix, Term

from portal.search import analysis, whoosh_match
from portal.search.analysis import Clause
from portal.search.backend import Hit, HitPage, Progress
from portal.search.documents import Document

log = logging.getLogger(__name__)

SECTIONS_INDEX = "sections"
KIND_ORDER = {"section": 0, "note": 1, "comment": 2}  # equal scores: the draft first, as on PostgreSQL
NOTES_INDEX = "notes"  # the explanatory notes (起草说明), one document per consultation: the sections' schema
# compound=False: a compound segment file is opened by copying it whole into memory (BytesIO of the mmap),
# 15 ms per file per search at 100,000 comments; separate files are read where needed
WRITER_OPTIONS = {"limitmb": 256, "timeout": 60.0, "delay": 0.05, "compound": False}


# a large rebuild (a consultation with many comments) is written by two processes into two segments: 1.8x as
# fast on an idle 2-core machine; a small one is not worth starting processes for
PARALLEL_BUILD_FROM = 5000
PARALLEL_OPTIONS = {"procs": 2, "multisegment": True}


def writer_options() -> dict:
    return {**WRITER_OPTIONS, "codec": make_codec()}


class BigramTokenizer(Tokenizer):
    """Whoosh's view of :func:`portal.search.analysis.tokens` (positions and offsets included)."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for item in analysis.tokens(value):
            token.text = item.text
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos + item.pos
            if chars:
                token.startchar = start_char + item.start
                token.endchar = start_char + item.end
            yield token


class BigramText(TEXT):
    """The searched text: indexed straight from :func:`portal.search.analysis.term_positions` (no Token
    object per token); queries are answered by :mod:`portal.search.whoosh_match`. Positions only: no
    character offsets, no stored text (snippets are made from the database text)."""

    def index(self, value, **kwargs):
        encode = self.format.encode
        for word, positions in analysis.term_positions(value).items():
            yield word.encode("utf-8"), len(positions), float(len(positions)), encode(positions)


def make_schema() -> Schema:
    return Schema(
        id=ID(unique=True),
        consultation=ID(),
        content=BigramText(analyzer=BigramTokenizer(), phrase=True),
        # what a hit needs, as fixed-size columns: read per hit, where stored fields first read the
        # offsets of every document (25 ms per search at 100,000 comments)
        target_id=COLUMN(NumericColumn("Q")),
        consultation_id=COLUMN(NumericColumn("Q")),
    )


def _fields(doc: Document) -> dict:
    return {
        "id": str(doc.target_id),
        "consultation": str(doc.consultation_id),
        "content": doc.text,
        "target_id": doc.target_id,
        "consultation_id": doc.consultation_id,
    }


def _hit_ids(reader):
    """``docnum -> (target id, consultation id)``; indexes written before the columns have stored fields."""
    if "target_id" in reader.schema and reader.has_column("target_id"):
        targets, owners = reader.column_reader("target_id"), reader.column_reader("consultation_id")
        return lambda docnum: (targets[docnum], owners[docnum])

    def from_stored(docnum):
        fields = reader.stored_fields(docnum)
        return int(fields["id"]), int(fields["consultation"])

    return from_stored


def make_codec() -> W3Codec:
    """Whoosh's codec without the per-block length statistics (used only by Whoosh's own BM25 block
    skipping, which the search here does not use): writing them reads each posting's document length back
    from disk, a third of the indexing time. Kept as a plain W3Codec instance (the segments pickle it)."""
    codec = W3Codec()
    codec.length_stats = False
    return codec


class IndexUnavailable(Exception):
    """The index is missing or corrupt."""


def clause_query(clause: Clause, reader):
    terms = clause.terms
    if clause.prefix:
        if len(terms) == 1:
            return Prefix("content", terms[0])
        # a phrase ending in a character that may begin a longer token: one phrase per such token
        endings = [term for term in reader.expand_prefix("content", terms[-1])]
        return Or([Phrase("content", list(terms[:-1]) + [_text(e)]) for e in endings])
    if len(terms) == 1:
        return Term("content", terms[0])
    return Phrase("content", list(terms))


def _text(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def make_query(clauses: list[Clause], reader):
    queries = [clause_query(c, reader) for c in clauses]
    return And(queries) if len(queries) > 1 else queries[0]


class WhooshBackend:
    name = "whoosh"

    def __init__(self, root: Path):
        self.root = Path(root)

    @classmethod
    def for_app(cls, app) -> "WhooshBackend":
        return cls(Path(app.config.get("SEARCH_INDEX_DIR") or Path(app.instance_path) / "search"))

    # --- opening -----------------------------------------------------------------------------
    @staticmethod
    def comments_index(consultation_id: int) -> str:
        return f"comments-{consultation_id}"

    def open(self, name: str):
        """Open an index; raise :class:`IndexUnavailable` when it is missing or does not open cleanly."""
        path = self.root / name
        try:
            if not path.is_dir() or not whoosh_index.exists_in(str(path)):
                raise IndexUnavailable(f"{name}: missing")
            ix = whoosh_index.open_dir(str(path))
            ix.doc_count()  # reads the table of contents and every segment's header
            return ix
        except IndexUnavailable:
            raise
        except Exception as error:  # whoosh raises many kinds on a damaged index
            log.warning("search index %s is corrupt: %r", name, error)
            raise IndexUnavailable(f"{name}: corrupt") from error

    def _searcher(self, name: str):
        """A searcher on the index (opening it reads the table of contents and every segment: a damaged
        index raises here or while searching, and the caller reports it unavailable)."""
        path = self.root / name
        if not path.is_dir() or not whoosh_index.exists_in(str(path)):
            raise IndexUnavailable(f"{name}: missing")
        return whoosh_index.open_dir(str(path)).searcher()

    def exists(self, name: str) -> bool:
        return (self.root / name).is_dir()

    def _build(self, name: str, docs: Iterable[Document], progress: Progress | None = None) -> None:
        """Write a fresh index beside the old one, then swap it in."""
        self.root.mkdir(parents=True, exist_ok=True)
        token = secrets.token_hex(4)
        building = self.root / f".{name}.building-{token}"
        building.mkdir()
        ix = whoosh_index.create_in(str(building), make_schema())
        docs = iter(docs)
        first = list(itertools.islice(docs, PARALLEL_BUILD_FROM))
        parallel = len(first) == PARALLEL_BUILD_FROM and (os.cpu_count() or 1) > 1
        writer = ix.writer(**writer_options(), **(PARALLEL_OPTIONS if parallel else {}))
        try:
            count = 0
            for doc in itertools.chain(first, docs):
                writer.add_document(**_fields(doc))
                count += 1
                if progress and count % 500 == 0:
                    progress(500)
            writer.commit()
            if progress and count % 500:
                progress(count % 500)
        except BaseException:
            writer.cancel()
            shutil.rmtree(building, ignore_errors=True)
            raise
        target = self.root / name
        old = self.root / f".{name}.old-{token}"
        if target.exists():
            target.rename(old)
        building.rename(target)
        shutil.rmtree(old, ignore_errors=True)

    def _writer_or_rebuild(self, name: str, rebuild):
        """A writer on the index; a missing or corrupt index is rebuilt from the database first."""
        try:
            return self.open(name).writer(**writer_options())
        except IndexUnavailable:
            rebuild()
            return None

    # --- writing -------------------------------------------------------------------------------
    def replace_sections(self, consultation_id: int, docs: list[Document]) -> None:
        """The consultation's sections into the sections index, its explanatory note into the notes index."""
        notes = [doc for doc in docs if doc.kind == "note"]
        for name, mine, rebuild in ((SECTIONS_INDEX, [d for d in docs if d.kind != "note"],
                                     self._rebuild_sections_from_database),
                                    (NOTES_INDEX, notes, self._rebuild_notes_from_database)):
            if name == NOTES_INDEX and not notes and not self.exists(name):
                continue  # no note was ever indexed, and none is to be
            writer = self._writer_or_rebuild(name, rebuild)
            if writer is None:
                continue
            writer.delete_by_term("consultation", str(consultation_id))
            for doc in mine:
                writer.add_document(**_fields(doc))
            writer.commit()

    def rebuild_sections(self, docs: Iterable[Document], progress: Progress | None = None) -> None:
        notes: list[Document] = []

        def sections_only():
            for doc in docs:
                if doc.kind == "note":
                    notes.append(doc)
                else:
                    yield doc

        self._build(SECTIONS_INDEX, sections_only(), progress)
        self._build(NOTES_INDEX, notes)

    def _rebuild_sections_from_database(self) -> None:
        from portal.search.services import all_section_documents

        self.rebuild_sections(all_section_documents())

    def _rebuild_notes_from_database(self) -> None:
        from portal.search.documents import all_note_documents

        self._build(NOTES_INDEX, all_note_documents())

    def replace_comments(self, consultation_id: int, docs: Iterable[Document], progress: Progress | None = None) -> None:
        self._build(self.comments_index(consultation_id), docs, progress)

    def update_comments(self, consultation_id: int, upserts: list[Document], deletes: list[int]) -> None:
        name = self.comments_index(consultation_id)
        if not self.exists(name) and not upserts:
            return  # nothing was ever indexed there, and nothing is to be
        writer = self._writer_or_rebuild(name, lambda: self._rebuild_comments_from_database(consultation_id))
        if writer is None:
            return
        for comment_id in deletes:
            writer.delete_by_term("id", str(comment_id))
        for doc in upserts:
            writer.update_document(**_fields(doc))
        writer.commit()

    def _rebuild_comments_from_database(self, consultation_id: int) -> None:
        from portal.consultations.models import public_consultation
        from portal.search.documents import comment_documents

        consultation = public_consultation(consultation_id)
        self.replace_comments(consultation_id, comment_documents(consultation) if consultation else [])

    def drop_consultation(self, consultation_id: int) -> None:
        if self.exists(SECTIONS_INDEX):
            self.replace_sections(consultation_id, [])
        shutil.rmtree(self.root / self.comments_index(consultation_id), ignore_errors=True)

    # --- searching -----------------------------------------------------------------------------
    def search(self, clauses, consultation_ids, kinds, limit, offset) -> HitPage:
        wanted = offset + limit
        hits: list[Hit] = []
        total = 0
        unavailable: set = set()
        scopes: list[tuple[str, str, object]] = []
        if "section" in kinds:
            scopes.append(("section", SECTIONS_INDEX, SECTIONS_INDEX))
        if "note" in kinds and self.exists(NOTES_INDEX):  # none until a first note is indexed
            scopes.append(("note", NOTES_INDEX, NOTES_INDEX))
        if "comment" in kinds:
            scopes += [("comment", self.comments_index(cid), cid) for cid in consultation_ids]
        for kind, name, scope in scopes:
            try:
                with self._searcher(name) as searcher:
                    reader = searcher.reader()
                    allowed = None
                    if kind in ("section", "note"):  # one index for every consultation: keep the asked ones
                        allowed = {
                            docnum
                            for cid in consultation_ids
                            for docnum in searcher.docs_for_query(Term("consultation", str(cid)))
                        }
                    scores = whoosh_match.match(reader, clauses, allowed)
                    total += len(scores)
                    hit_ids = _hit_ids(reader)
                    for docnum, score in heapq.nlargest(wanted, scores.items(), key=lambda item: (item[1], -item[0])):
                        target_id, consultation_id = hit_ids(docnum)
                        hits.append(Hit(kind, target_id, consultation_id, score))
            except IndexUnavailable:
                unavailable.add(scope)
            except Exception as error:  # a damaged segment found while reading
                log.warning("search index %s failed: %r", name, error)
                unavailable.add(scope)
        hits.sort(key=lambda h: (-h.score, KIND_ORDER[h.kind], h.target_id))
        return HitPage(hits[offset:wanted], total, False, unavailable)
