"""Match the sections of a revised draft to those of the previous version, and show what changed.

Pure: plain values in, plain values out, no app context.

A new section is matched to an old one by its label path first (二、 › （一） › 1.), when the two texts
are still alike; the sections left over are matched by text similarity (a renumbered or moved section).
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass

LABEL_MATCH_MIN = 0.35  # a section under the same label that now says something else is not "the same"
SIMILARITY_MATCH_MIN = 0.6


@dataclass(frozen=True)
class SectionKey:
    path: tuple[str, ...]  # the labels from the top: ("二、", "（一）")
    content: str  # heading and text


def similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < SIMILARITY_MATCH_MIN * 0.5:
        return matcher.real_quick_ratio() * 0.5
    return matcher.ratio()


def match_sections(old: list[SectionKey], new: list[SectionKey]) -> dict[int, int]:
    """Return {index in ``new``: index in ``old``}; each old section is used at most once."""
    matches: dict[int, int] = {}
    used: set[int] = set()
    old_by_path: dict[tuple[str, ...], int] = {}
    for index, key in enumerate(old):
        old_by_path.setdefault(key.path, index)
    for index, key in enumerate(new):
        candidate = old_by_path.get(key.path)
        if candidate is None or candidate in used:
            continue
        if similarity(old[candidate].content, key.content) >= LABEL_MATCH_MIN:
            matches[index] = candidate
            used.add(candidate)
    for index, key in enumerate(new):
        if index in matches:
            continue
        best, best_score = None, SIMILARITY_MATCH_MIN
        for old_index, old_key in enumerate(old):
            if old_index in used:
                continue
            matcher = difflib.SequenceMatcher(None, old_key.content, key.content, autojunk=False)
            if matcher.real_quick_ratio() < best_score or matcher.quick_ratio() < best_score:
                continue
            score = matcher.ratio()
            if score >= best_score:
                best, best_score = old_index, score
        if best is not None:
            matches[index] = best
            used.add(best)
    return matches


def text_changes(old: str, new: str) -> list[tuple[str, str]]:
    """A character diff (Chinese has no spaces between words): [("equal"|"insert"|"delete", text)]."""
    parts: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(("equal", old[a1:a2]))
        if op in ("delete", "replace"):
            parts.append(("delete", old[a1:a2]))
        if op in ("insert", "replace"):
            parts.append(("insert", new[b1:b2]))
    return parts
