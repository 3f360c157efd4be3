"""Search: answer a query, index what queue rows name, rebuild indexes. Flushes, never commits."""
from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from markupsafe import Markup
from sqlalchemy import or_, select, text
from sqlalchemy.orm import load_only, selectinload

from portal.comments.models import Comment
from portal.consultations.models import Consultation, public_consultation
from portal.core.time import now
from portal.drafts.models import Draft, Section, current_draft_ids
from portal.extensions import db
from portal.search import analysis
from portal.search.backend import Hit, HitPage, get_backend
from portal.search.documents import (
    comment_document,
    comment_documents,
    count_comment_documents,
    public_comment_query,
    searchable_text,
    section_documents,
    section_text,
)
from portal.search.forms import KINDS, STATES
from portal.search.models import COMMENT, CONSULTATION, SECTIONS, SearchQueueItem

PER_PAGE = 20
# results of each kind the plain text search reads at most while an index is rebuilt (ten pages): more are counted as
# "more than"; without it, a common word read every section of every draft and every public comment
FALLBACK_MAX = 200
# index scopes of the drafts' text (Whoosh: the sections index and the notes index), rebuilt from any sections row
DRAFT_SCOPES = ("sections", "notes")


@dataclass
class Result:
    kind: str
    consultation: Consultation
    section: Section | None
    comment: Comment | None
    snippet: Markup


@dataclass
class SearchResults:
    query: str
    results: list[Result] = field(default_factory=list)
    total: int = 0
    total_is_capped: bool = False
    page: int = 1
    per_page: int = PER_PAGE
    rebuilding: bool = False  # an index is being rebuilt: results come from a plain text search

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


# --- answering a query -------------------------------------------------------------------------
# what a search reads of every consultation in its scope: its state, whether its comments are public, its name
SCOPE_COLUMNS = (Consultation.id, Consultation.title, Consultation.published_at, Consultation.opens_at,
                 Consultation.deadline, Consultation.comment_visibility, Consultation.previous_round_id)


def searchable_consultations(consultation_id: int | None = None, state: str | None = None,
                             scope_only: bool = False) -> list[Consultation]:
    """The published consultations (one, or those in ``state``), oldest first; with ``scope_only`` only the columns
    a search needs of each (a thousand whole rows were most of a search's reading)."""
    query = select(Consultation).where(Consultation.published_at.is_not(None)).order_by(Consultation.id)
    if scope_only:
        query = query.options(load_only(*SCOPE_COLUMNS))
    if consultation_id is not None:
        query = query.where(Consultation.id == consultation_id)
    consultations = list(db.session.scalars(query))
    if state in STATES:
        consultations = [c for c in consultations if c.state() == state]
    return consultations


