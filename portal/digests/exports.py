"""Export jobs (导出任务): the digest, archive or files ZIP of a large consultation is built by a worker, not in the web
request.

Up to ``EXPORT_INLINE_MAX`` comments received, the office's buttons give the file at once, as always. Above it, the
button asks for an export job (``request_export``: the same job while one waits or is being built) and the office is
shown a page that refreshes itself until the file is ready. A worker (``flask digests export [--loop]``, and the
scheduler's ``exports`` job every minute) claims each job with a conditional UPDATE (``claim_next``: exactly one of
the workers asking gets it), builds the file under ``<instance>/exports`` (mode 0600, written as ``.part`` and renamed
once whole), then marks it ready with the moment whose data it holds. A worker killed mid-build leaves its job
``running``; after ``STALE_AFTER`` another pass takes it again (at most ``MAX_ATTEMPTS`` times, then it is failed). A
failure is logged and recorded with its technical reason for the administrators' status page; the office is told in
plain words that the file could not be prepared, and may ask again. The file is served only to the staff who may
download the consultation's exports (the same check as the buttons; the download of an archive, of the commenters'
files or of contacts audited as before) and deleted ``EXPORT_RETENTION_HOURS`` after it was built (the scheduler's
``expire-exports`` job), or at once when a comment it holds is taken out of what it shows (``outdate_exports``); the
job rows themselves are deleted ``JOBS_KEPT_FOR`` after they finished (expired or failed).

The ZIP of the commenters' files (``attachments``) is built by the worker when more than ``EXPORT_INLINE_MAX``
comments sent files, or when the files weigh more than ``INLINE_BYTES_PER_COMMENT`` for each of those comments
(``attachments_built_by_worker``): its cost is the bytes compressed more than the rows. The annotated draft (批注版,
``annotated``) is built by the worker above ``EXPORT_INLINE_MAX`` comments (of those the filters give), as a digest.

A comment withdrawn by its commenter, or whose personal information a moderator masked, must not stay in a file
handed out afterwards (the commenter took it back; the numbers were not to be kept in full): in the
same transaction ``outdate_exports`` expires the consultation's ready files (their page says the file was out of
date and offers to prepare it again; expire-exports deletes them) and sends a job waiting or being built back to the
queue, so that a build that may have read the comment is never marked ready (its worker finds the job no longer its
own and deletes what it wrote). New comments expire nothing: the page says the moment whose data the file holds.
Nor do hiding and marking spam, which moderators of a large consultation do all day (each would have sent the build
under way back to the queue): the page says how many comments were hidden or marked spam since (``moderated_since``).
"""
from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from flask import current_app
from sqlalchemy import case, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from portal.comments.models import Comment, comment_received
from portal.consultations.models import Consultation
from portal.core.official_docx import DOCX
from portal.core.time import now
from portal.digests.models import ExportJob
from portal.extensions import db

STALE_AFTER = timedelta(minutes=30)  # a job running longer than this lost its worker: another pass takes it again
MAX_ATTEMPTS = 3  # builds begun of one job; a job whose every build was cut short is failed
REFRESH_SECONDS = 10  # the waiting page reloads itself this often
WAITING = ("pending", "running")
# the files ZIP is built in the request up to EXPORT_INLINE_MAX times this many bytes (100 MiB at 5,000): an
# estimate (not measured in bench/) of what reading and deflating take in the seconds the archive of as many comments
# takes; one setting, so that PORTAL_EXPORT_INLINE_MAX=0 sends any file to the worker
INLINE_BYTES_PER_COMMENT = 20 * 1024
JOBS_KEPT_FOR = timedelta(days=30)  # a job expired or failed this long ago is deleted (the audit log keeps downloads)


@dataclass(frozen=True)
class Kind:
    extension: str
    mimetype: str


def kinds() -> dict[str, Kind]:
    from portal.digests.services import FORMATS

    found = {fmt: Kind(fmt, mimetype) for fmt, (mimetype, _write) in FORMATS.items()}
    found["archive"] = Kind("zip", "application/zip")
    found["attachments"] = Kind("zip", "application/zip")  # every file sent with the comments
    found["annotated"] = Kind("docx", DOCX)  # the draft with each comment a Word comment (批注版: annotated.py)
    return found


