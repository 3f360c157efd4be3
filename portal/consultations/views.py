"""Public pages: the list of consultations, a consultation with its draft, one section with its comments."""
from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy import select

from portal.comments.forms import CommentForm
from portal.comments.services import public_comment_counts, public_thread_page
from portal.consultations.models import Consultation, published_consultations
from portal.consultations.services import closing_summary
from portal.drafts.models import Section
from portal.extensions import db

bp = Blueprint("consultations", __name__)


def get_public_consultation(consultation_id: int) -> Consultation:
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None or not consultation.is_published:
        abort(404)
    return consultation


def get_section(consultation: Consultation, anchor: str) -> Section:
    draft = consultation.current_draft
    section = db.session.scalar(select(Section).where(Section.draft_id == draft.id, Section.anchor == anchor))
    if section is None:
        abort(404)
    return section


@bp.get("/")
def home():
    return redirect(url_for("consultations.index"))


@bp.get("/consultations/")
def index():
    consultations = db.session.scalars(
        published_consultations().order_by(Consultation.deadline.desc(), Consultation.id.desc())
    ).all()
    groups = {"open": [], "upcoming": [], "closed": []}
    for consultation in consultations:
        groups[consultation.state()].append(consultation)
    return render_template("consultations/index.html", groups=groups)


@bp.get("/consultations/<int:consultation_id>")
def show(consultation_id: int):
    consultation = get_public_consultation(consultation_id)
    return render_overview(consultation, CommentForm())


def render_overview(consultation: Consultation, form: CommentForm, status: int = 200):
    return (
        render_template(
            "consultations/show.html",
            consultation=consultation,
            draft=consultation.current_draft,
            counts=public_comment_counts(consultation) if consultation.comments_public else {},
            summary=closing_summary(consultation),
            thread_page=_thread_page(consultation, None),
            form=form,
        ),
        status,
    )


@bp.get("/consultations/<int:consultation_id>/sections/<anchor>")
def section(consultation_id: int, anchor: str):
    consultation = get_public_consultation(consultation_id)
    section = get_section(consultation, anchor)
    form = CommentForm(section_id=str(section.id))
    return render_section(consultation, section, form)


def render_section(consultation: Consultation, section: Section, form: CommentForm, status: int = 200):
    sections = consultation.current_draft.sections
    index = sections.index(section)
    return (
        render_template(
            "consultations/section.html",
            consultation=consultation,
            section=section,
            previous=sections[index - 1] if index > 0 else None,
            following=sections[index + 1] if index + 1 < len(sections) else None,
            counts=public_comment_counts(consultation) if consultation.comments_public else {},
            thread_page=_thread_page(consultation, section),
            summary=closing_summary(consultation),
            form=form,
        ),
        status,
    )


def _thread_page(consultation: Consultation, section: Section | None):
    """The page of public threads the reader asked for (``?page=N&order=newest``); None when private."""
    if not consultation.comments_public:
        return None
    page = request.args.get("page", 1, type=int)
    order = "newest" if request.args.get("order") == "newest" else "oldest"
    return public_thread_page(consultation, section, page, order)
