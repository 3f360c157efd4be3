"""What the review page shows beside the source: the outline, the notice fields, units, warnings."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup, escape

from portal.consultations.models import Consultation
from portal.core.web import PLACE, chinese, chinese_page, mark_chinese, with_markup
from portal.drafts.models import Section
from portal.office.warning_details import warning_details
from portal.units.services import UnitDirectory


# The parser (not ours to change) stores its warnings in Chinese, with details such as the numbering it
# found. Chinese readers see that text; readers of another language the warning's meaning, from its code
# (the line number is shown beside it).
PARSER_WARNINGS = {
    "deadline_missing": _l("没有找到征求意见的截止日期，请在发布前手工填写。"),
    "title_missing": _l("没有找到文件标题，请手工填写。"),
    "image_dropped": _l("这一行是网页中的图片，无法导入；如果它是表格，请手工补充。"),
    "duplicate_text_removed": _l("从这一行开始的一段是前文的重复，已删除。"),
    "table_irregular": _l("从这一行开始的表格有一组单元格数量不整齐，请核对。"),
    "level_jump": _l("这一行的编号层级顺序不寻常，请核对。"),
    "numbering_gap": _l("这一行的编号不连续或重复，请核对。"),
    "tracked_changes": _l("这份 Word 文件里还有没有处理的修订，已按“接受所有修订”后的文字导入。请对照原文件核对。"),
    "units_for_later_items": _l("这一部分说以下各项均由某些单位负责、不再一一列出：已把这些单位列为其后各部分的责任单位，"
                                "请核对。"),
    "pdf_source": _l("这份草案的文字是从 PDF 文件中读出的：请对照原文件核对分段、表格，以及页眉页脚是否混进了正文。"
                     "有 Word 文件的，上传 Word 文件更准确。"),
}


def _filled(sentence: str, **parts) -> Markup:
    """A translated sentence, escaped, its placeholders filled with ``parts`` (markup kept, text escaped)."""
    return escape(sentence) % parts


def _detailed(code: str, found: dict) -> Markup | str:
    """The warning in the page's language with the details its Chinese text gave."""
    if code == "image_dropped":
        return _filled(_("这一行是网页中的图片（%(name)s），无法导入；如果它是表格，请手工补充。"),
                       name=mark_chinese(found["name"]))
    if code == "duplicate_text_removed":
        return _("从第%(first)s行到第%(last)s行是前文的重复，已删除。", first=found["first"], last=found["last"])
    if code == "level_jump":
        return _filled(_("编号“%(label)s”出现在“%(parent)s”之下，层级顺序不寻常（%(higher)s 通常高于 %(lower)s），"
                         "请核对。"), label=chinese(found["label"]), parent=chinese(found["parent"]),
                       higher=chinese(found["higher"]), lower=chinese(found["lower"]))
    if code == "numbering_gap" and "expected" not in found:
        return _filled(_("“%(previous)s”之后又出现“%(label)s”，编号重新开始或重复，请核对。"),
                       previous=chinese(found["previous"]), label=chinese(found["label"]))
    if code == "numbering_gap" and found.get("previous"):
        return _filled(_("“%(previous)s”之后应为第 %(expected)s 项，实际是“%(label)s”，编号不连续，请核对。"),
                       previous=chinese(found["previous"]), expected=found["expected"], label=chinese(found["label"]))
    if code == "numbering_gap":
        return _filled(_("这一层开头应为第 %(expected)s 项，实际是“%(label)s”，编号不连续，请核对。"),
                       expected=found["expected"], label=chinese(found["label"]))
    num = int(found["num"])  # tracked_changes
    return ngettext("这份 Word 文件里还有 %(num)d 处没有处理的修订，已按“接受所有修订”后的文字导入。请对照原文件核对。",
                    "这份 Word 文件里还有 %(num)d 处没有处理的修订，已按“接受所有修订”后的文字导入。请对照原文件核对。",
                    num)


def _parser_warning(warning: dict) -> dict:
    if get_locale() is None or chinese_page():
        return warning
    code, message = warning.get("code"), str(warning.get("message") or "")
    if found := warning_details(code, message):
        return {**warning, "message": _detailed(code, found)}
    if code in PARSER_WARNINGS:
        return {**warning, "message": str(PARSER_WARNINGS[code])}
    # a code the portal has no words for (a newer parser's): its Chinese text, marked so for a screen reader
    return {**warning, "message": mark_chinese(message)}


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

    @property
    def lead_units(self) -> list[UnitMatch]:
        """The units that lead (牵头单位), as the draft marks them."""
        leads = set(self.section.lead_unit_names or ())
        return [u for u in self.units if u.name in leads]

    @property
    def other_units(self) -> list[UnitMatch]:
        leads = set(self.section.lead_unit_names or ())
        return [u for u in self.units if u.name not in leads]


@dataclass
class Review:
    outline: list[OutlineRow]
    warnings: list[dict] = field(default_factory=list)  # {"code", "line", "message"}
    unmatched_units: list[str] = field(default_factory=list)


def review_of(consultation: Consultation) -> Review:
    draft = consultation.current_draft
    cache: dict[str, str | None] = {}
    directory: list[UnitDirectory] = []  # read once, at the first name (two queries, not a few a name)

    def match(name: str) -> UnitMatch:
        if name not in cache:
            if not directory:
                directory.append(UnitDirectory())
            found, _unmatched = directory[0].match([name])  # find_unit's rules, in memory
            cache[name] = found[0].name if found else None
        return UnitMatch(name, cache[name])

    outline = [OutlineRow(s, [match(n) for n in s.unit_names]) for s in draft.sections] if draft else []
    # The parser's "deadline_missing" is said by the page's own warning below, and only while the deadline is
    # still missing: once filled in (or set when publishing) it is no longer something to do.
    parsed = [w for w in draft.warnings or [] if w.get("code") != "deadline_missing"] if draft else []
    warnings = [_parser_warning(w) for w in parsed]
    if consultation.deadline is None:
        warnings.insert(0, {"code": "no_deadline", "line": None,
                            "message": _("没有从公告中读到截止时间。请在“公告信息”中填写，或在发布时设定。")})
    unmatched = sorted({u.name for row in outline for u in row.units if not u.matched})
    if unmatched:
        # the names are the draft's, Chinese on an English page too: marked so (chinese), the sentence kept as markup
        names = escape(_("、")).join(with_markup(_("「%(name)s」", name=PLACE), chinese(name)) for name in unmatched)
        warnings.append({"code": "unknown_unit", "line": None,
                         "message": with_markup(ngettext(
                             "%(num)d 个责任单位不在单位目录中：%(names)s。"
                             "意见无法转给这些单位，请管理员在单位目录中添加它们或它们的别名。",
                             "%(num)d 个责任单位不在单位目录中：%(names)s。"
                             "意见无法转给这些单位，请管理员在单位目录中添加它们或它们的别名。",
                             len(unmatched), names=PLACE), names)})
    return Review(outline=outline, warnings=warnings, unmatched_units=unmatched)
