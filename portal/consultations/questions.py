"""Key questions (重点问题): what the drafting office most wants to hear about.

Notices often say "重点就以下问题征求意见：一是……；二是……". The office types its questions one a line (the
questions page); the consultation's page lists them, each with a link to the comment form, whose list lets a commenter
say which question their comment answers (``Comment.question``: its number, 1 for the first). The office then reads,
filters, counts and digests the comments question by question.

Once the consultation has opened, the questions already asked stay as they are (comments refer to them by number):
more may be added after them.

A question may also offer choices (选择题), typed after it on its line: "补贴标准是否合适？选项：合适｜偏低｜偏高" (or
"Choices:", as the English page says), or "选项（可多选）：" ("Choices (multiple):") for choices a reader may tick
several of. Readers then tick one (or several) on the consultation's page (表态, without writing a comment: portal/consultations/choices.py); the answers
are counted by the choice's number, so once open a question's choices stay as they are too.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _

from portal.consultations.terms import typed_lines

QUESTION_MAX = 200  # characters of a question
CHOICE_MAX = 20  # characters of a choice
CHOICES_MIN, CHOICES_MAX = 2, 6
_CHOICES = re.compile(r"[（(]?\s*(?:选项|choices|options)\s*(?P<multiple>[（(]\s*(?:可多选|多选|multiple|any)\s*[）)])?"
                      r"\s*[：:]\s*(?P<choices>[^）)]*?)\s*[）)]?\s*$", re.IGNORECASE)
_CHOICE_SEPARATORS = re.compile(r"\s*[｜|/／、；;]\s*")
QUESTIONS_MAX = 10
# the numbering an office types before a question: 1. 1、 (1) （一） 一是 问题1：
_NUMBERING = re.compile(r"^\s*(?:问题\s*)?(?:[（(]?\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[）)]|\d{1,2}\s*[.、．:：]|"
                        r"[一二三四五六七八九十]{1,3}\s*[、是：:]|[①-⑩])\s*")


class QuestionsRefused(ValueError):
    """What is wrong with the lines typed, each naming its line."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def read_questions(text: str) -> list[str]:
    """The questions of ``text``, one a line, their numbering (and choices) left out (the page numbers them); empty
    lines skipped. All or nothing: every line's problem is reported (QuestionsRefused)."""
    return read_question_lines(text)[0]


def read_question_lines(text: str) -> tuple[list[str], list[list[str] | None], list[int]]:
    """The questions of ``text``, for each its choices (None for a question answered in words only), and the numbers of
    the questions whose choices may be ticked several at once (可多选)."""
    questions: list[str] = []
    choices: list[list[str] | None] = []
    multiple: list[int] = []
    problems: list[str] = []
    for number, line in typed_lines(text):
        offered = None
        several = False
        if found := _CHOICES.search(line):
            line = line[:found.start()]
            several = bool(found["multiple"])
            offered = [c for c in _CHOICE_SEPARATORS.split(found["choices"]) if c]
            if not CHOICES_MIN <= len(offered) <= CHOICES_MAX or len(set(offered)) != len(offered):
                problems.append(_("第%(line)d行：选项要有 %(min)d 到 %(max)d 个，各不相同，用“｜”隔开。", line=number,
                                  min=CHOICES_MIN, max=CHOICES_MAX))
            elif any(len(c) > CHOICE_MAX for c in offered):
                problems.append(_("第%(line)d行：每个选项不能超过 %(max)d 个字。", line=number, max=CHOICE_MAX))
        question = _NUMBERING.sub("", line, count=1).strip().rstrip("；;")
        if not question:
            continue
        if len(question) > QUESTION_MAX:
            problems.append(_("第%(line)d行：一个问题不能超过 %(max)d 个字。", line=number, max=QUESTION_MAX))
        elif question in questions:
            problems.append(_("第%(line)d行：这个问题前面已经有了。", line=number))
        else:
            questions.append(question)
            choices.append(offered)
            if offered and several:
                multiple.append(len(questions))
    if len(questions) > QUESTIONS_MAX:
        problems.append(_("最多列出 %(max)d 个问题。", max=QUESTIONS_MAX))
    if problems:
        raise QuestionsRefused(problems)
    return questions, choices, multiple


def question_lines(questions: list[str] | None, choices: list | None, multiple: list | None = None) -> str:
    """The questions as the office types them, one a line, each with its choices (the questions page's text)."""
    choices = list(choices or [])
    return "\n".join(q + (f" {'选项（可多选）' if i + 1 in (multiple or []) else '选项'}：{'｜'.join(choices[i])}"
                          if i < len(choices) and choices[i] else "")
                     for i, q in enumerate(questions or []))


def question_choices(choices: list | None, number: int) -> list[str] | None:
    """The choices offered with key question ``number`` (1 for the first), or None."""
    choices = list(choices or [])
    return choices[number - 1] if 1 <= number <= len(choices) and choices[number - 1] else None


def asked_question(questions: list[str] | None, number: int | None) -> str | None:
    """The words of key question ``number`` (1 for the first) among a consultation's ``questions``; None when it asked
    no such question (or ``number`` is None)."""
    return questions[number - 1] if number is not None and 1 <= number <= len(questions or []) else None


def question_number(value) -> int | None:
    """A posted question's number (1 to QUESTIONS_MAX), or None when none was chosen; ValueError for anything
    else."""
    value = (value or "").strip() if isinstance(value, str) else value
    if value in (None, ""):
        return None
    if isinstance(value, str) and not value.isdecimal():  # "²" is a digit int() refuses
        raise ValueError(value)
    number = int(value)
    if not 1 <= number <= QUESTIONS_MAX:
        raise ValueError(value)
    return number
