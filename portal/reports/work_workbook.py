"""The work report as an Excel workbook (in Chinese, as the digests: it is filed and reported upwards): a summary
sheet with each unit's totals, then one row a consultation. Pure: a WorkReport in, bytes out."""
from __future__ import annotations

from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from portal.core.time import local
from portal.core.xmltext import xml_text
from portal.digests.rows import neutralise_formula
from portal.reports.work_report import OUTCOMES, ConsultationLine, Totals, WorkReport

OUTCOME_HEADERS = {"adopted": "采纳", "partly_adopted": "部分采纳", "not_adopted": "不采纳", "explained": "情况说明"}
STATES = {"upcoming": "尚未开始", "open": "进行中", "closed": "已截止"}
NO_UNIT = "未指定单位"


def period_label(report: WorkReport) -> str:
    quarter = "" if report.period.quarter is None else "第" + "一二三四"[report.period.quarter - 1] + "季度"
    return f"{report.period.year}年{quarter}"


def _text(value: str | None) -> str:
    return neutralise_formula(xml_text(value or ""))


def _day(value) -> str:
    return "" if value is None else local(value).strftime("%Y-%m-%d")


def _share(totals: Totals) -> str:
    share = totals.adoption_share
    return "" if share is None else f"{share:.1%}"


TOTAL_HEADERS = ["单位", "征求意见（件）", "已截止（件）", "平均期限（天）", "少于30天（件）", "延长截止时间（件）",
                 "收到意见（条）", "其他方式收到（条）", "以单位名义（条）", "未收到意见（件）",
                 *OUTCOME_HEADERS.values(), "答复待公布（条）", "采纳率", "已公布采纳情况（件）",
                 "逾期未公布（件）", "已发布正式文件（件）"]


def _total_row(name: str, totals: Totals) -> list:
    return [
        _text(name), totals.consultations, totals.closed,
        round(totals.average_days, 1) if totals.average_days is not None else "", totals.short, totals.extended,
        totals.received, totals.offline, totals.organisations, totals.without_comments,
        *(totals.outcomes[outcome] for outcome in OUTCOMES), totals.drafted, _share(totals),
        f"{totals.with_feedback}/{totals.closed_with_comments}", totals.overdue, totals.issued,
    ]


LINE_HEADERS = ["单位", "编号", "征求意见", "发布单位", "开始日期", "截止日期", "期限（天）", "少于30天的理由",
                "延长次数", "状态", "收到意见（条）", "其他方式收到（条）", "以单位名义（条）",
                *OUTCOME_HEADERS.values(), "答复待公布（条）", "采纳情况公布日期", "截止后天数", "正式文件发布日期"]


def _line_row(line: ConsultationLine, at) -> list:
    feedback = _day(line.feedback_at) or ("逾期未公布" if line.feedback_overdue(at) else "")
    return [
        _text(line.unit or NO_UNIT), line.id, _text(line.title), _text(line.issuer), _day(line.opens_at),
        _day(line.deadline), line.days, _text(line.short_reason) if line.short else "", line.extensions,
        STATES.get(line.state, line.state), line.received, line.offline, line.organisations,
        *(line.outcomes.get(outcome, 0) for outcome in OUTCOMES), line.drafted, feedback,
        "" if line.feedback_days is None else line.feedback_days, _day(line.issued_at),
    ]


def write_work_report(report: WorkReport, out: BinaryIO) -> None:
    workbook = Workbook()
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    summary = workbook.active
    summary.title = "汇总"
    summary.append([f"{period_label(report)}征求意见工作情况统计"])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append([f"统计范围：截止日期在{period_label(report)}内、已发布的征求意见；"
                    f"意见数不含垃圾信息和已撤回的意见；采纳率＝（采纳＋部分采纳）÷（采纳＋部分采纳＋不采纳），"
                    f"只计已公布的答复。生成时间：{local(report.at).strftime('%Y-%m-%d %H:%M')}"])
    summary.append([])
    summary.append(TOTAL_HEADERS)
    header_row = summary.max_row
    for group in report.groups:
        summary.append(_total_row(group.name or NO_UNIT, group.totals))
    summary.append(_total_row("合计", report.totals))
    for cell in summary[header_row] + summary[summary.max_row]:
        cell.font = bold
    summary.column_dimensions["A"].width = 30
    for index in range(2, len(TOTAL_HEADERS) + 1):
        summary.column_dimensions[get_column_letter(index)].width = 12
    for cell in summary[header_row]:
        cell.alignment = wrap

    lines = workbook.create_sheet("明细")
    lines.append(LINE_HEADERS)
    for cell in lines[1]:
        cell.font, cell.alignment = bold, wrap
    for line in report.lines:
        lines.append(_line_row(line, report.at))
    lines.freeze_panes = "A2"
    lines.auto_filter.ref = f"A1:{get_column_letter(len(LINE_HEADERS))}{lines.max_row}"
    widths = {"A": 24, "C": 48, "D": 24, "H": 30}
    for index in range(1, len(LINE_HEADERS) + 1):
        letter = get_column_letter(index)
        lines.column_dimensions[letter].width = widths.get(letter, 12)
    workbook.save(out)
