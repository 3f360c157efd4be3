"""What the status page (/admin/status) shows: is each queue being worked off, is each background worker alive,
did each scheduled job run. Everything is read from the database, so every web worker shows the same page.

A queue is late when its oldest item has waited longer than ``LATE``: the worker that empties it is stopped or
cannot keep up; the page then names the command to start. Nothing here changes anything.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.comments.models import Comment, CommentAttachment
from portal.consultations.models import Consultation
from portal.core.time import now
from portal.digests.models import ExportJob
from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.operations.jobs import JOBS, Job
from portal.operations.models import JobRun, WorkerBeat
from portal.routing.models import RoutingQueueItem
from portal.search.models import SearchQueueItem

LATE = timedelta(minutes=5)  # a queue whose oldest item waited longer is shown as late
STALLED = timedelta(minutes=30)  # a job marked running this long was interrupted (its process killed, say)
ALIVE = timedelta(minutes=2)  # a worker seen within this is running (it beats every 30 s, portal/operations/jobs.py)

WORKERS = {  # kind → what it is and how it is started
    "mail": (_l("发信程序"), "flask --app wsgi mail deliver --loop"),
    "search": (_l("搜索索引程序"), "flask --app wsgi search work --loop"),
    "grouping": (_l("同文意见比对程序"), "flask --app wsgi moderation group --loop"),
    "scheduler": (_l("定时任务程序"), "flask --app wsgi jobs run --loop"),
}


@dataclass
class Backlog:
    key: str
    title: object
    count: int
    oldest: datetime | None  # when the oldest item began to wait
    worker: str  # the WORKERS kind that works it off
    late: bool


@dataclass
class WorkerState:
    kind: str
    title: object
    command: str
    seen: list[WorkerBeat]  # the processes seen within ALIVE
    last_seen: datetime | None  # the last sign of any process of this kind


@dataclass
class JobState:
    job: Job
    run: JobRun | None
    overdue: bool  # not started for three intervals and 10 minutes: neither a scheduler nor cron runs it
    running_for: timedelta | None = None  # since its run started, while it is marked running
    stalled: bool = False  # marked running for longer than any run takes: its process was likely stopped


def _backlog(key, title, worker, query, at) -> Backlog:
    count, oldest = db.session.execute(query).one()
    return Backlog(key, title, count or 0, oldest, worker, oldest is not None and at - oldest > LATE)


def backlogs(at: datetime | None = None) -> list[Backlog]:
    at = at or now()
    return [
        _backlog("routing", _l("等待生成邮件的新意见"), "mail",
                 select(func.count(), func.min(Comment.created_at)).select_from(RoutingQueueItem)
                 .join(Comment, Comment.id == RoutingQueueItem.comment_id)
                 .where(RoutingQueueItem.last_error.is_(None)), at),  # not those whose routing failed: below
        _backlog("outbox", _l("到时待发的邮件"), "mail",
                 select(func.count(), func.min(OutboxMessage.next_attempt_at))
                 .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= at), at),
        _backlog("search", _l("等待更新搜索索引的内容"), "search",
                 select(func.count(), func.min(SearchQueueItem.enqueued_at)), at),
        _backlog("grouping", _l("等待比对同文意见的新意见"), "grouping",
                 select(func.count(), func.min(Comment.created_at)).where(Comment.grouped_at.is_(None)), at),
        _backlog("attachments", _l("等待读出文字的意见附件"), "scheduler",
                 select(func.count(), func.min(CommentAttachment.created_at))
                 .where(CommentAttachment.text_read_at.is_(None)), at),
        _backlog("exports", _l("等待生成的导出文件（意见汇总、批注版、意见附件、归档材料包）"), "scheduler",
                 select(func.count(), func.min(ExportJob.requested_at)).where(ExportJob.status == "pending"), at),
        _backlog("closing", _l("已过截止时间、尚未结束的征求意见"), "scheduler",
                 select(func.count(), func.min(Consultation.deadline)).where(
                     Consultation.published_at.is_not(None), Consultation.finalised_at.is_(None),
                     Consultation.deadline < at), at),
    ]


def failed_mail_count() -> int:
    return db.session.scalar(select(func.count()).where(OutboxMessage.status == "failed")) or 0


@dataclass
class Retrying:
    count: int
    last_error: str | None  # the error of the message that failed last: usually the mail server's answer


def retrying_mail() -> Retrying:
    """Mail waiting to be tried again after a failed attempt, and the last error: a failure about the message (a
    busy mailbox), or the server taking no mail at all (down, login or sender refused), which counts no attempt."""
    waiting = (OutboxMessage.status == "pending", OutboxMessage.last_error.is_not(None))
    count = db.session.scalar(select(func.count()).where(*waiting)) or 0
    error = db.session.scalar(select(OutboxMessage.last_error).where(*waiting, OutboxMessage.last_error.is_not(None))
                              .order_by(OutboxMessage.next_attempt_at.desc()).limit(1)) if count else None
    return Retrying(count, error)


def retrying_routing() -> Retrying:
    """Comments whose mails could not be planned (routing failed: a fault in their data or the code), waiting to be
    tried again, and the last error."""
    waiting = (RoutingQueueItem.failed_at.is_(None), RoutingQueueItem.last_error.is_not(None))
    count = db.session.scalar(select(func.count()).select_from(RoutingQueueItem).where(*waiting)) or 0
    error = db.session.scalar(select(RoutingQueueItem.last_error).where(*waiting)
                              .order_by(RoutingQueueItem.next_attempt_at.desc()).limit(1)) if count else None
    return Retrying(count, error)


@dataclass
class RoutingFailed:
    count: int
    shown: list  # (RoutingQueueItem, Comment) of the latest, at most FAILED_SHOWN


FAILED_SHOWN = 50


def failed_routing() -> RoutingFailed:
    """Comments whose routing was given up after ROUTING_MAX_ATTEMPTS: they wait for an administrator's retry (the
    comments themselves are stored and shown as any other)."""
    given_up = RoutingQueueItem.failed_at.is_not(None)
    count = db.session.scalar(select(func.count()).select_from(RoutingQueueItem).where(given_up)) or 0
    shown = db.session.execute(
        select(RoutingQueueItem, Comment).join(Comment, Comment.id == RoutingQueueItem.comment_id).where(given_up)
        .order_by(RoutingQueueItem.failed_at.desc(), RoutingQueueItem.comment_id).limit(FAILED_SHOWN)
    ).all() if count else []
    return RoutingFailed(count, shown)


@dataclass
class ExportsFailed:
    count: int
    shown: list  # (ExportJob, Consultation) of the latest, at most FAILED_SHOWN
    days: int  # listed for this long (FAILED_EXPORTS_FOR)


FAILED_EXPORTS_FOR = timedelta(days=7)  # an export job failed longer ago than this is no longer listed


def failed_exports(at: datetime | None = None) -> ExportsFailed:
    """Export jobs (portal/digests/exports.py) that failed within ``FAILED_EXPORTS_FOR``, with their technical
    error: the office's page says only that the file could not be prepared, to try again or ask the administrator."""
    at = at or now()
    failed = (ExportJob.status == "failed", ExportJob.finished_at >= at - FAILED_EXPORTS_FOR)
    count = db.session.scalar(select(func.count()).select_from(ExportJob).where(*failed)) or 0
    shown = db.session.execute(
        select(ExportJob, Consultation).join(Consultation, Consultation.id == ExportJob.consultation_id)
        .where(*failed).order_by(ExportJob.finished_at.desc(), ExportJob.id.desc()).limit(FAILED_SHOWN)
    ).all() if count else []
    return ExportsFailed(count, shown, FAILED_EXPORTS_FOR.days)


def workers(at: datetime | None = None) -> list[WorkerState]:
    at = at or now()
    beats = db.session.scalars(select(WorkerBeat).order_by(WorkerBeat.host, WorkerBeat.pid)).all()
    states = []
    for kind, (title, command) in WORKERS.items():
        mine = [b for b in beats if b.kind == kind]
        states.append(WorkerState(kind, title, command, [b for b in mine if at - b.seen_at <= ALIVE],
                                  max((b.seen_at for b in mine), default=None)))
    return states


def jobs(at: datetime | None = None) -> list[JobState]:
    at = at or now()
    runs = {run.name: run for run in db.session.scalars(select(JobRun))}
    states = []
    for job in JOBS:
        run = runs.get(job.name)
        allowed = 3 * job.every + timedelta(minutes=10)  # room for cron running a job less often
        overdue = run is None or run.started_at is None or at - run.started_at > allowed
        running_for = at - run.started_at if run is not None and run.outcome == "running" and run.started_at else None
        states.append(JobState(job, run, overdue, running_for, running_for is not None and running_for > STALLED))
    return states
