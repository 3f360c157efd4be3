"""The one analyser both search backends share. Pure: no app context.

Text is folded (NFKC, lower case: full-width ``ＡＢＣ１２３`` reads as ``abc123``; traditional characters as simplified,
by OpenCC's t2s: ``養老服務`` reads as ``养老服务``, so either finds the other), then cut into tokens:

- a run of Han characters becomes overlapping bigrams (``养老床位`` → 养老 老床 床位) followed by its last
  character alone (位), so that a one-character query finds every occurrence of that character
  (as the start of a bigram, or alone at the end of a run) with a prefix match on ``X``;
- a run of letters or digits (``15``, ``covid19``) is one word.

Every token has a position; punctuation leaves a gap, so a phrase never runs across ``，`` or ``。``.
A query is cut the same way into clauses that must all match: a phrase of consecutive tokens
(``15分钟`` → 15, 分钟), or a one-character prefix (``老`` → ``老*``). Highlighting uses the same tokens,
so both backends mark exactly what they matched.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import opencc
from markupsafe import Markup, escape

_T2S = opencc.OpenCC("t2s")  # traditional → simplified, by character and phrase (乾淨 → 干净, 乾隆 stays)

_HAN_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_TOKEN_RE = re.compile(f"([{_HAN_RANGES}]+)|([^\\W_{_HAN_RANGES}]+)")


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    pos: int  # 0-based position; a gap is left at punctuation
    start: int  # character offsets in the original (unfolded) text
    end: int


@dataclass(frozen=True, slots=True)
class Clause:
    """One condition of a query: ``terms`` at consecutive positions; with ``prefix`` the last term is a
    single character that may also begin a longer token (``老`` finds 老年, 养老 …)."""

    terms: tuple[str, ...]
    prefix: bool = False


def fold(text: str) -> tuple[str, list[int]]:
    """NFKC, lower case and simplified characters, with the original offset of every folded character (and of the
    end)."""
    folded = _fold_whole(text)
    if folded is not None:
        return folded, range(len(text) + 1)  # type: ignore[return-value]
    pieces, offsets = [], []
    for index, char in enumerate(text):
        piece = _T2S.convert(unicodedata.normalize("NFKC", char).lower())
        pieces.append(piece)
        offsets.extend([index] * len(piece))
    offsets.append(len(text))
    return "".join(pieces), offsets


def simplified(text: str) -> str:
    """``text`` in simplified characters (養老 → 养老), as the index reads it."""
    return _T2S.convert(text)


def _fold_whole(text: str) -> str | None:
    """``text`` folded as a whole when that keeps one character for each (the usual case), else None."""
    folded = unicodedata.normalize("NFKC", text).lower()
    if len(folded) != len(text):
        return None
    simplified = _T2S.convert(folded)
    return simplified if len(simplified) == len(folded) else None


def _runs(text: str):
    """(is Han, folded run, offsets of its characters and end, separated from the previous run, by punctuation)."""
    folded, offsets = fold(text)
    previous_end = None
    for match in _TOKEN_RE.finditer(folded):
        start, end = match.span()
        between = folded[previous_end:start] if previous_end is not None else ""
        previous_end = end
        yield (
            match.group(1) is not None,
            match.group(),
            offsets[start : end + 1],
            bool(between),
            bool(between) and not between.isspace(),
        )


def tokens(text: str) -> list[Token]:
    """The tokens of a document, in order, with positions and original character offsets."""
    out: list[Token] = []
    pos = 0
    for han, run, offsets, _separated, punctuated in _runs(text):
        if punctuated:
            pos += 1
        if not han:
            out.append(Token(run, pos, offsets[0], offsets[-1]))
            pos += 1
            continue
        for i in range(len(run) - 1):
            out.append(Token(run[i : i + 2], pos + i, offsets[i], offsets[i + 2]))
        last = len(run) - 1
        out.append(Token(run[last], pos + last, offsets[last], offsets[last + 1]))
        pos += len(run)
    return out


def term_positions(text: str) -> dict[str, list[int]]:
    """The positions of every token of ``text``, by token text: what :func:`tokens` gives, without
    character offsets and without a Token object per token (what an index needs, fast)."""
    folded = _fold_whole(text)
    if folded is None:
        folded = "".join(_T2S.convert(unicodedata.normalize("NFKC", char).lower()) for char in text)
    out: dict[str, list[int]] = {}
    pos = 0
    previous_end = None
    for match in _TOKEN_RE.finditer(folded):
        start, end = match.span()
        if previous_end is not None and start > previous_end and not folded[previous_end:start].isspace():
            pos += 1
        previous_end = end
        run = match.group()
        if match.group(1) is None:
            out.setdefault(run, []).append(pos)
            pos += 1
            continue
        for i in range(len(run) - 1):
            out.setdefault(run[i : i + 2], []).append(pos + i)
        out.setdefault(run[-1], []).append(pos + len(run) - 1)
        pos += len(run)
    return out


TSVECTOR_WORD_BYTES = 2047  # PostgreSQL refuses a longer word in a tsvector, and with it the whole batch


def token_string(text: str) -> str:
    """Tokens as a PostgreSQL ``tsvector`` literal: ``养老:1 老床:2 …`` (1-based positions, max 16383). A "word" too
    long for PostgreSQL (a pasted hash or code of thousands of letters) is left out: nobody searches for it, and
    one such comment stopped the index worker for the whole site."""
    return " ".join(f"{t.text}:{min(t.pos + 1, 16383)}" for t in tokens(text)
                    if len(t.text) * 4 < TSVECTOR_WORD_BYTES or len(t.text.encode()) < TSVECTOR_WORD_BYTES)


def parse_query(text: str) -> list[Clause]:
    """Cut a query into clauses that must all match. Whitespace and punctuation separate phrases."""
    phrases: list[list[tuple[bool, str]]] = []
    for han, run, _offsets, separated, _punctuated in _runs(text):
        if separated or not phrases:
            phrases.append([])
        phrases[-1].append((han, run))
    clauses = []
    for runs in phrases:
        terms: list[str] = []
        prefix = False
        for index, (han, run) in enumerate(runs):
            last = index == len(runs) - 1
            if not han:
                terms.append(run)
            elif len(run) == 1:
                terms.append(run)
                prefix = last  # it may begin a longer run in the document
            else:
                terms.extend(run[i : i + 2] for i in range(len(run) - 1))
                if not last:
                    terms.append(run[-1])  # the document has it alone before the next word
        clauses.append(Clause(tuple(terms), prefix))
    return _dedupe(clauses)


def _dedupe(clauses: list[Clause]) -> list[Clause]:
    seen, out = set(), []
    for clause in clauses:
        if clause not in seen:
            seen.add(clause)
            out.append(clause)
    return out


def match_spans(text: str, clauses: list[Clause], doc_tokens: list[Token] | None = None) -> list[tuple[int, int]]:
    """Character spans of ``text`` that the clauses match, merged and sorted."""
    doc_tokens = doc_tokens if doc_tokens is not None else tokens(text)
    by_pos: dict[int, list[Token]] = {}
    for token in doc_tokens:
        by_pos.setdefault(token.pos, []).append(token)
    spans: list[tuple[int, int]] = []
    for clause in clauses:
        count = len(clause.terms)

        def fits(token: Token, index: int) -> bool:
            term = clause.terms[index]
            if clause.prefix and index == count - 1:
                return token.text.startswith(term)
            return token.text == term

        for token in doc_tokens:
            if not fits(token, 0):
                continue
            chain = [token]
            for index in range(1, count):
                found = next((t for t in by_pos.get(token.pos + index, ()) if fits(t, index)), None)
                if found is None:
                    break
                chain.append(found)
            if len(chain) == count:
                last = chain[-1]
                end = last.start + 1 if clause.prefix else last.end
                spans.append((token.start, max(end, chain[0].start + 1)))
    return _merge(spans)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def matches(text: str, clauses: list[Clause]) -> bool:
    """Whether every clause matches ``text`` (what the index answers, computed again in Python)."""
    doc_tokens = tokens(text)
    return bool(clauses) and all(match_spans(text, [clause], doc_tokens) for clause in clauses)


def snippet(text: str, clauses: list[Clause], width: int = 120) -> Markup:
    """A window of ``text`` around the first match, escaped, with every match inside ``<mark>``."""
    spans = match_spans(text, clauses)
    if not spans:
        cut = text[:width]
        return escape(cut) + (Markup("…") if len(text) > width else Markup(""))
    first_start = spans[0][0]
    start = max(0, first_start - width // 4)
    end = min(len(text), start + width)
    start = max(0, min(start, end - width))
    out = Markup("…") if start > 0 else Markup("")
    cursor = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        out += escape(text[cursor:span_start]) + Markup("<mark>") + escape(text[span_start:span_end]) + Markup("</mark>")
        cursor = span_end
    out += escape(text[cursor:end])
    if end < len(text):
        out += Markup("…")
    return out
