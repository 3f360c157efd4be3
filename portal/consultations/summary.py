"""The closing summary (截止到…收到/未收到…反馈意见), written from the notice's own words.

Pure: takes plain values, no app context.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

DEFAULT_ADDRESSEE = "社会各界"


@dataclass(frozen=True)
class CommentTally:
    comments: int = 0  # opinions received (spam excluded)
    sections: int = 0  # distinct sections they concern
    whole_draft: int = 0  # of the comments, how many on the draft as a whole


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
    if tally.sections and tally.whole_draft:
        sentence += f"，涉及{tally.sections}个部分，另有{tally.whole_draft}条针对全文"
    elif tally.sections:
        sentence += f"，涉及{tally.sections}个部分"
    else:
        sentence += "，均针对全文"
    return sentence + "。"
