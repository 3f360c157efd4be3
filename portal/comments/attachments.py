"""Files sent with a comment: checked, stored, listed, and read back for staff.

A commenter may send up to COMMENT_ATTACHMENTS_MAX files of up to COMMENT_ATTACHMENT_MAX_BYTES each with a
comment: a letter written in Word or as PDF or OFD, a table, a photo of a handwritten page. What a file is, is
found from its content, never from its name: a PDF begins with ``%PDF-``, a Word or Excel file of today (and an
OFD, China's fixed-layout format, GB/T 33190) is a ZIP holding the parts its kind must have, an older Word or
Excel file is an OLE compound file, a picture is JPEG or PNG, a text file decodes as UTF-8 or GB18030. Anything
else (a program, a web page, a file whose name says .pdf but whose content does not) is refused with a message
naming the file, and nothing of the comment is stored.

The files are not published: they may hold what a commenter would not put on a public page, and no moderator
reads every page of a PDF. The drafting office and moderators download them (``staff_download``: the office at
/office/consultations/ID/attachments/N, moderators at /moderation/attachments/N), the
contact and responsible units receive them with the comment's mail (portal/mail/worker.py), and the office's
ZIP of a consultation's files names each by its comment's receipt number (portal/digests).
"""
from __future__ import annotations

import hashlib
import io
import posixpath
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.comments.models import CommentAttachment
from portal.core.flash import chinese_part
from portal.core.statements import prepared, run
from portal.core.time import now
from portal.extensions import db

FIELD = "attachments"  # the form field's name
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# extension -> the content type a file of that name must have (its content decides: see kind_of)
KINDS = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".wps": "application/msword",  # WPS Office's own word-processor files are OLE compound files too
    ".et": "application/vnd.ms-excel",
    ".ofd": "application/ofd",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".txt": "text/plain",
}
ACCEPT = ",".join(KINDS)  # the file fields' accept attribute: the names the portal takes