def search(
    query: str,
    consultation_id: int | None = None,
    state: str | None = None,
    kind: str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> SearchResults:
    """Sections, explanatory notes and public comments matching ``query``, best first, one page of them."""
    results = SearchResults(query=query, page=page, per_page=per_page)
    clauses = analysis.parse_query(query)
    if not clauses:
        return results
    consultations = searchable_consultations(consultation_id, state, scope_only=True)
    if not consultations:
        return results
    kinds = (kind,) if kind in KINDS else KINDS
    by_id = {c.id: c for c in consultations}
    comment_ids = [c.id for c in consultations if c.comments_public]
    offset = (page - 1) * per_page
    backend = get_backend()
    hit_page = backend.search(clauses, list(by_id), kinds, per_page, offset)
    if "comment" not in kinds or not comment_ids:
        hit_page.hits = [h for h in hit_page.hits if h.kind != "comment"]
    unavailable = _really_unavailable(hit_page.unavailable, comment_ids)
    if unavailable:
        hit_page = _fallback(query, clauses, by_id, kinds, comment_ids, per_page, offset)
        request_rebuild(unavailable)
        results.rebuilding = True
    results.total, results.total_is_capped = hit_page.total, hit_page.total_is_capped
    results.results = _load(hit_page.hits, by_id, clauses)
    return results


def _really_unavailable(scopes: set, comment_consultation_ids: list[int]) -> set:
    """Missing comment indexes of consultations without public comments are merely empty (one query for all:
    without an index yet, each of a thousand consultations is a scope)."""
    out = {scope for scope in scopes if scope in DRAFT_SCOPES}
    wanted = [scope for scope in scopes if scope not in DRAFT_SCOPES and scope in set(comment_consultation_ids)]
    if wanted:
        public = public_comment_query(wanted).subquery()
        out |= set(db.session.scalars(select(public.c.consultation_id).distinct()))
    return out


def _load(hits: list[Hit], consultations: dict[int, Consultation], clauses) -> list[Result]:
    """Read the hits from the database and keep only what the public may see now (the index may lag)."""
    section_ids = [h.target_id for h in hits if h.kind == "section"]
    comment_ids = [h.target_id for h in hits if h.kind == "comment"]
    sections, comments = {}, {}
    noted = {h.consultation_id for h in hits if h.kind == "note"}
    if noted:  # the notes quoted, at once (the search read only its scope's columns)
        db.session.scalars(select(Consultation).where(Consultation.id.in_(noted))
                           .options(load_only(Consultation.id, Consultation.explanatory_note))).all()
    if section_ids:  # with their tables, searched (and quoted) with their text
        sections = {s.id: s for s in db.session.scalars(
            select(Section).where(Section.id.in_(section_ids)).options(selectinload(Section.tables)))}
    if comment_ids:  # with their sections, which the results name
        comments = {c.id: c for c in db.session.scalars(
            select(Comment).where(Comment.id.in_(comment_ids)).options(selectinload(Comment.section)))}
    out = []
    for hit in hits:
        consultation = consultations.get(hit.consultation_id)
        if consultation is None:
            continue
        if hit.kind == "section":
            section = sections.get(hit.target_id)
            draft = consultation.current_draft
            if section is None or draft is None or section.draft_id != draft.id:
                continue
            out.append(Result("section", consultation, section, None, _section_snippet(section, clauses)))
        elif hit.kind == "note":
            if consultation.explanatory_note:  # taken away since it was indexed: not shown
                out.append(Result("note", consultation, None, None,
                                  analysis.snippet(consultation.explanatory_note, clauses)))
        else:
            comment = comments.get(hit.target_id)
            if (
                comment is None
                or comment.status != "approved"
                or comment.consultation_id != consultation.id
                or not consultation.comments_public
            ):
                continue
            out.append(Result("comment", consultation, comment.section, comment,
                              analysis.snippet(searchable_text(comment), clauses)))
    return out


def _section_snippet(section: Section, clauses) -> Markup:
    """From the text (and tables) where the words are, else from the heading."""
    body = section_text(section).split("\n", 1)[-1] if (section.heading or section.label) else section_text(section)
    if section.continues_heading:  # "，特别是……" reads on from its heading: the snippet begins with the heading
        body = section.heading + body
    return analysis.snippet(body, clauses) if analysis.match_spans(body, clauses) else analysis.snippet(section.title, clauses)


def _fallback(query, clauses, consultations, kinds, comment_consultation_ids, limit, offset) -> HitPage:
    """A plain text search in the database, used while an index is rebuilt: at most FALLBACK_MAX results of each kind
    (sections of the current drafts, explanatory notes, comments), newest consultations and comments first, counted
    as "more than" when there are more; the database stops reading at the first FALLBACK_MAX + 1 it finds."""
    # each word as typed, with full-width letters and digits folded (１５分钟 finds 15分钟 too) and in simplified
    # characters (養老 finds 养老, as the index does)
    words = [{w, unicodedata.normalize("NFKC", w), analysis.simplified(unicodedata.normalize("NFKC", w))}
             for w in query.split() if w]

    def holds(*columns):
        return [or_(*[column.contains(form, autoescape=True) for column in columns for form in forms])
                for forms in words]

    ids = list(consultations)
    found: list[list[Hit]] = []
    if "section" in kinds:
        rows = db.session.execute(
            select(Section.id, Draft.consultation_id)
            .join(Section.draft)
            .where(Section.draft_id.in_(current_draft_ids(ids)), *holds(Section.text, Section.heading))
            .order_by(Section.draft_id.desc(), Section.position)
            .limit(FALLBACK_MAX + 1)
        ).all()
        found.append([Hit("section", sid, cid, 0.0) for sid, cid in rows])
    if "note" in kinds:
        rows = db.session.execute(
            select(Consultation.id)
            .where(Consultation.id.in_(ids), *holds(Consultation.explanatory_note))
            .order_by(Consultation.id.desc())
            .limit(FALLBACK_MAX + 1)
        ).scalars().all()
        found.append([Hit("note", cid, cid, 0.0) for cid in rows])
    if "comment" in kinds and comment_consultation_ids:
        rows = db.session.execute(
            public_comment_query(comment_consultation_ids)
            .where(*holds(Comment.body, Comment.proposal, Comment.organisation))
            .order_by(Comment.id.desc())
            .limit(FALLBACK_MAX + 1)
        ).all()
        found.append([Hit("comment", r.id, r.consultation_id, 0.0) for r in rows])
    capped = any(len(hits) > FALLBACK_MAX for hits in found)
    hits = [hit for each in found for hit in each[:FALLBACK_MAX]]
    return HitPage(hits[offset : offset + limit], len(hits), capped)


def request_rebuild(scopes: set) -> None:
    """Ask the worker to rebuild: it finds the index broken when it opens it, and rebuilds it."""
    wanted: list[tuple[str, int]] = []
    for scope in scopes:
        if scope in DRAFT_SCOPES:
            consultation_id = db.session.scalar(
                select(Consultation.id).where(Consultation.published_at.is_not(None)).limit(1)
            )
            if consultation_id is not None:
                wanted.append((SECTIONS, consultation_id))
        else:
            wanted.append((CONSULTATION, scope))
    _enqueue_once(wanted)


def _enqueue_once(wanted: list[tuple[str, int]]) -> None:
    """Queue each (kind, target) not already waiting, in one query for those waiting."""
    if not wanted:
        return
    pending = {(kind, target) for kind, target in db.session.execute(
        select(SearchQueueItem.kind, SearchQueueItem.target_id).where(
            SearchQueueItem.kind.in_({kind for kind, _target in wanted}),
            SearchQueueItem.target_id.in_({target for _kind, target in wanted}),
            SearchQueueItem.claimed_by.is_(None),
        )
    )}
    for kind, target_id in dict.fromkeys(wanted):
        if (kind, target_id) not in pending:
            db.session.add(SearchQueueItem(kind=kind, target_id=target_id, consultation_id=target_id, enqueued_at=now()))
    db.session.flush()


def index_items(items: list[SearchQueueItem]) -> None:
    """Bring the index in line with the database for what the rows name (duplicates done once)."""
    backend = get_backend()
    whole = {i.target_id for i in items if i.kind == CONSULTATION}
    sections = {i.target_id for i in items if i.kind == SECTIONS} - whole
    comments: dict[int, set[int]] = defaultdict(set)
    for item in items:
        if item.kind == COMMENT and item.consultation_id not in whole:
            comments[item.consultation_id].add(item.target_id)
    for consultation_id in sorted(whole):
        consultation = public_consultation(consultation_id)
        if consultation is None:
            backend.drop_consultation(consultation_id)
            continue
        backend.replace_sections(consultation_id, section_documents(consultation))
        backend.replace_comments(consultation_id, comment_documents(consultation))
    for consultation_id in sorted(sections):
        consultation = public_consultation(consultation_id)
        backend.replace_sections(consultation_id, section_documents(consultation) if consultation else [])
    for consultation_id, ids in sorted(comments.items()):
        docs = {i: comment_document(i) for i in sorted(ids)}
        backend.update_comments(
            consultation_id, [d for d in docs.values() if d is not None], [i for i, d in docs.items() if d is None]
        )
    db.session.flush()


# --- rebuilding ----------------------------------------------------------------------------------
def all_section_documents():
    for consultation in searchable_consultations():
        yield from section_documents(consultation)


def reindex_size(consultation: Consultation | None = None) -> int:
    consultations = [consultation] if consultation else searchable_consultations()
    return sum(len(section_documents(c)) + count_comment_documents(c) for c in consultations)


def reindex(consultation: Consultation | None = None, progress=None) -> None:
    """Rebuild the index of one consultation (sections and comments), or of all of them; flushes."""
    backend = get_backend()
    if consultation is not None:
        docs = section_documents(consultation)
        backend.replace_sections(consultation.id, docs)
        if progress:
            progress(len(docs))
        backend.replace_comments(consultation.id, comment_documents(consultation), progress)
        db.session.flush()
        return
    backend.rebuild_sections(all_section_documents(), progress)
    for each in searchable_consultations():
        backend.replace_comments(each.id, comment_documents(each), progress)
    if backend.name == "postgresql":
        live = [c.id for c in searchable_consultations()]
        db.session.execute(
            text("DELETE FROM search_documents WHERE NOT (consultation_id = ANY(:ids))"), {"ids": live}
        )
    db.session.flush()
