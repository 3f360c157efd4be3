"""Answering clauses on a Whoosh index a block of postings at a time (faster than Whoosh's own matchers).

Whoosh's phrase query walks every posting of every word one Python call at a time (``skip_to``, ``id``,
``is_active`` per posting), so a phrase with a common bigram (养老, 服务) costs 100–200 ms at 100,000
comments, and a one-character prefix at the end of a phrase (``2025年``) becomes an ``Or`` of hundreds of
phrases (a second). Here a clause is answered the way a search engine does it by hand:

- words are read rarest first; the rarest gives the candidate documents, and a more common word's blocks are
  only unpacked where they can hold a candidate (a block's highest document number is known unread);
- positions are decoded only for documents that hold every word, then checked for the phrase;
- a one-character prefix is the union of the words it begins.

The result is every matching document (so the count is exact) with the number of phrase occurrences; the
caller ranks the matches with BM25 over those counts. It reads Whoosh's block matcher directly
(``whoosh.codec.whoosh3.W3LeafMatcher``: ``_maxid``, ``_read_ids``, ``_read_values``, ``_read_weights``,
``_next_block``, ``_atend``), which whoosh-reloaded (pinned, frozen) will not change.
"""
from __future__ import annotations

import math

from portal.search.analysis import Clause

FIELD = "content"
K1, B = 1.2, 0.75


def _postings(leaf, word: str, candidates: set[int] | None, want_values: bool) -> dict[int, object]:
    """``{docnum: value}`` of one word in one segment (value: encoded positions, or the frequency),
    restricted to ``candidates`` when given; deleted documents left out."""
    tbytes = word.encode("utf-8")
    if (FIELD, tbytes) not in leaf:
        return {}
    m = leaf.postings(FIELD, tbytes)
    m = getattr(m, "child", m)  # a FilterMatcher around the block matcher when the segment has deletions
    deleted = leaf.deleted_docs_set
    out: dict[int, object] = {}
    if candidates is not None:
        if not candidates:
            return out
        pending = sorted(candidates)
        index, count = 0, len(pending)
    while m.is_active():
        if candidates is not None:
            maxid = m._maxid
            if index >= count:
                break
            if pending[index] > maxid:  # no candidate in this block: skip it unread
                m._next_block()
                continue
        m._read_ids()
        ids = m._ids
        if want_values:
            m._read_values()
            values = m._values
        else:
            m._read_weights()
            values = m._weights
        if candidates is None:
            for i, docnum in enumerate(ids):
                out[docnum] = values[i]
        else:
            for i, docnum in enumerate(ids):
                if docnum in candidates:
                    out[docnum] = values[i]
            last = ids[-1]
            while index < count and pending[index] <= last:
                index += 1
        m._next_block()
    if deleted:
        for docnum in deleted.intersection(out):
            del out[docnum]
    return out


def _word_postings(leaf, clause: Clause, index: int, candidates, want_values: bool) -> dict[int, object]:
    """The postings of the clause's ``index``-th word; for a prefix, merged over every word it begins."""
    word = clause.terms[index]
    if not (clause.prefix and index == len(clause.terms) - 1):
        return _postings(leaf, word, candidates, want_values)
    merged: dict[int, object] = {}
    for ending in leaf.expand_prefix(FIELD, word):
        ending = ending.decode("utf-8") if isinstance(ending, bytes) else ending
        for docnum, value in _postings(leaf, ending, candidates, want_values).items():
            if want_values:
                merged.setdefault(docnum, []).append(value)
            else:
                merged[docnum] = merged.get(docnum, 0) + value
    return merged


def _frequency(leaf, clause: Clause, index: int) -> int:
    word = clause.terms[index]
    if clause.prefix and index == len(clause.terms) - 1:
        return sum(leaf.doc_frequency(FIELD, w) for w in leaf.expand_prefix(FIELD, word))
    return leaf.doc_frequency(FIELD, word)


def match_clause(leaf, clause: Clause, candidates: set[int] | None) -> dict[int, float]:
    """``{docnum: occurrences}`` of the clause in one segment, among ``candidates`` when given."""
    words = len(clause.terms)
    if words == 1:
        return {d: float(w) for d, w in _word_postings(leaf, clause, 0, candidates, False).items()}
    fmt = leaf.schema[FIELD].format
    order = sorted(range(words), key=lambda i: _frequency(leaf, clause, i))
    postings: dict[int, dict[int, object]] = {}
    for i in order:
        postings[i] = _word_postings(leaf, clause, i, candidates, True)
        candidates = set(postings[i]) if candidates is None else candidates.intersection(postings[i])
        if not candidates:
            return {}

    def positions(i: int, docnum: int) -> set[int]:
        value = postings[i][docnum]
        if isinstance(value, list):
            return {p for v in value for p in fmt.decode_positions(v)}
        return set(fmt.decode_positions(value))

    out: dict[int, float] = {}
    for docnum in candidates:
        first = positions(0, docnum)
        later = [positions(i, docnum) for i in range(1, words)]
        occurrences = sum(1 for p in first if all(p + i + 1 in s for i, s in enumerate(later)))
        if occurrences:
            out[docnum] = float(occurrences)
    return out


def match(reader, clauses: list[Clause], allowed: set[int] | None = None) -> dict[int, float]:
    """Every document (global docnum) matching all clauses, with its BM25 score over phrase occurrences.

    ``allowed``: global docnums to restrict the search to (the sections of chosen consultations)."""
    total_docs = max(1, reader.doc_count_all())
    avg_length = max(1.0, reader.field_length(FIELD) / total_docs)
    scores: dict[int, float] = {}
    for leaf, offset in reader.leaf_readers():
        found: list[dict[int, float]] = []
        candidates = None
        if allowed is not None:
            candidates = {d - offset for d in allowed if offset <= d < offset + leaf.doc_count_all()}
        for clause in clauses:
            occurrences = match_clause(leaf, clause, candidates)
            candidates = set(occurrences)
            found.append(occurrences)
            if not candidates:
                break
        if not candidates:
            continue
        for occurrences in found:
            idf = math.log(1 + total_docs / (len(occurrences) + 0.5))
            for docnum in candidates:
                tf = occurrences[docnum]
                length = leaf.doc_field_length(docnum, FIELD) or avg_length
                norm = K1 * (1 - B + B * length / avg_length)
                scores[docnum + offset] = scores.get(docnum + offset, 0.0) + idf * tf * (K1 + 1) / (tf + norm)
    return scores
