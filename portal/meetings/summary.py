"""What the meetings add to the drafting office's documents, in their language (Chinese, as the closing summary): the
sentence of the feedback report on the meetings held, the name proposed for a new meeting."""
from __future__ import annotations

from datetime import datetime

from portal.core.time import local, now
from portal.meetings.models import MEETING_KINDS

KIND_NAMES = {"symposium": "座谈会", "hearing": "听证会", "panel": "论证会"}


def default_title(consultation, kind: str = "symposium") -> str:
    """The name the office's form proposes for a new meeting, in the draft's language: 《…》征求意见座谈会."""
    return f"《{consultation.title.replace('（征求意见稿）', '').strip()}》征求意见{KIND_NAMES.get(kind, '座谈会')}"


def title_for_kind(consultation, title: str, kind: str) -> str:
    """The name sent, unless it is the name the form proposed for another kind (the office chose 听证会 and left
    《…》征求意见座谈会 as it stood): then the proposed name of the kind chosen."""
    if title.strip() in {default_title(consultation, other) for other in KIND_NAMES}:
        return default_title(consultation, kind)
    return title


def held_meetings(consultation, at: datetime | None = None) -> list:
    """The consultation's meetings that took place (begun by ``at``, not cancelled), in order."""
    at = at or now()
    return [m for m in consultation.meetings if not m.is_cancelled and m.starts_at <= at]


def meetings_sentence(consultation, at: datetime | None = None) -> str | None:
    """征求意见期间，还召开座谈会2次（4月28日、5月6日）、听证会1次（5月8日），当面听取意见。 None when none was held."""
    held = held_meetings(consultation, at)
    if not held:
        return None
    parts = []
    for kind in MEETING_KINDS:
        days = [local(m.starts_at) for m in held if m.kind == kind]
        if days:
            parts.append(f"{KIND_NAMES[kind]}{len(days)}次（{'、'.join(f'{d.month}月{d.day}日' for d in days)}）")
    return f"征求意见期间，还召开{'、'.join(parts)}，当面听取意见。"
