"""Choice questions (选择题): readers answer the choices a key question offers on the consultation's page (表态),
without writing a comment; the office counts the answers as they come, the public sees them once the consultation
has closed (its statistics page, the feedback report, the API), so that early answers do not sway later ones.

A question may let a reader tick several choices (可多选, ``Consultation.multiple_choice``): its answer is still one row,
whose ``choice`` holds the choices ticked as bits (1 for the first, 2 for the second, 4 for the third …), so that the
rows count those who answered and the bits how many ticked each choice.

An answer is anonymous. One browser answers each question once (its session remembers which); the network address
is limited too (the view's rate limit) and its keyed hash kept with the answer, erased with the commenters'
contacts. That keeps honest readers from counting twice by mistake; it is no ballot, and the pages say so.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.consultations.models import ChoiceAnswer, Consultation
from portal.consultations.questions import question_choices
from portal.core.statements import insert_for
from portal.core.time import now
from portal.extensions import db

SESSION_KEY = "choices"  # session: {consultation id: [question numbers answered]}


class ChoiceRefused(ValueError):
    """A reader's choices refused; ``message`` is lazy (``_l``): the view flashes it, translated on the page that
    shows it."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class ChoiceResult:
    number: int  # the key question's
    question: str
    counts: list[tuple[str, int]]  # each choice and how many chose it, in the office's order
    total: int  # how many answered (a multiple-choice question: the shares may add up to more than 100 %)
    multiple: bool = False

    def percent(self, count: int) -> int:
        return round(100 * count / self.total) if self.total else 0


def choice_questions(consultation: Consultation) -> list[tuple[int, str, list[str]]]:
    """The key questions that offer choices: (number, question, choices)."""
    return [(n, q, choices) for n, q in enumerate(consultation.questions or [], start=1)
            if (choices := question_choices(consultation.question_choices, n))]


def record_choices(consultation: Consultation, posted: dict[int, list[str]], answered: set[int],
                   client_hash: str | None, voter_key: str | None = None) -> list[int]:
    """Store the reader's choices (``posted``: question number → the numbers of the choices ticked, as posted: one, or
    several for a multiple-choice question), but for questions this browser has answered already (``answered``, as
    its session remembers, and ``voter_key``'s rows: the session's remembering comes after the commit, and two sendings
    at one moment had both been counted). Returns the numbers of the questions answered now. Flushes."""
    if not consultation.is_open:
        raise ChoiceRefused(_l("征求意见不在进行中，不能表态。"))
    offered = {n: choices for n, _q, choices in choice_questions(consultation)}
    taken: list[int] = []
    posted = {number: values for number, values in posted.items() if values}
    for number, values in sorted(posted.items()):
        if number not in offered or not all((v or "").isdecimal() and len(v) < 4 and 1 <= int(v) <= len(offered[number])
                                            for v in values):
            raise ChoiceRefused(_l("请从列出的选项中选择。"))
        chosen = sorted({int(v) for v in values})
        if len(chosen) > 1 and not consultation.multiple_choice(number):
            raise ChoiceRefused(_l("这个问题只能选一项。"))
        if number in answered:
            continue
        choice = sum(1 << (c - 1) for c in chosen) if consultation.multiple_choice(number) else chosen[0]
        table = ChoiceAnswer.__table__
        stored = db.session.execute(
            insert_for(db.engine.dialect.name)(table)
            .values(consultation_id=consultation.id, question=number, choice=choice, client_hash=client_hash,
                    voter_key=voter_key, created_at=now())
            .on_conflict_do_nothing(index_elements=["consultation_id", "question", "voter_key"],
                                    index_where=table.c.voter_key.is_not(None))
            .returning(table.c.id)).scalar()
        if stored is not None:  # else this browser's answer stands already
            taken.append(number)
    if not posted:
        raise ChoiceRefused(_l("请至少选择一项。"))
    db.session.flush()
    return taken


def choice_results(consultation: Consultation) -> list[ChoiceResult]:
    """Each choice question's answers counted (one grouped query)."""
    questions = choice_questions(consultation)
    if not questions:
        return []
    counted = {(q, c): n for q, c, n in db.session.execute(
        select(ChoiceAnswer.question, ChoiceAnswer.choice, func.count())
        .where(ChoiceAnswer.consultation_id == consultation.id)
        .group_by(ChoiceAnswer.question, ChoiceAnswer.choice))}
    results = []
    for number, question, choices in questions:
        if consultation.multiple_choice(number):  # each row's choices as bits: a row counts for each bit set
            rows = {value: n for (q, value), n in counted.items() if q == number}
            counts = [(choice, sum(n for value, n in rows.items() if value & (1 << (i - 1))))
                      for i, choice in enumerate(choices, start=1)]
            results.append(ChoiceResult(number, question, counts, sum(rows.values()), multiple=True))
            continue
        counts = [(choice, counted.get((number, i), 0)) for i, choice in enumerate(choices, start=1)]
        results.append(ChoiceResult(number, question, counts, sum(n for _c, n in counts)))
    return results


def choices_sentences(consultation: Consultation) -> list[str]:
    """The feedback report's sentences on the readers' choices, one a question (Chinese, as the closing summary)."""
    from portal.consultations.summary import choices_sentence

    return [choices_sentence(r.number, r.question, r.counts, r.total if r.multiple else None)
            for r in choice_results(consultation)]
