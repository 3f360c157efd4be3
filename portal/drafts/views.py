"""Public pages of a draft's versions: an earlier version as it was, what a revision changed, and a version as a
Word document to download."""
import io

from flask import Blueprint, abort, render_template, send_file
from sqlalchemy import select

from portal.consultations.views import get_public_consultation
from portal.comments.feedback_form import FILE_SUFFIX, feedback_form as blank_feedback_form, form_notice
from portal.core.official_docx import DOCX
from portal.core.time import chinese_date
from portal.core.web import name_download
from portal.drafts.document import document_facts, document_filename, draft_document, file_stem
from portal.drafts.models import Draft
from portal.drafts.revisions import draft_changes
from portal.drafts.services import load_tree
from portal.extensions import db
from portal.mail.links import external_url

bp = Blueprint("drafts", __name__)


def get_version(consultation_id: int, version: int) -> Draft:
    consultation = get_public_consultation(consultation_id)
    draft = db.session.scalar(
        select(Draft).where(Draft.consultation_id == consultation.id, Draft.version == version)
    )
    if draft is None:
        abort(404)
    return draft


@bp.get("/consultations/<int:consultation_id>/versions/<int:version>")
def version(consultation_id: int, version: int):
    draft = get_version(consultation_id, version)
    load_tree(draft)  # its sections' children and tables in two queries, not two a section
    return render_template("drafts/version.html", consultation=draft.consultation, draft=draft)


@bp.get("/consultations/<int:consultation_id>/versions/<int:version>/changes")
def changes(consultation_id: int, version: int):
    draft = get_version(consultation_id, version)
    if draft.version == 1:
        abort(404)
    return render_template("drafts/changes.html", consultation=draft.consultation, draft=draft,
                           changes=draft_changes(draft))


@bp.get("/consultations/<int:consultation_id>/versions/<int:version>/draft.docx")
def document(consultation_id: int, version: int):
    """The version as a Word document (征求意见稿), named after the consultation's title."""
    draft = get_version(consultation_id, version)
    consultation = draft.consultation
    link = external_url("consultations.show", consultation_id=consultation.id)
    # send_file writes the name as RFC 6266 filename* (UTF-8); the ASCII one says what the file is
    response = send_file(io.BytesIO(draft_document(document_facts(consultation, draft, link, reading_aids=True), draft)),
                         mimetype=DOCX, as_attachment=True, download_name=document_filename(consultation, draft),
                         etag=False)
    version = f"-v{draft.version}" if draft.version > 1 else ""
    name_download(response, document_filename(consultation, draft),
                  f"consultation-{consultation.id}-draft{version}.docx")
    response.headers["Cache-Control"] = "public, max-age=300"  # a version never changes; its period may
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/consultations/<int:consultation_id>/feedback-form.xlsx")
def feedback_form(consultation_id: int):
    """The blank feedback form (意见反馈表) of the current draft, for those who send their opinions by mail."""
    consultation = get_public_consultation(consultation_id)
    draft = consultation.current_draft
    notice = form_notice(chinese_date(consultation.deadline), list(consultation.contact_emails or []),
                         consultation.contact_address,
                         external_url("consultations.show", consultation_id=consultation.id))
    data = blank_feedback_form(consultation.title, draft.sections if draft else [], notice, consultation.questions or [])
    response = send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True,
                         download_name=file_stem(consultation) + FILE_SUFFIX, etag=False)
    name_download(response, file_stem(consultation) + FILE_SUFFIX, f"consultation-{consultation.id}-feedback-form.xlsx")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
