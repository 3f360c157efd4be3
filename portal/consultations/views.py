"""Public pages: the list of consultations (and its Atom feed), a consultation with its draft, one section with its
comments, the notice to print with its QR code."""
from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import undefer

from portal.comments import page_cache
from portal.comments.forms import CommentForm
from portal.comments.services import THREAD_ORDERS
from portal.comments.quotes import asked_quote
from portal.consultations import pages
from portal.consultations.explanatory_note import note_blocks, note_document, note_filename
from portal.consultations.feed import FEED_SIZE, entry_updated
from portal.consultations.labels import consultation_detail, consultation_label
from portal.consultations.final_document import final_changes
from portal.consultations.listing import ListFilters, consultation_list
from portal.consultations.models import Consultation, ConsultationFile, public_consultation
from portal.consultations.rounds import round_comparison, round_links
from portal.consultations.services import closing_summary, latest_published
from portal.consultations.terms import terms_by_section
from portal.core.flash import flash_message
from portal.core.qr import qr_svg_file, qr_svg_inline
from portal.core.time import local, now, rfc3339
from portal.core.web import ascii_suffix, file_download, query_int, session_digest
from portal.core.xmltext import xml_text
from portal.core.official_docx import DOCX
from portal.drafts.models import Section
from portal.drafts.services import load_tree
from portal.extensions import db, limiter
from portal.mail.links import external_url

bp = Blueprint("consultations", __name__)
# a consultation among others of the same title: its title and what tells it apart (labels.py)
bp.add_app_template_filter(consultation_label)
bp.add_app_template_global(consultation_detail)


def get_public_consultation(consultation_id: int) -> Consultation:
    consultation = public_consultation(consultation_id)
    if consultation is None:
        abort(404)
    return consultation


def get_section(consultation: Consultation, anchor: str) -> Section:
    """The current draft's section with this anchor, found among its sections (loaded at once: the section
    page shows the neighbours, and render_section gives each its subsections and tables)."""
    section = consultation.current_section(anchor)
    if section is None:
        abort(404)
    return section


@bp.get("/")
def home():
    return redirect(url_for("consultations.index"))


@bp.get("/consultations/")
def index():
    """Open, upcoming and (a page at a time) closed consultations, narrowed by ``issuer`` and ``year``."""
    filters = ListFilters(issuer=request.args.get("issuer", "").strip()[:200],
                          year=query_int(request.args.get("year")), page=query_int(request.args.get("page")) or 1)
    if filters.year is not None and not 1900 <= filters.year <= 2999:
        filters.year = None
    from portal.meetings.services import upcoming_meetings

    meetings = upcoming_meetings() if not filters.active and filters.page == 1 else []
    return render_template("consultations/index.html", listing=consultation_list(filters), meetings=meetings)


@bp.get("/consultations/feed.atom")
def feed():
    """The Atom feed of the consultations published last (absolute links: a feed reader has no page to start
    from)."""
    consultations = latest_published(FEED_SIZE)
    body = render_template(
        "consultations/feed.atom.xml", consultations=consultations, external_url=external_url,
        rfc3339=rfc3339, xml_text=xml_text, entry_updated=entry_updated,
        updated=max((entry_updated(c) for c in consultations), default=now()),
    )
    return Response(body, content_type="application/atom+xml; charset=utf-8")


@bp.get("/consultations/<int:consultation_id>")
def show(consultation_id: int):
    if (page := pages.from_memory(consultation_id)) is not None:
        return page
    consultation = get_public_consultation(consultation_id)
    return pages.whole_page(consultation, lambda: render_overview(consultation, CommentForm()))


def render_overview(consultation: Consultation, form: CommentForm, status: int = 200):
    if consultation.current_draft is not None:
        load_tree(consultation.current_draft)
    counts = page_cache.public_counts(consultation) if consultation.comments_public else {}
    quotes = page_cache.public_quotes(consultation)  # read once: the marks, the sentences discussed, the threads
    return (
        render_template(
            "consultations/show.html",
            consultation=consultation,
            draft=consultation.current_draft,
            counts=counts,
            quoted=quotes.marks,
            terms=terms_by_section(consultation.terms, consultation.current_draft.sections)
            if consultation.current_draft is not None else {},
            # the sentences most discussed in public (quoted by two comments or more), at the top of the draft
            discussed=[(p, n) for p, n in quotes.ranked[:3] if n >= 2],
            summary=closing_summary(consultation),
            rounds=round_links(consultation),
            threads_html=_threads_html(consultation, None, "consultations.show", {"consultation_id": consultation.id},
                                       quotes),
            form=form,
        ),
        status,
    )


