"""How a consultation is named where it is chosen or listed among others (the search's and the moderation queue's
filters, the office's choice of the round a new one follows, the units an administrator matches …): a second round
of one draft (再次征求意见) often has the same title, so its title is followed by what tells them apart — its period
(2023年4月12日—5月12日), or its state when it has none yet (未发布), and for a later round 第2次征求意见.

``consultation_label`` is the plain text (an <option>); the template macro ``consultation_name``
(templates/consultations/_macros.html) marks the title as Chinese and the rest in the reader's language; both use
``consultation_detail``."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import get_locale
from flask_babel import gettext as _

from portal.core.time import SHANGHAI
from portal.core.web import localdate, localday

# the languages that write a period's year once, after its end ("12 April – 12 May 2023"); others after its start
# ("2023年4月12日—5月12日")
YEAR_AT_END = {"en"}


def localperiod(start: date | datetime, end: date | datetime) -> str:
    """A period of days in the reader's language, the year said once when both ends are in the same year."""
    first, last = (value.astimezone(SHANGHAI).date() if isinstance(value, datetime) else value for value in (start, end))
    if first.year != last.year:
        return _("%(start)s—%(end)s", start=localdate(first), end=localdate(last))
    if get_locale().language in YEAR_AT_END:
        return _("%(start)s—%(end)s", start=localday(first), end=localdate(last))
    return _("%(start)s—%(end)s", start=localdate(first), end=localday(last))


def state_word(consultation) -> str:
    state = consultation.state()
    return {"unpublished": _("未发布"), "upcoming": _("即将开始"), "open": _("征求意见中")}.get(state) or _("已截止")


def consultation_detail(consultation) -> str:
    """What tells ``consultation`` apart from another of the same title: its period (from its opening, or its
    publication, to its deadline) once published, else its state (未发布); and 第N次征求意见 for a later round."""
    from portal.consultations.rounds import round_number

    start = consultation.opens_at or consultation.published_at
    parts = [localperiod(start, consultation.deadline) if consultation.is_published and start and consultation.deadline
             else state_word(consultation)]
    number = round_number(consultation)
    if number > 1:
        parts.append(_("第%(n)d次征求意见", n=number))
    return _("，").join(parts)


def consultation_label(consultation, width: int | None = None) -> str:
    """The title (cut to ``width`` characters, when given), then what tells the consultation apart, as plain text."""
    title = consultation.title
    if width is not None and len(title) > width:
        title = title[:width - 1] + "…"
    return title + _("（%(text)s）", text=consultation_detail(consultation))
