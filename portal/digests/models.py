"""Export jobs (导出任务): a large consultation's digest or archive built by a worker instead of in the web request
(portal/digests/exports.py)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.time import UTCDateTime
from portal.extensions import db


class ExportJob(db.Model):
    """One file asked for by the office: ``pending`` until a worker claims it (a conditional UPDATE, so that two
    workers never build one twice), ``running`` while it is built (retaken by another worker when it has been
    running longer than ``exports.STALE_AFTER``: its worker was killed), then ``ready`` (the file under the instance
    folder, ``path``) or ``failed`` (``error`` says why), and ``expired`` once its file is deleted after the
    retention, or at once when a comment it holds is taken out (withdrawn by its commenter, its personal
    information masked: ``exports.outdate_exports``; ``outdated_at`` then says when, and its page that it must be
    prepared again)."""

    __tablename__ = "export_jobs"
    __table_args__ = (
        Index("ix_export_jobs_consultation_kind", "consultation_id", "kind", "status"),
        # one job waiting or being built for each file of a consultation: asking twice at once gives the same job
        Index("uq_export_jobs_waiting", "consultation_id", "kind", "options_key", unique=True,
              sqlite_where=text("status IN ('pending', 'running')"),
              postgresql_where=text("status IN ('pending', 'running')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # archive, attachments, annotated, xlsx, docx, csv (kinds())
    # a digest's options as query arguments: the responses page's filters, contacts=1 (None: every comment, without
    # contacts); options_key: their SHA-256 ("" for none), unique among the jobs waiting
    options: Mapped[str | None] = mapped_column(Text)
    options_key: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # pending, running, ready, failed, expired
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(100))  # host:pid:token of the worker building it (runner_id)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    built_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the moment whose data the file holds
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    path: Mapped[str | None] = mapped_column(String(200))  # the file's name in <instance>/exports
    size: Mapped[int | None] = mapped_column(BigInteger)
    comments: Mapped[int | None]  # the comments it holds
    files: Mapped[int | None]  # the files an archive holds (its audit entry says it, as the download's did)
    error: Mapped[str | None] = mapped_column(Text)
    # when a comment the ready file held was taken out of what it shows (the job expired then, before its retention)
    outdated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
