"""Terms explained (术语解释): the drafting office explains in plain words the terms its draft uses (普惠型养老,
失能失智, 15分钟养老服务圈 …), for readers who do not work in the field, many of them elderly.

The office types them one a line, "term：explanation" (portal/office: the terms page); the consultation's page
lists them all, and each section, on any page, lists those its own text uses that no section before it on the
same page has listed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _

TERM_MAX = 30  # characters of a term
EXPLANATION_MAX = 300  # of its explanation: a sentence or two
TERMS_MAX = 100
_SEPARATOR = re.compile(r"\s*(?:[:：]|——|--|—)\s*")


@dataclass(frozen=True)
class Term:
    term: str
    explanation: str


class TermsRefused(ValueError):
    """What is wrong with the lines typed, each naming its line (in Chinese, as the office typed them)."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def typed_lines(text: str | None):
    """(number, line) for each line the office typed that is not blank, white space trimmed; numbered from 1 as
    the office sees them (blank ones counted), to name them in a refusal."""
    for number, line in enumerate((text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        if line.strip():
            yield number, line.strip()


def read_terms(text: str) -> list[Term]:
    """The terms of ``text``, one a line: "term：explanation" (or "term——explanation"); empty lines skipped.
    All or nothing: every line's problem is reported (TermsRefused)."""
    terms: list[Term] = []
    problems: list[str] = []
    seen: set[str] = set()
    for number, line in typed_lines(text):
        parts = _SEPARATOR.split(line, maxsplit=1)
        if len(parts) != 2 or not parts[0] or not parts[1]:
            problems.append(_("第%(line)d行：请写成“术语：解释”。", line=number))
            continue
        term, explanation = parts[0].strip(), parts[1].strip()
        if len(term) > TERM_MAX:
            problems.append(_("第%(line)d行：术语不能超过 %(max)d 个字。", line=number, max=TERM_MAX))
        elif len(explanation) > EXPLANATION_MAX:
            problems.append(_("第%(line)d行：解释不能超过 %(max)d 个字。", line=number, max=EXPLANATION_MAX))
        elif term in seen:
            problems.append(_("第%(line)d行：“%(term)s”前面已经解释过了。", line=number, term=term))
        else:
            seen.add(term)
            terms.append(Term(term, explanation))
    if len(terms) > TERMS_MAX:
        problems.append(_("最多解释 %(max)d 个术语。", max=TERMS_MAX))
    if problems:
        raise TermsRefused(problems)
    return terms


def terms_text(terms: list[dict] | None) -> str:
    """The stored terms as the office types them."""
    return "\n".join(f"{t['term']}：{t['explanation']}" for t in terms or [])


def stored(terms: list[Term]) -> list[dict]:
    return [{"term": t.term, "explanation": t.explanation} for t in terms]


def terms_by_section(terms: list[dict] | None, sections) -> dict[int, list[dict]]:
    """For the sections shown on a page, in document order: each section's terms its own heading and text use,
    the first time on the page (a term used again later is not listed again)."""
    if not terms:
        return {}
    listed: set[str] = set()
    found: dict[int, list[dict]] = {}
    for section in sections:
        words = f"{section.heading}\n{section.text}"
        for term in terms:
            if term["term"] not in listed and term["term"] in words:
                listed.add(term["term"])
                found.setdefault(section.id, []).append(term)
    return found
