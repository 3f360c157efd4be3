"""What the status page reads besides the queues: each scheduled job's last run, and each background worker's
last sign of life. Both live in the database, not in a process, so that every web worker on every host shows
the same thing."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.time import UTCDateTime
from portal.extensions import db


class JobRun(db.Model):
    """One row per scheduled job (portal/operations/jobs.py): its last run. A scheduler claims a run by moving
    ``started_at`` forward with a conditional UPDATE, so two schedulers (two hosts) never run a job twice in
    one interval."""

    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(10))  # running, ok, failed
    counts: Mapped[dict | None] = mapped_column(JSON)  # what the last run did, for its line on the status page
    # host:pid:token of the scheduler that ran it (runner_id)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the last failure, kept after a success
    error: Mapped[str | None] = mapped_column(Text)


class WorkerBeat(db.Model):
    """A background worker's last sign of life (mail, search, grouping, scheduler), at most one write a
    ``BEAT_EVERY`` per process."""

    __tablename__ = "worker_beats"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)  # kind:host:pid:token
    kind: Mapped[str] = mapped_column(String(20))
    host: Mapped[str] = mapped_column(String(100))
    pid: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