OPTIONLESS = ("archive", "attachments")  # the kinds that are one file of the consultation (no filters, no contacts)


def received_count(consultation: Consultation) -> int:
    """The comments a full digest of the consultation holds (spam and withdrawn ones left out)."""
    return db.session.scalar(select(func.count()).select_from(Comment).where(comment_received(consultation.id))) or 0


def built_by_worker(consultation: Consultation, filters=None, received: int | None = None) -> bool:
    """Whether the consultation's digests and archive (or the digest of the comments ``filters`` give) are too large
    to build in the request (``EXPORT_INLINE_MAX``); ``received``: the comments received (received_count), when the
    caller counted them already."""
    if filters is not None:
        from portal.responses.services import filtered_count

        return filtered_count(consultation, filters) > current_app.config["EXPORT_INLINE_MAX"]
    if received is None:
        received = received_count(consultation)
    return received > current_app.config["EXPORT_INLINE_MAX"]


def attachments_built_by_worker(consultation: Consultation, totals: tuple[int, int, int] | None = None) -> bool:
    """Whether the ZIP of the files sent with the consultation's comments is too large to build in the request
    (``totals``: its attachment_totals, when the caller read them already)."""
    from portal.digests.services import attachment_totals

    _files, comments, size = totals or attachment_totals(consultation)
    return too_many_files(comments, size, current_app.config["EXPORT_INLINE_MAX"])


def too_many_files(comments: int, size: int, inline_max: int) -> bool:
    """More than ``inline_max`` comments with files, or more bytes than ``inline_max`` times
    ``INLINE_BYTES_PER_COMMENT`` (0: any file at all)."""
    return comments > inline_max or size > inline_max * INLINE_BYTES_PER_COMMENT


def digest_options(with_contacts: bool, filters) -> str | None:
    """A digest's options as the job keeps them: the filters' query arguments, and contacts=1 (None: neither)."""
    arguments = sorted((filters.args(page=1) if filters is not None else {}).items())
    arguments = [(key, value) for key, value in arguments if key != "order"]  # the order does not narrow it
    if with_contacts:
        arguments.append(("contacts", 1))
    return urlencode(arguments) or None


def read_options(job: ExportJob):
    """(with contacts, filters or None) of a digest job."""
    from werkzeug.datastructures import MultiDict

    from portal.responses.filters import parse_filters

    arguments = MultiDict(parse_qsl(job.options or ""))
    filters = parse_filters(arguments)
    return arguments.get("contacts") == "1", (filters if filters.active else None)


def job_filename(job: ExportJob, consultation: Consultation, ascii: bool = False) -> str:
    """The name the office's browser saves the file under, as when it was given at once (``ascii``: its ASCII
    twin)."""
    from portal.digests.annotated import annotated_filename
    from portal.digests.archive import archive_filename
    from portal.digests.services import attachments_filename, digest_filename

    if job.kind == "archive":
        return archive_filename(consultation, ascii=ascii)
    if job.kind == "attachments":
        return attachments_filename(consultation, ascii=ascii)
    with_contacts, filters = read_options(job)
    if job.kind == "annotated":
        return annotated_filename(consultation, filtered=filters is not None, ascii=ascii)
    return digest_filename(consultation, job.kind, with_contacts, filtered=filters is not None, ascii=ascii)


def recent_exports(consultation: Consultation, limit: int = 10) -> list[ExportJob]:
    """The consultation's export jobs whose file is waiting, ready or failed (not deleted yet), newest first: listed
    on the responses page, so that the office finds a file it asked for earlier without asking again."""
    return db.session.scalars(select(ExportJob).where(ExportJob.consultation_id == consultation.id,
                                                      ExportJob.status != "expired")
                              .order_by(ExportJob.id.desc()).limit(limit)).all()


