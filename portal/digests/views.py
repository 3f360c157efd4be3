"""Digest downloads for the drafting office: CSV, XLSX, DOCX; with contacts only after confirmation; the files sent
with comments, one by one or all in a ZIP."""
import tempfile

from flask import Blueprint, abort, current_app, redirect, render_template, request, send_file, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.accounts.access import get_managed_consultation, role_required
from portal.comments.attachments import staff_download
from portal.core.flash import flash_message, number_part
from portal.core.official_docx import DOCX
from portal.core.web import name_download
from portal.digests.exports import (REFRESH_SECONDS, WAITING, attachments_built_by_worker, built_by_worker,
                                    digest_options, file_path, job_filename, kinds, moderated_since, read_options,
                                    record_export_download, request_export)
from portal.digests.forms import ContactsConfirmForm
from portal.digests.models import ExportJob
from portal.digests.services import (FORMATS, attachments_filename, build_digest, describe_filters,
                                     digest_filename, write_attachments_zip)
from portal.extensions import db
from portal.responses.filters import parse_filters

bp = Blueprint("digests", __name__, url_prefix="/office/consultations/<int:consultation_id>")


@bp.route("/digest.<fmt>", methods=["GET", "POST"])
@role_required("office")
def download(consultation_id: int, fmt: str):
    consultation = get_managed_consultation(consultation_id)
    if fmt not in FORMATS:
        abort(404)
    with_contacts = request.args.get("contacts") == "1"
    if with_contacts:
        form = ContactsConfirmForm()
        if not form.validate_on_submit():
            status = 422 if form.errors else 200
            return render_template(
                "digests/confirm_contacts.html", consultation=consultation, form=form, fmt=fmt
            ), status
    filters = parse_filters(request.args)  # the responses page's filters: a digest of those comments only
    filters = filters if filters.active else None
    large = built_by_worker(consultation, filters)  # too many comments to write while the office waits
    if not with_contacts and request.method == "POST" and not large:
        abort(405)
    if large:
        # a link (or a browser's prefetch) queues nothing: the page asks, its button POSTs (CSRF-checked app-wide)
        if not with_contacts and request.method == "GET":
            return render_template("digests/prepare.html", consultation=consultation, fmt=fmt,
                                   described=describe_filters(consultation, filters) if filters else ""), 200
        return _queued(consultation, fmt, digest_options(with_contacts, filters))
    return _written(lambda out: build_digest(consultation, fmt, out, current_user, with_contacts=with_contacts,
                                             filters=filters),
                    FORMATS[fmt][0], digest_filename(consultation, fmt, with_contacts, filtered=filters is not None),
                    digest_filename(consultation, fmt, with_contacts, filtered=filters is not None, ascii=True))


@bp.route("/annotated.docx", methods=["GET", "POST"])
@role_required("office")
def annotated(consultation_id: int):
    """The draft with every comment received (or those the responses page's filters give) as a Word comment (批注)
    on the words it is about; at most ANNOTATED_MAX of them. Above EXPORT_INLINE_MAX an export job, as a digest: the
    link opens a page whose button (a POST) asks for it."""
    from portal.digests.annotated import TooManyToAnnotate, annotated_document, annotated_filename, comments_to_annotate
    from portal.drafts.services import load_tree

    consultation = get_managed_consultation(consultation_id)
    if consultation.current_draft is None:
        abort(404)
    filters = parse_filters(request.args)
    try:
        count = comments_to_annotate(consultation, filters)
    except TooManyToAnnotate as refused:
        flash_message(_l("筛选出的意见有 %(count)s 条，批注版草案一次最多放 %(max)s 条。请先按章节等条件筛选，再下载筛选出的意见的批注版。",
                         count=number_part(refused.count), max=number_part(refused.most)), "error")
        return redirect(url_for("responses.index", consultation_id=consultation.id, **filters.args(page=1)))
    if count > current_app.config["EXPORT_INLINE_MAX"]:  # too many to write while the office waits
        if request.method == "GET":  # a link (the closing mail's, a prefetch) queues nothing
            return render_template("digests/prepare.html", consultation=consultation, fmt="annotated",
                                   described=describe_filters(consultation, filters) if filters.active else ""), 200
        return _queued(consultation, "annotated", digest_options(False, filters if filters.active else None))
    if request.method == "POST":
        abort(405)
    load_tree(consultation.current_draft)
    return _written(lambda out: out.write(annotated_document(consultation, filters if filters.active else None)),
                    DOCX, annotated_filename(consultation, filtered=filters.active),
                    annotated_filename(consultation, filtered=filters.active, ascii=True))


@bp.get("/adopted-wording.docx")
@role_required("office")
def adopted_wording(consultation_id: int):
    """The draft with the wording the office adopted written in as tracked changes (采纳建议修订稿)."""
    from portal.digests.annotated import adopted_wording_document, adopted_wording_filename
    from portal.drafts.services import load_tree

    consultation = get_managed_consultation(consultation_id)
    if consultation.current_draft is None:
        abort(404)
    load_tree(consultation.current_draft)
    return _written(lambda out: out.write(adopted_wording_document(consultation)), DOCX,
                    adopted_wording_filename(consultation), adopted_wording_filename(consultation, ascii=True))