class AttachmentRefused(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Upload:
    """A checked file, ready to be stored."""

    filename: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


def max_files() -> int:
    return current_app.config["COMMENT_ATTACHMENTS_MAX"]


def max_bytes() -> int:
    return current_app.config["COMMENT_ATTACHMENT_MAX_BYTES"]


def clean_filename(name: str | None) -> str:
    """The file's own name, without folders, control characters or characters that trouble a file system; cut to
    fit its column with its extension kept. Never empty."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/"))
    name = posixpath.basename(name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'[<>:"/|?*]', "_", name).strip().strip(".")
    if not name:
        name = "attachment"
    stem, dot, extension = name.rpartition(".")
    if len(name) > 120:
        name = (stem[: 120 - len(extension) - 1] + "." + extension) if dot and len(extension) <= 10 else name[:120]
    return name


def _zip_names(data: bytes) -> set[str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, RuntimeError):
        return None


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            data.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def kind_of(filename: str, data: bytes) -> str | None:
    """The content type of a file named ``filename`` when its content is what its name says and of a kind
    accepted; None otherwise."""
    extension = posixpath.splitext(filename.lower())[1]
    expected = KINDS.get(extension)
    if expected is None or not data:
        return None
    if extension == ".pdf":
        ok = data.startswith(b"%PDF-")
    elif extension in (".docx", ".xlsx", ".ofd"):
        names = _zip_names(data) if data.startswith(b"PK\x03\x04") else None
        part = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml", ".ofd": "OFD.xml"}[extension]
        ok = names is not None and part in names
    elif extension in (".doc", ".xls", ".wps", ".et"):
        ok = data.startswith(OLE)
    elif extension in (".jpg", ".jpeg"):
        ok = data.startswith(b"\xff\xd8\xff")
    elif extension == ".png":
        ok = data.startswith(b"\x89PNG\r\n\x1a\n")
    else:
        ok = _is_text(data)
    return expected if ok else None


def check_uploads(files) -> list[Upload]:
    """The files of a posted form (werkzeug FileStorage objects; empty file inputs are skipped), checked; raises
    AttachmentRefused with a message naming the first file refused."""
    chosen = [file for file in files if file is not None and (file.filename or "").strip()]
    if len(chosen) > max_files():
        raise AttachmentRefused(_l("最多可以上传 %(n)s 个附件，您选择了 %(chosen)s 个。", n=max_files(), chosen=len(chosen)))
    uploads = []
    for file in chosen:
        filename = clean_filename(file.filename)
        data = file.read(max_bytes() + 1)
        content_type, refused = checked_kind(filename, data)
        if refused == TOO_LARGE:
            raise AttachmentRefused(_l("附件“%(name)s”超过了 %(mb)s MB，请压缩或分成几个文件后再上传。",
                                       name=chinese_part(filename), mb=megabytes(max_bytes())))
        if refused == EMPTY:
            raise AttachmentRefused(_l("附件“%(name)s”是空文件。", name=chinese_part(filename)))
        if refused == NOT_ACCEPTED:
            raise AttachmentRefused(_l("附件“%(name)s”不是可以接收的文件。只能上传 PDF、Word、Excel、WPS、OFD、JPG、PNG 或 "
                                       "TXT 文件，且文件内容要与扩展名相符。", name=chinese_part(filename)))
        uploads.append(Upload(filename, content_type, data))
    return uploads


EMPTY, TOO_LARGE, NOT_ACCEPTED = "empty", "too_large", "not_accepted"


def checked_kind(filename: str, data: bytes) -> tuple[str | None, str | None]:
    """(its content type, None) for a file a comment may carry; (None, why not) for another: EMPTY, TOO_LARGE (beyond
    COMMENT_ATTACHMENT_MAX_BYTES) or NOT_ACCEPTED (a kind not taken, or content not matching its name)."""
    if not data:
        return None, EMPTY
    if len(data) > max_bytes():
        return None, TOO_LARGE
    content_type = kind_of(filename, data)
    return (content_type, None) if content_type is not None else (None, NOT_ACCEPTED)


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:g}"


@prepared
def _insert_statement(_dialect):
    return CommentAttachment.__table__.insert()


def store_uploads(comment_id: int, uploads: list[Upload]) -> None:
    """Store ``uploads`` as the files of comment ``comment_id``, in the caller's transaction (a submission's own,
    core.statements.own_transaction, or the session's)."""
    if not uploads:
        return
    at = now()
    run(_insert_statement(), [
        dict(comment_id=comment_id, position=position, filename=upload.filename, content_type=upload.content_type,
             size=upload.size, sha256=hashlib.sha256(upload.data).hexdigest(), data=upload.data, created_at=at)
        for position, upload in enumerate(uploads)
    ])


def attachments_of(comment_ids) -> dict[int, list[CommentAttachment]]:
    """The files of each of ``comment_ids`` (their data not loaded), in the order they were chosen; one query."""
    ids = list(comment_ids)
    found: dict[int, list[CommentAttachment]] = {}
    if not ids:
        return found
    rows = db.session.scalars(select(CommentAttachment).where(CommentAttachment.comment_id.in_(ids))
                              .order_by(CommentAttachment.comment_id, CommentAttachment.position))
    for attachment in rows:
        found.setdefault(attachment.comment_id, []).append(attachment)
    return found


def text_of_files_contains(text: str):
    """The condition (on Comment) that one of the comment's files holds ``text`` in the words read from it
    (portal/comments/attachment_text.py): staff's filters find a letter sent as a file by its words."""
    from sqlalchemy import exists

    from portal.comments.models import Comment

    return exists(select(CommentAttachment.id).where(
        CommentAttachment.comment_id == Comment.id, CommentAttachment.text.contains(text, autoescape=True)))


def attachment_counts(comment_ids) -> dict[int, int]:
    """The number of files of each of ``comment_ids`` that has any; one query."""
    ids = list(comment_ids)
    if not ids:
        return {}
    return dict(db.session.execute(
        select(CommentAttachment.comment_id, func.count()).where(CommentAttachment.comment_id.in_(ids))
        .group_by(CommentAttachment.comment_id)).all())


def files_with_data(comment_id: int) -> list[CommentAttachment]:
    """The files of one comment with their content (a mail to staff)."""
    from sqlalchemy.orm import undefer

    return list(db.session.scalars(
        select(CommentAttachment).options(undefer(CommentAttachment.data))
        .where(CommentAttachment.comment_id == comment_id).order_by(CommentAttachment.position)))


def mail_carries(files) -> bool:
    """Whether a comment's files fit in its mail to staff (MAIL_ATTACHMENTS_MAX_BYTES together)."""
    return sum(file.size for file in files) <= current_app.config["MAIL_ATTACHMENTS_MAX_BYTES"]


def staff_download(attachment_id: int, consultation_id: int | None = None):
    """The response that hands a file to staff (the caller has checked who asks): always a download, never shown
    in the page's origin, never cached; 404 when there is no such file (of that consultation, when named)."""
    from flask import abort
    from sqlalchemy.orm import undefer

    from portal.core.web import ascii_suffix, file_download

    from portal.comments.models import Comment

    row = db.session.execute(
        select(CommentAttachment, Comment.consultation_id).join(Comment, Comment.id == CommentAttachment.comment_id)
        .options(undefer(CommentAttachment.data)).where(CommentAttachment.id == attachment_id)).first()
    if row is None or (consultation_id is not None and row.consultation_id != consultation_id):
        abort(404)
    found = row.CommentAttachment
    return file_download(found.data, found.content_type, found.filename, private=True,
                         fallback=f"attachment-{found.id}{ascii_suffix(found.filename)}")


def size_label(size: int) -> str:
    """A file size as people read it: 820 KB, 3.4 MB."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / 1024 / 1024:.1f} MB"