def exports_folder() -> Path:
    """``<instance>/exports``, owner-only (0700): the files hold every opinion, an archive the commenters' files."""
    from portal.backup.services import private_folder

    folder = Path(current_app.instance_path) / "exports"
    private_folder(folder, own=True)
    return folder


def request_export(consultation: Consultation, kind: str, user, options: str | None = None) -> ExportJob:
    """The job waiting or being built for ``kind`` of the consultation with these ``options`` (``digest_options``),
    else a new one (flushed). Two requests at once give one job: a unique index holds one waiting job a file,
    options and consultation."""
    if kind not in kinds() or (kind in OPTIONLESS and options):
        raise ValueError(f"unknown export {kind!r} {options!r}")
    key = hashlib.sha256(options.encode()).hexdigest() if options else ""
    waiting = _waiting(consultation.id, kind, key)
    if waiting is not None:
        return waiting
    job = ExportJob(consultation_id=consultation.id, kind=kind, options=options, options_key=key, status="pending",
                    requested_by_id=getattr(user, "id", None), requested_at=now(), attempts=0)
    try:
        with db.session.begin_nested():
            db.session.add(job)
    except IntegrityError:  # another request put one in meanwhile
        return _waiting(consultation.id, kind, key)
    return job


def _waiting(consultation_id: int, kind: str, key: str) -> ExportJob | None:
    return db.session.scalar(select(ExportJob).where(ExportJob.consultation_id == consultation_id,
                                                     ExportJob.kind == kind, ExportJob.options_key == key,
                                                     ExportJob.status.in_(WAITING)))


def claim_next(runner: str) -> ExportJob | None:
    """Take the oldest job waiting (or left running by a worker gone for ``STALE_AFTER``) for ``runner``; committed.
    The conditional UPDATE succeeds for exactly one of the workers asking at once, on SQLite as on PostgreSQL."""
    at = now()
    stale = at - STALE_AFTER
    db.session.execute(  # cut short too often (each build killed the worker?): failed, with the reason
        update(ExportJob).where(ExportJob.status == "running", ExportJob.claimed_at < stale,
                                ExportJob.attempts >= MAX_ATTEMPTS)
        .values(status="failed", finished_at=at, error=f"生成了 {MAX_ATTEMPTS} 次都没有完成（生成文件的程序中途停止）。")
        .execution_options(synchronize_session=False))
    db.session.commit()  # never left open: on SQLite an UPDATE holds the write lock until the commit
    waiting = db.session.scalars(select(ExportJob.id).where(_takeable(stale)).order_by(ExportJob.id).limit(10)).all()
    for job_id in waiting:
        if take(job_id, runner, at):
            return db.session.get(ExportJob, job_id, populate_existing=True)
    db.session.commit()
    return None


def _takeable(stale):
    return or_(ExportJob.status == "pending", (ExportJob.status == "running") & (ExportJob.claimed_at < stale))


def take(job_id: int, runner: str, at) -> bool:
    """The compare-and-set: job ``job_id`` becomes ``runner``'s if it is still waiting (or still abandoned) as the
    UPDATE runs; false when another worker took it since it was seen waiting. Committed."""
    taken = db.session.execute(
        update(ExportJob).where(ExportJob.id == job_id, _takeable(at - STALE_AFTER))
        .values(status="running", claimed_by=runner, claimed_at=at, attempts=ExportJob.attempts + 1)
        .execution_options(synchronize_session=False)).rowcount == 1
    db.session.commit()
    return taken


def build_exports(runner: str, limit: int | None = None) -> dict:
    """Claim and build the jobs waiting, one after the other (at most ``limit``); returns what was done."""
    counts = {"built": 0, "failed": 0}
    while limit is None or counts["built"] + counts["failed"] < limit:
        job = claim_next(runner)
        if job is None:
            break
        counts["built" if build(job, runner) else "failed"] += 1
    return counts


