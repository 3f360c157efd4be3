"""A comment's proposed wording (建议修改为): the words a commenter would have the draft say instead of the words
they quote (引用原文, portal/comments/quotes.py), or, quoting nothing, the words they would have it add.

Offices ask for opinions this way: their feedback forms have a column for the article (原条文) and one for the
wording proposed (修改建议 / 建议修改为), and a letter writes "建议将“……”修改为“……”". The office then sees
exactly what to change, and the pages show the change as a revision mark: the words dropped struck through, the
words added underlined (``wording_change``). Kept as the commenter wrote it, its white space tidied; a proposal that
repeats the quotation (a copy not yet edited) is no proposal.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from markupsafe import Markup, escape

from portal.comments.quotes import clean_quote, squeezed

PROPOSAL_MAX = 1000  # characters: an article (条) rewritten, not a counter-draft (that is an attachment)
# below this share of characters in common the two texts are shown side by side without marks: a rewrite marked
# character by character would be struck through and underlined throughout
_MARKED_MIN_RATIO = 0.3
# compared a character at a time, but a number or a Latin word as one: 95% changed to 98% marks 95 and 98, not 5 and 8
_TOKENS = re.compile(r"[0-9A-Za-z]+(?:\.[0-9]+)?|[\s\S]")


def clean_proposal(text: str | None, quote: str | None = None) -> str | None:
    """The proposed wording as kept: tidied as a quotation is; None when nothing is left, or when it is the quoted
    words themselves (white space and full-width forms aside)."""
    cleaned = clean_quote(text)
    if cleaned is not None and quote and squeezed(cleaned) == squeezed(quote):
        return None
    return cleaned


@dataclass(frozen=True)
class WordingChange:
    """The quoted words and the proposal as paragraphs (``<p>``) to show one above the other: in ``before`` the words
    the proposal drops in ``<del>``, in ``after`` the words it adds in ``<ins>`` (nothing marked when the proposal
    rewrites the passage: ``marked`` False)."""

    before: Markup
    after: Markup
    marked: bool


def wording_edits(old: str, new: str) -> tuple[list[tuple[str, str, str]], float]:
    """How ``new`` changes ``old``, character by character (Chinese has no spaces between words) but a number or a
    Latin word as one: (the words both keep, the words dropped, the words added) in order, one of them non-empty each;
    and the share of the two texts in common (0 to 1)."""
    old_tokens, new_tokens = _TOKENS.findall(old), _TOKENS.findall(new)
    matcher = SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    edits = []
    for operation, a1, a2, b1, b2 in matcher.get_opcodes():
        dropped, added = "".join(old_tokens[a1:a2]), "".join(new_tokens[b1:b2])
        edits.append((dropped, "", "") if operation == "equal" else ("", dropped, added))
    return edits, matcher.ratio()


@lru_cache(maxsize=2048)  # a page shows the same comments again and again; a long, repetitive pair takes ~30 ms
def wording_change(quote: str, proposal: str, dropped_label: str = "", added_label: str = "") -> WordingChange:
    """How ``proposal`` changes ``quote``, marked; the labels: what a screen reader says before the words
    marked (the pages' style sheet speaks each mark's ``data-label`` without showing it; it is not copied with the
    words)."""
    edits, ratio = wording_edits(quote, proposal)
    if ratio < _MARKED_MIN_RATIO:
        return WordingChange(_paragraphs([(quote, None)], ""), _paragraphs([(proposal, None)], ""), False)
    before: list[tuple[str, str | None]] = []
    after: list[tuple[str, str | None]] = []
    for kept, dropped, added in edits:
        if kept:
            before.append((kept, None))
            after.append((kept, None))
        if dropped:
            before.append((dropped, "del"))
        if added:
            after.append((added, "ins"))
    return WordingChange(_paragraphs(before, dropped_label), _paragraphs(after, added_label), True)


def _paragraphs(pieces: list[tuple[str, str | None]], label: str) -> Markup:
    """``pieces`` (text, the element marking it or None) as ``<p>`` paragraphs, one a line; a mark crossing a line
    break is closed at the end of the line and opened again on the next; each mark's ``data-label`` ``label``."""
    opening = f' data-label="{escape(label)}"' if label else ""
    lines: list[list[str]] = [[]]
    for text, tag in pieces:
        for number, part in enumerate(text.split("\n")):
            if number:
                lines.append([])
            if part:
                lines[-1].append(f"<{tag}{opening}>{escape(part)}</{tag}>" if tag else str(escape(part)))
    return Markup("".join(f"<p>{''.join(line)}</p>" for line in lines if line))
