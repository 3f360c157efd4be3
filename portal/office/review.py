"""What the review page shows beside the source: the outline, the notice fields, units, warnings."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext

from portal.consultations.models import Consultation
from portal.drafts.models import Section
from portal.units.services import find_unit


@dataclass
class UnitMatch:
    name: str
    unit_name: str | None  # the directory's name, when matched

    @property
    def matched(self) -> bool:
        return self.unit_name is not None


@dataclass
class OutlineRow:
    section: Section
    units: list[UnitMatch]


@dataclass
class Review:
    outline: list[OutlineRow]
    warnings: list[dict] = field(default_factory=list)  # {"code", "line", "message"}
    unmatched_units: list[str] = field(default_factory=list)


def review_of(consultation: Consultation) -> Review:
    draft = consultation.current_draft
    cache: dict[str, str | None] = {}

    def match(name: str) -> UnitMatch:
        if name not in cache:
            unit = find_unit(name)
            cache[name] = unit.name if unit is not None else None
        return UnitMatch(name, cache[name])

    outline = [OutlineRow(s, [match(n) for n in s.unit_names]) for s in draft.sections] if draft else []
    warnings = list(draft.warnings or []) if draft else []
    if consultation.deadline is None:
        warnings.insert(0, {"code": "no_deadline", "line": None,
                            "message": _("没有从公告中读到截止时间。请在“公告信息”中填写，或在发布时设定。")})
    unmatched = sorted({u.name for row in outline for u in row.units if not u.matched})
    if unmatched:
        names = "、".join(f"「{name}」" for name in unmatched)
        warnings.append({"code": "unknown_unit", "line": None,
                         "message": ngettext(
                             "%(num)d 个责任单位不在单位目录中：%(names)s。"
                             "意见无法转给这些单位，请管理员在单位目录中添加它们或它们的别名。",
                             "%(num)d 个责任单位不在单位目录中：%(names)s。"
                             "意见无法转给这些单位，请管理员在单位目录中添加它们或它们的别名。",
                             len(unmatched), names=names)})
    return Review(outline=outline, warnings=warnings, unmatched_units=unmatched)