def build(job: ExportJob, runner: str) -> bool:
    """Write the job's file (claimed by ``runner``), then mark it ready; a failure is logged and marks it failed with
    the technical reason (for the administrators' status page; the office's page says it plainly). Nothing the build
    writes to the database is kept (the audit entry of an archive or files waits for its download)."""
    job_id, kind = job.id, job.kind
    folder = exports_folder()
    name = f"{job_id}-{secrets.token_hex(8)}.{kinds()[kind].extension}"
    part = folder / f"{name}.part"
    built_at = now()  # the data the file holds is that of this moment
    try:
        consultation = db.session.get(Consultation, job.consultation_id)
        descriptor = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            comments, files = _write(consultation, job, out)
        db.session.rollback()
        os.replace(part, folder / name)
    except Exception as error:  # noqa: BLE001 - logged, and recorded on the job for the administrators
        db.session.rollback()
        part.unlink(missing_ok=True)
        current_app.logger.exception("export job %s failed", job_id)
        reason = (str(error).strip() or type(error).__name__)[:500]
        _finish(job_id, runner, status="failed", finished_at=now(), error=reason)
        return False
    size = (folder / name).stat().st_size
    if not _finish(job_id, runner, status="ready", path=name, size=size, built_at=built_at, finished_at=now(),
                   comments=comments, files=files, error=None):
        (folder / name).unlink(missing_ok=True)  # taken over meanwhile (this worker was thought gone): theirs counts
    return True


def _write(consultation: Consultation, job: ExportJob, out) -> tuple[int | None, int | None]:
    if job.kind == "archive":
        from portal.digests.archive import write_archive

        done = write_archive(consultation, out, None)
        return received_count(consultation), len(done.files)
    from portal.digests.services import build_digest, write_attachments_zip

    if job.kind == "attachments":  # None: audited when the office downloads it (record_export_download)
        return None, write_attachments_zip(consultation, out, None)  # the page says its files

    with_contacts, filters = read_options(job)
    if job.kind == "annotated":
        return _write_annotated(consultation, filters, out), None
    # None: the export of contacts is audited when the office downloads it (record_export_download)
    return build_digest(consultation, job.kind, out, None, with_contacts=with_contacts, filters=filters), None


def _write_annotated(consultation: Consultation, filters, out) -> int:
    """The annotated draft of the comments received (or of those ``filters`` give); refused above ANNOTATED_MAX (the
    view refuses to queue it, but comments may have come in since). Returns the comments it holds."""
    from portal.digests.annotated import annotated_document, comments_to_annotate
    from portal.drafts.services import load_tree
    from portal.responses.filters import ResponseFilters

    if consultation.current_draft is None:
        raise ValueError("the consultation has no draft to annotate")
    count = comments_to_annotate(consultation, filters or ResponseFilters())  # TooManyToAnnotate: the job failed
    load_tree(consultation.current_draft)
    out.write(annotated_document(consultation, filters))
    return count


def _finish(job_id: int, runner: str, **values) -> bool:
    finished = db.session.execute(
        update(ExportJob).where(ExportJob.id == job_id, ExportJob.status == "running", ExportJob.claimed_by == runner)
        .values(**values).execution_options(synchronize_session=False)).rowcount == 1
    db.session.commit()
    return finished


def file_path(job: ExportJob) -> Path | None:
    """The ready job's file, if it is on this host's disk."""
    if job.status != "ready" or not job.path:
        return None
    path = Path(current_app.instance_path) / "exports" / job.path
    return path if path.is_file() else None


def record_export_download(job: ExportJob, consultation: Consultation, actor) -> None:
    """A file built by the worker is audited when downloaded, as it was when given at once: an archive or the
    commenters' files (their number), a digest with contacts (its format, comments and filters); with the job and the
    moment whose data it holds."""
    from portal.audit.services import record_action

    built = {"job": job.id, "built_at": job.built_at.isoformat()}
    if job.kind == "attachments":
        record_action(actor, "export_attachments", consultation, consultation_id=consultation.id,
                      after={"files": job.files} | built, reason="下载意见附件")
        return
    if job.kind == "archive":
        record_action(actor, "export_archive", consultation, consultation_id=consultation.id,
                      after={"files": job.files} | built, reason="下载归档材料")
        return
    with_contacts, filters = read_options(job)
    if with_contacts:
        record_action(actor, "export_contacts", consultation, consultation_id=consultation.id,
                      after={"format": job.kind, "comments": job.comments} | built
                      | ({"filters": filters.args(page=1)} if filters else {}),
                      reason="导出含联系方式的意见汇总")