@bp.get("/consultations/<int:consultation_id>/previous-round")
def previous_round(consultation_id: int):
    """再次征求意见: what changed from the draft of the round before to this one's, part by part, with the opinions
    each part drew then."""
    consultation = get_public_consultation(consultation_id)
    comparison = round_comparison(consultation)
    if comparison is None:
        abort(404)
    return render_template("consultations/round_changes.html", consultation=consultation, comparison=comparison,
                           rounds=round_links(consultation))


@bp.get("/consultations/<int:consultation_id>/sections/<anchor>")
def section(consultation_id: int, anchor: str):
    if (page := pages.from_memory(consultation_id)) is not None:
        return page
    consultation = get_public_consultation(consultation_id)

    def render():
        section = get_section(consultation, anchor)
        return render_section(consultation, section,
                              CommentForm(section_id=str(section.id), quote=asked_quote(section.id)))

    return pages.whole_page(consultation, render)


def render_section(consultation: Consultation, section: Section, form: CommentForm, status: int = 200):
    sections = load_tree(consultation.current_draft, under=section)
    index = sections.index(section)
    counts = page_cache.public_counts(consultation) if consultation.comments_public else {}
    quotes = page_cache.public_quotes(consultation)  # read once: the marks and the threads
    return (
        render_template(
            "consultations/section.html",
            consultation=consultation,
            section=section,
            previous=sections[index - 1] if index > 0 else None,
            following=sections[index + 1] if index + 1 < len(sections) else None,
            counts=counts,
            quoted=quotes.marks,
            terms=terms_by_section(consultation.terms, _shown_with(section)),
            threads_html=_threads_html(consultation, section, "consultations.section",
                                       {"consultation_id": consultation.id, "anchor": section.anchor}, quotes),
            summary=closing_summary(consultation),
            form=form,
        ),
        status,
    )


def _shown_with(section: Section) -> list[Section]:
    """The section and its subsections, in document order: what its page shows."""
    shown = [section]
    for child in section.children:
        shown.extend(_shown_with(child))
    return shown


def _threads_html(consultation: Consultation, section: Section | None, endpoint: str, pager_args: dict, quotes):
    """The page of public threads the reader asked for (``?page=N&order=newest``), rendered with its pagers
    (cached under the comments token); None when the comments are not public. ``quotes``: the page's
    page_cache.public_quotes."""
    if not consultation.comments_public:
        return None
    page = request.args.get("page", 1, type=int)
    order = request.args.get("order") if request.args.get("order") in THREAD_ORDERS else "oldest"
    passage = request.args.get("passage", type=int)  # the comments quoting one sentence of the draft
    if passage is not None:
        pager_args = {**pager_args, "passage": passage}
    return page_cache.thread_list(consultation, section, page, order, endpoint, pager_args, quotes, passage)


@bp.post("/consultations/<int:consultation_id>/choices")
@limiter.limit("20/hour;100/day")
def choices(consultation_id: int):
    """A reader's choices among those the key questions offer (表态); each question once a browser."""
    from portal.consultations.choices import SESSION_KEY, ChoiceRefused, record_choices
    from portal.moderation.signs import address_hash

    consultation = get_public_consultation(consultation_id)
    posted = {int(name.removeprefix("question-")): request.form.getlist(name)[:10] for name in request.form
              if name.startswith("question-") and name.removeprefix("question-").isdecimal() and len(name) < 16}
    remembered = dict(session.get(SESSION_KEY) or {})
    answered = set(remembered.get(str(consultation.id), []))
    try:
        taken = record_choices(consultation, posted, answered,
                               address_hash(request.remote_addr, current_app.config["SECRET_KEY"]),
                               session_digest("choice voter"))
    except ChoiceRefused as refusal:
        db.session.rollback()
        flash_message(refusal.message, "error")
    else:
        db.session.commit()
        session[SESSION_KEY] = {**remembered, str(consultation.id): sorted(answered | set(taken))}
        flash_message(_l("谢谢，已记下您的选择。表态情况在征求意见截止后公布。") if taken
                      else _l("您已经对这些问题表过态了，这次没有重复计入。"))
    return redirect(url_for("consultations.show", consultation_id=consultation.id, _anchor="choices"), 303)


@bp.get("/consultations/<int:consultation_id>/explanatory-note")
def explanatory_note(consultation_id: int):
    """The office's explanatory note (起草说明), published beside the draft."""
    consultation = get_public_consultation(consultation_id)
    if not consultation.explanatory_note:
        abort(404)
    return render_template("consultations/explanatory_note.html", consultation=consultation,
                           blocks=note_blocks(consultation.explanatory_note))


