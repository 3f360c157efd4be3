"""Public pages after (and during) a consultation: the feedback report (also as a Word document) and the
statistics."""
import io

from flask import Blueprint, abort, current_app, render_template, request, send_file
from flask_babel import gettext as _
from flask_babel import ngettext, pgettext
from markupsafe import Markup, escape

from portal.consultations.services import closing_summary
from portal.consultations.views import get_public_consultation
from portal.core.time import local, now
from portal.core.tokens import LRU
from portal.core.web import PLACE, chinese, localday, name_download, number, text_lang, with_markup
from portal.core.official_docx import DOCX
from portal.reports.document import WHOLE_DRAFT, report_facts, report_filename
from portal.reports.document import feedback_document as write_feedback_document
from portal.reports.charts import horizontal_bar_chart
from portal.reports.figures import agreed_comments, statistics_figures
from portal.reports.services import feedback_groups, feedback_plan, report_state

bp = Blueprint("reports", __name__)


def _listing(pairs) -> Markup:
    """(label, count) pairs as "label: count; label: count" in the reader's language, for the charts' descriptions: a
    Chinese label (a section's heading) marked so on an English page."""
    return escape(_("；")).join(
        with_markup(_("%(label)s：%(count)s", label=PLACE, count=number(count)),
                    chinese(label) if text_lang(label) == "zh-CN" else label)
        for label, count in pairs)


@bp.get("/consultations/<int:consultation_id>/feedback")
def feedback(consultation_id: int):
    consultation = get_public_consultation(consultation_id)
    if not consultation.is_closed:
        return render_template("reports/not_yet.html", consultation=consultation)
    return render_template("reports/feedback.html", consultation=consultation, summary=closing_summary(consultation),
                           **feedback_page(consultation))


def feedback_page(consultation, drafts: bool = False) -> dict:
    """One page of the feedback report (a consultation with thousands of opinions is not one page on a phone): its
    groups, the page, the pages and the number of opinions."""
    per_page = current_app.config["FEEDBACK_PAGE_SIZE"]
    plan = feedback_plan(consultation, drafts)  # once: its key reads the state of the answers
    total = len(plan)
    pages = max(1, -(-total // per_page))
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    groups = feedback_groups(consultation, _("对草案整体的意见"), drafts, offset=(page - 1) * per_page, limit=per_page,
                             plan=plan)
    return {"groups": groups, "page": page, "pages": pages, "total": total}


@bp.get("/consultations/<int:consultation_id>/statistics")
def statistics(consultation_id: int):
    consultation = get_public_consultation(consultation_id)
    figures = statistics_figures(consultation)  # computed once until a comment changes
    sections = {s.id: s for s in consultation.current_draft.sections} if consultation.current_draft else {}
    per_section = [
        (sections[section_id].title if section_id is not None else _("对草案整体的意见"), count)
        for section_id, count in figures.per_section
    ]
    per_day = figures.per_day
    stances = figures.stances
    stance_names = {"support": _("赞成"), "oppose": _("反对"), "suggest": pgettext("stance", "建议")}
    # replies have no stance: their own bar and row, so that the figures add up to the opinions received
    stance_rows = [(stance_names[s], n) for s, n in stances.items()]
    if figures.replies:
        stance_rows.append((pgettext("stance", "回复"), figures.replies))
    total = figures.total
    charts = {
        "sections": horizontal_bar_chart(
            "chart-sections", _("各部分收到的意见数"),
            with_markup(ngettext("共 %(num)d 条意见。%(parts)s", "共 %(num)d 条意见。%(parts)s", total, parts=PLACE),
                        _listing(per_section)),
            per_section, _("："), label_lang=text_lang,
        ),
        "stances": horizontal_bar_chart(
            "chart-stances", _("意见态度分布"),
            _listing(stance_rows), stance_rows, _("："),
        ),
        "days": horizontal_bar_chart(
            "chart-days", _("每天收到的意见数"),
            _listing((localday(day), n) for day, n in per_day),
            [(localday(day), n) for day, n in per_day], _("："),
        ),
    }
    return render_template(
        "reports/statistics.html",
        consultation=consultation,
        total=total,
        per_section=per_section,
        per_day=per_day,
        stances=stance_rows, replies=figures.replies,
        proposals=figures.proposals,
        commenters=figures.commenters,
        organisations=figures.organisations,
        questions=figures.questions,
        # readers' choices (表态) are shown once the consultation has closed, so that early ones sway no later ones
        choices=figures.choices,
        agreed=agreed_comments(figures), agreements=figures.agreements,
        channels=figures.channels,
        quoted=figures.quoted,
        sections=sections,
        charts={name: Markup(svg) for name, svg in charts.items()},  # escaped in horizontal_bar_chart
    )


# The Word reports written, kept in each worker's memory under what they are made of: the consultation's tokens
# (its comments, its notice and summary: renewed by database triggers), the state of its answers and the day (the
# report is dated). Two workers may hold different entries, never different meanings for one key.
WORD_REPORTS = LRU(8, 32 * 1024 * 1024)


@bp.get("/consultations/<int:consultation_id>/feedback.docx")
def feedback_document(consultation_id: int):
    """The feedback report as a Word document (GB/T 9704), to publish and file: once the consultation has closed."""
    consultation = get_public_consultation(consultation_id)
    if not consultation.is_closed:
        abort(404)
    key = ("feedback.docx", consultation.id, consultation.comments_token, consultation.content_token,
           *report_state(consultation.id), local(now()).date())
    data = WORD_REPORTS.get(key)
    if data is None:  # a consultation of 100,000 opinions takes half a minute to write (bench/README.md)
        facts = report_facts(consultation, closing_summary(consultation) or "", now())
        data = write_feedback_document(facts, feedback_groups(consultation, WHOLE_DRAFT))
        WORD_REPORTS.put(key, data, len(data))
    response = send_file(io.BytesIO(data), mimetype=DOCX, as_attachment=True, etag=False,
                         download_name=report_filename(consultation))
    name_download(response, report_filename(consultation), f"consultation-{consultation.id}-feedback-report.docx")
    response.headers["Cache-Control"] = "no-cache"  # answers may still be published or changed
    return response
