"""The closing summary (截止到…收到/未收到…反馈意见), written from the notice's own words.

Pure: takes plain values, no app context.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from portal.comments.organisations import organisation_key

DEFAULT_ADDRESSEE = "社会各界"
ANONYMOUS_NAMES = {"匿名", "无", "无名", "anonymous"}


@dataclass(frozen=True)
class CommentTally:
    comments: int = 0  # opinions received (spam excluded)
    sections: int = 0  # distinct sections they concern
    whole_draft: int = 0  # of the comments, how many on the draft as a whole
    people: int = 0  # distinct commenters (see commenter_key) speaking for themselves; 0: not counted
    organisations: int = 0  # distinct organisations on whose behalf comments were made (以单位名义)
    # published responses, by outcome (all 0 until the office publishes its responses)
    adopted: int = 0
    partly_adopted: int = 0
    not_adopted: int = 0
    explained: int = 0

    @property
    def responded(self) -> int:
        return self.adopted + self.partly_adopted + self.not_adopted + self.explained


def commenter_key(name: str | None, contact: str | None) -> str | None:
    """Who made a comment, for counting people: the normalised contact, else the name, else nobody known.

    Contacts are compared after NFKC (full-width digits and letters become half-width), lower case, without
    spaces, hyphens and brackets, and without a leading +86/86 on a mobile number; names after NFKC and
    without spaces. ``None`` means anonymous: such a comment counts as one person of its own.
    """
    contact = unicodedata.normalize("NFKC", contact or "").lower()
    contact = re.sub(r"[\s\-()]", "", contact)
    contact = re.sub(r"^\+?86(1\d{10})$", r"\1", contact)
    if contact:
        return "contact:" + contact
    name = re.sub(r"\s", "", unicodedata.normalize("NFKC", name or ""))
    if name and name.lower() not in ANONYMOUS_NAMES:
        return "name:" + name
    return None


def count_people(commenters: Iterable[tuple[str | None, str | None]]) -> int:
    """Distinct commenters among (name, contact) pairs; each anonymous comment counts as one person."""
    return count_commenters((name, contact, None) for name, contact in commenters)[0]


def count_commenters(commenters: Iterable[tuple]) -> tuple[int, int]:
    """(people, organisations) among (name, contact, organisation[, commenter number]) rows: the distinct people who
    spoke for themselves (each anonymous comment one person), and the distinct organisations on whose behalf the
    others were made (names compared without spaces and width forms). A commenter number stands for a contact
    erased after the retention period (comments/retention.py)."""
    known: set[str] = set()
    organisations: set[str] = set()
    anonymous = 0
    for name, contact, organisation, *number in commenters:
        if organisation:
            organisations.add(organisation_key(organisation))
            continue
        key = f"no:{number[0]}" if not contact and number and number[0] is not None else commenter_key(name, contact)
        if key is None:
            anonymous += 1
        else:
            known.add(key)
    return len(known) + anonymous, len(organisations)


def deadline_words(deadline: date, notice_date: date | None = None) -> str:
    """"5月12日" as the notice says it; the year is added only when it is not the notice's year."""
    if notice_date is not None and notice_date.year != deadline.year:
        return f"{deadline.year}年{deadline.month}月{deadline.day}日"
    return f"{deadline.month}月{deadline.day}日"


def write_closing_summary(
    deadline: date, addressee: str | None, tally: CommentTally, notice_date: date | None = None
) -> str:
    """Write the closing summary in the register of a Chinese government notice.

    >>> write_closing_summary(date(2023, 5, 12), "社会各界、广大居民群众", CommentTally())
    '截止到5月12日，未收到社会各界、广大居民群众反馈意见。'
    """
    when = deadline_words(deadline, notice_date)
    who = (addressee or DEFAULT_ADDRESSEE).strip().rstrip("：:")
    if tally.comments == 0:
        return f"截止到{when}，未收到{who}反馈意见。"
    sentence = f"截止到{when}，共收到{who}反馈意见{tally.comments}条"
    by = [f"{tally.people}人"] if tally.people else []
    if tally.organisations:
        by.append(f"{tally.organisations}个单位")
    if by:
        sentence += f"（{'、'.join(by)}提出）"
    if tally.sections and tally.whole_draft:
        sentence += f"，涉及{tally.sections}个部分，另有{tally.whole_draft}条针对全文"
    elif tally.sections:
        sentence += f"，涉及{tally.sections}个部分"
    else:
        sentence += "，均针对全文"
    return sentence + "。" + response_sentence(tally)


def response_sentence(tally: CommentTally) -> str:
    """"经认真研究，采纳3条，部分采纳2条，不采纳1条，另有1条作情况说明。" — only the outcomes that occur."""
    if not tally.responded:
        return ""
    parts = [
        f"{words}{count}条"
        for words, count in (("采纳", tally.adopted), ("部分采纳", tally.partly_adopted), ("不采纳", tally.not_adopted))
        if count
    ]
    if tally.explained:
        parts.append(f"另有{tally.explained}条作情况说明" if parts else f"对{tally.explained}条作情况说明")
    return "经认真研究，" + "，".join(parts) + "。"


def choices_sentence(number: int, question: str, counts: Iterable[tuple[str, int]],
                     answered: int | None = None) -> str:
    """How readers answered a key question's choices (表态), as the feedback report says it:
    对问题1“补贴标准是否合适？”，网上表态205人，其中选“合适”的120人、“偏低”的80人、“偏高”的5人。
    ``answered``: how many answered a multiple-choice question (可多选), whose counts add up to more:
    对问题2“……”（可多选），网上表态30人，选“助餐”的20人、“助浴”的12人。"""
    counts = list(counts)
    total = sum(n for _choice, n in counts) if answered is None else answered
    if not total:
        return f"对问题{number}“{question}”，没有人在网上表态。"
    chosen = "、".join(f"“{choice}”的{n}人" for choice, n in counts)
    if answered is not None:
        return f"对问题{number}“{question}”（可多选），网上表态{total}人，选{chosen}。"
    return f"对问题{number}“{question}”，网上表态{total}人，其中选{chosen}。"