@bp.get("/consultations/<int:consultation_id>/explanatory-note.docx")
def explanatory_note_document(consultation_id: int):
    """The explanatory note as a Word document of its own, to print or keep beside the draft's."""
    consultation = get_public_consultation(consultation_id)
    if not consultation.explanatory_note:
        abort(404)
    link = external_url("consultations.show", consultation_id=consultation.id)
    return file_download(note_document(consultation.title, consultation.explanatory_note, link), DOCX,
                         note_filename(consultation), private=False,
                         fallback=f"consultation-{consultation.id}-explanatory-note.docx")


@bp.get("/consultations/<int:consultation_id>/files/<int:file_id>")
def published_file(consultation_id: int, file_id: int):
    """A file the office published beside the draft."""
    consultation = get_public_consultation(consultation_id)
    found = db.session.get(ConsultationFile, file_id, options=[undefer(ConsultationFile.data)])
    if found is None or found.consultation_id != consultation.id:
        abort(404)
    return file_download(found.data, found.content_type, found.filename, private=False,
                         fallback=f"consultation-{consultation.id}-file-{found.id}{ascii_suffix(found.filename)}")


@bp.get("/consultations/<int:consultation_id>/poster")
def poster(consultation_id: int):
    """The notice to print and put up (张贴版公告): one A4 sheet for community notice boards, with the period, every way
    to take part and a QR code that opens the consultation on a phone (portal/core/qr.py)."""
    consultation = get_public_consultation(consultation_id)
    url = external_url("consultations.show", consultation_id=consultation.id)
    today = local(now()).date()  # the next meeting still to come (one: the notice stays one sheet)
    meetings = [m for m in consultation.meetings if not m.is_cancelled and local(m.starts_at).date() >= today][:1]
    return render_template("consultations/poster.html", consultation=consultation, url=url, meetings=meetings,
                           qr=qr_svg_inline(url, _("用手机扫描这个二维码，打开征求意见的网页")))


def _issued(consultation_id: int):
    """The public consultation, the policy issued after it and the draft it is compared with; 404 without them."""
    consultation = get_public_consultation(consultation_id)
    final, draft = consultation.issued_policy, consultation.current_draft
    if final is None or draft is None:
        abort(404)
    return consultation, final, draft


@bp.get("/consultations/<int:consultation_id>/final")
def final_document(consultation_id: int):
    """The policy as finally issued (正式文件): its title, number, date and the office's note, then part by part what
    changed from the draft consulted on, then its whole text (portal/consultations/final_document.py)."""
    consultation, final, draft = _issued(consultation_id)
    changes = final_changes(draft.sections, final.sections)
    return render_template("consultations/final_document.html", consultation=consultation, final=final, draft=draft,
                           changes=changes, changed=[c for c in changes if c.status != "unchanged"])


@bp.get("/consultations/<int:consultation_id>/final/comparison.docx")
def final_comparison(consultation_id: int):
    """The comparison table (修改对照表) of the draft consulted on and the policy as issued, as a Word document."""
    from portal.consultations.final_document import comparison_download

    consultation, final, draft = _issued(consultation_id)
    data, filename = comparison_download(consultation, final, draft, final_changes(draft.sections, final.sections))
    return file_download(data, DOCX, filename, private=False,
                         fallback=f"consultation-{consultation.id}-comparison-table.docx")


@bp.get("/consultations/<int:consultation_id>/paper-form")
def paper_form(consultation_id: int):
    """The comment form on paper (纸质意见表): one A4 sheet to print, write on by hand and post or hand in, for readers
    who do not go online (many of them elderly; a community office prints a pile). It names the draft's parts to tick,
    the stances, where to write the opinion and the wording proposed, and where and by when to send it; the office
    then types it in (portal/office: record_comment)."""
    consultation = get_public_consultation(consultation_id)
    draft = consultation.current_draft
    url = external_url("consultations.show", consultation_id=consultation.id)
    return render_template("consultations/paper_form.html", consultation=consultation, url=url,
                           parts=[s for s in (draft.sections if draft else []) if s.parent_id is None],
                           qr=qr_svg_inline(url, _("用手机扫描这个二维码，打开征求意见的网页")))


@bp.get("/consultations/<int:consultation_id>/qr.svg")
def qr(consultation_id: int):
    """The QR code alone, as an SVG file for the office's own notice."""
    consultation = get_public_consultation(consultation_id)
    url = external_url("consultations.show", consultation_id=consultation.id)
    response = Response(qr_svg_file(url, xml_text(consultation.title)), content_type="image/svg+xml")
    response.headers["Content-Disposition"] = "attachment; filename=consultation-%d-qr.svg" % consultation.id
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