def outdate_exports(consultation_id: int) -> int:
    """A comment of the consultation was taken out of what its files show (withdrawn by its commenter, its
    personal information masked): its ready files are given no more (expired now, ``outdated_at`` set: their page
    says they were out of date; the next expire-exports deletes them), and its jobs waiting or being built go back to
    the queue, to be built from the data as they are after this change. A build under way loses its job (its worker's
    ``_finish`` finds the job no longer running as its own, and deletes what it wrote); its attempt is not counted
    against it. One UPDATE by the consultation's id (none when it has no export jobs), in the caller's transaction;
    on PostgreSQL it holds the rows it matched, a pending one included, until that transaction ends, so that no
    worker claims a job and reads the comments before the change is committed. Returns the jobs changed."""
    ready = ExportJob.status == "ready"
    running = ExportJob.status == "running"
    result = db.session.execute(
        update(ExportJob).where(ExportJob.consultation_id == consultation_id,
                                ExportJob.status.in_(("ready",) + WAITING))
        .values(status=case((ready, "expired"), else_="pending"),
                outdated_at=case((ready, now()), else_=ExportJob.outdated_at),
                claimed_by=case((ready, ExportJob.claimed_by), else_=None),
                claimed_at=case((ready, ExportJob.claimed_at), else_=None),
                attempts=case((running, ExportJob.attempts - 1), else_=ExportJob.attempts))
        .execution_options(synchronize_session=False))
    return result.rowcount


def moderated_since(job: ExportJob) -> int:
    """The consultation's comments hidden or marked spam after ``job``'s file was built (it holds them as they were:
    their page says so, and offers to prepare the file again)."""
    if job.built_at is None:
        return 0
    return db.session.scalar(select(func.count()).select_from(Comment).where(
        Comment.consultation_id == job.consultation_id, Comment.status.in_(("hidden", "spam")),
        Comment.moderated_at > job.built_at)) or 0


def expire_exports() -> dict:
    """Delete the files built more than ``EXPORT_RETENTION_HOURS`` ago (their jobs marked expired), and the pieces
    of files left by workers killed mid-build, and the jobs expired or failed more than ``JOBS_KEPT_FOR`` ago (the
    audit log keeps who downloaded what); committed."""
    at = now()
    cutoff = at - timedelta(hours=current_app.config["EXPORT_RETENTION_HOURS"])
    folder = exports_folder()
    expired = 0
    # and the files of jobs expired early (their contacts erased: comments/retention.py), not given since
    for job in db.session.scalars(select(ExportJob).where(or_(
            (ExportJob.status == "ready") & (ExportJob.built_at < cutoff),
            (ExportJob.status == "expired") & ExportJob.path.is_not(None)))):
        if job.path:
            (folder / job.path).unlink(missing_ok=True)
        job.status, job.path = "expired", None
        expired += 1
    db.session.commit()
    deleted = db.session.execute(  # finished (built, or failed) that long ago; their files deleted just above
        delete(ExportJob).where(ExportJob.status.in_(("expired", "failed")), ExportJob.path.is_(None),
                                ExportJob.finished_at < at - JOBS_KEPT_FOR)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    kept = set(db.session.scalars(select(ExportJob.path).where(ExportJob.status == "ready",
                                                               ExportJob.path.is_not(None))))
    left = 0
    for path in folder.iterdir():
        if path.name in kept or not path.is_file():
            continue
        ours = path.suffix == ".part" or path.name[:1].isdigit()  # <job id>-<random>.<extension>[.part]
        if ours and path.stat().st_mtime < (at - STALE_AFTER).timestamp():
            path.unlink(missing_ok=True)  # a worker killed mid-build, or a file whose job is gone
            left += 1
    return {"expired": expired, "left": left, "deleted": deleted}