def _written(write, mimetype: str, download_name: str, fallback: str):
    """``write(out)`` into a temporary file (rows streamed from the database), its audit entry committed, then the
    file sent from disk, never cached; ``fallback``: its ASCII name (name_download)."""
    out = tempfile.TemporaryFile()
    try:
        write(out)
    except Exception:
        out.close()
        raise
    db.session.commit()  # the audit entry (an export with contacts, every file)
    out.seek(0)
    response = send_file(out, mimetype=mimetype, as_attachment=True, download_name=download_name)
    name_download(response, download_name, fallback)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/attachments.zip")
@role_required("office")
def attachments(consultation_id: int):
    """Every file sent with the consultation's comments, in one ZIP (written to a temporary file, then sent; by the
    export worker when they are many). A POST (a button of the responses page, with its CSRF token): the download is
    recorded in the audit log."""
    consultation = get_managed_consultation(consultation_id)
    if attachments_built_by_worker(consultation):
        return _queued(consultation, "attachments")
    return _written(lambda out: write_attachments_zip(consultation, out, current_user), "application/zip",
                    attachments_filename(consultation), attachments_filename(consultation, ascii=True))


@bp.post("/archive.zip")
@role_required("office")
def archive(consultation_id: int):
    """The consultation's archive (归档材料): its drafts, digests, files, result and records in one ZIP. A POST (a
    button of the responses page, with its CSRF token): it holds the commenters' files, so it is audited."""
    from portal.digests.archive import archive_filename, write_archive

    consultation = get_managed_consultation(consultation_id)
    if built_by_worker(consultation) or attachments_built_by_worker(consultation):  # it holds every file too
        return _queued(consultation, "archive")
    return _written(lambda out: write_archive(consultation, out, current_user), "application/zip",
                    archive_filename(consultation), archive_filename(consultation, ascii=True))


def _queued(consultation, kind: str, options: str | None = None):
    """A large consultation's file is built by the export worker: the job waiting for it (or a new one), then its
    page."""
    job = request_export(consultation, kind, current_user, options)
    db.session.commit()
    return redirect(url_for("digests.export", consultation_id=consultation.id, job_id=job.id), code=303)


def _export_job(consultation_id: int, job_id: int):
    consultation = get_managed_consultation(consultation_id)  # 404 unless the user's unit owns it
    job = db.session.get(ExportJob, job_id)
    if job is None or job.consultation_id != consultation.id:
        abort(404)
    return consultation, job


@bp.get("/exports/<int:job_id>")
@role_required("office")
def export(consultation_id: int, job_id: int):
    """The page of an export job: being prepared (it reloads itself), ready to download, failed (why; ask again)
    or deleted after the retention."""
    consultation, job = _export_job(consultation_id, job_id)
    waiting = job.status in WAITING
    with_contacts, filters = read_options(job)
    return render_template("digests/export.html", consultation=consultation, job=job, waiting=waiting,
                           with_contacts=with_contacts,
                           described=describe_filters(consultation, filters) if filters else "",
                           refresh=REFRESH_SECONDS, on_disk=file_path(job) is not None,
                           moderated=moderated_since(job) if job.status == "ready" else 0,
                           retention=current_app.config["EXPORT_RETENTION_HOURS"]), 200


@bp.post("/exports/<int:job_id>/download")
@role_required("office")
def export_download(consultation_id: int, job_id: int):
    """The file of a ready export job (a POST, with its CSRF token: the archive's download is audited, as when it
    was given at once)."""
    consultation, job = _export_job(consultation_id, job_id)
    path = file_path(job)
    try:
        opened = path.open("rb") if path is not None else None  # open: the expiry may delete it meanwhile
    except FileNotFoundError:
        opened = None
    if opened is None:
        flash_message(_l("这个文件已经删除或还没有准备好，请重新生成。"), "error")
        return redirect(url_for("digests.export", consultation_id=consultation.id, job_id=job.id), code=303)
    record_export_download(job, consultation, current_user)  # an archive, a digest with contacts
    db.session.commit()
    response = send_file(opened, mimetype=kinds()[job.kind].mimetype, as_attachment=True,
                         download_name=job_filename(job, consultation),
                         conditional=False, etag=False, max_age=0)
    name_download(response, job_filename(job, consultation), job_filename(job, consultation, ascii=True))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/exports/<int:job_id>/again")
@role_required("office")
def export_again(consultation_id: int, job_id: int):
    """Ask for a job's file again (the same kind and options): after a failure, once it was deleted, or with the
    comments received since."""
    consultation, job = _export_job(consultation_id, job_id)
    if read_options(job)[0]:  # commenters' contacts: confirmed again, as the first time
        return redirect(url_for("digests.download", consultation_id=consultation.id, fmt=job.kind)
                        + "?" + job.options, code=303)
    return _queued(consultation, job.kind, job.options)


@bp.get("/attachments/<int:attachment_id>")
@role_required("office")
def attachment(consultation_id: int, attachment_id: int):
    """A file sent with one of the consultation's comments, for its office."""
    consultation = get_managed_consultation(consultation_id)
    return staff_download(attachment_id, consultation.id)
