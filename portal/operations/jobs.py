"""Scheduled jobs (定时任务): what must happen on the clock without anyone asking.

A consultation closes at its deadline by itself (its pages show the closing summary from that moment), but the
drafting office hears of it, the followers are reminded, digests go out and old personal data is erased only
when something runs. ``flask jobs run --loop`` is that something: one service instead of a crontab, run beside
the web workers (``./start.sh`` starts it). Each job can still be run alone from cron by its own command.

Several schedulers may run at once, on several hosts: a scheduler runs a job only after claiming it with a
conditional UPDATE of the job's row (``started_at`` at least one interval old), so each job runs once per
interval wherever it runs; the jobs themselves are safe to run twice anyway. A job that fails is rolled back,
recorded with its error (shown on the status page, ``/admin/status``) and tried again at its next interval; the
other jobs still run.
"""
from __future__ import annotations

import functools
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select, update

from portal.core.statements import insert_for
from portal.core.workers import host_and_pid, runner_id
from portal.core.time import now
from portal.extensions import db
from portal.operations.models import JobRun, WorkerBeat


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    title: object  # lazy text: what the job does, for the status page
    command: str  # the command that does the same once (from cron or by hand)
    work: Callable[[], dict]  # does the job, commits; returns what it did (counts) for the status page
    describe: Callable[[dict], str]  # those counts as a sentence, in the reader's language


def _close_due() -> dict:
    from portal.consultations.services import close_due_consultations, remind_followers

    closed = close_due_consultations()
    db.session.commit()
    reminded = remind_followers()
    db.session.commit()
    return {"closed": len(closed), "reminded": len(reminded)}


def _remind_feedback() -> dict:
    from portal.responses.reminders import remind_feedback_due

    reminded = remind_feedback_due()
    db.session.commit()
    return {"reminded": len(reminded)}


def _digests() -> dict:
    from portal.routing.digests import queue_due_digests

    queued, _skipped = queue_due_digests()
    return {"queued": queued}


def _erase_old_mail() -> dict:
    from portal.mail.retention import erase_old_mail

    days = current_app.config["MAIL_RETENTION_DAYS"]
    erased = erase_old_mail(days)
    db.session.commit()
    return {"erased": erased, "days": days}


def _erase_contacts() -> dict:
    from portal.comments.retention import erase_old_contacts_recorded

    days = current_app.config["CONTACT_RETENTION_DAYS"]
    erased = erase_old_contacts_recorded(days, "scheduler")
    db.session.commit()
    return {"erased": sum(erased.values()), "consultations": len(erased), "days": days}


def _remind_attendees() -> dict:
    from portal.meetings.services import remind_attendees

    queued = remind_attendees()
    db.session.commit()
    return {"queued": queued}


def _fetch_mail() -> dict:
    from portal.office.mailbox import fetch_due_mailboxes

    return fetch_due_mailboxes()  # commits each mailbox's messages itself


def _read_attachments() -> dict:
    from portal.comments.attachment_text import read_new_attachments

    return read_new_attachments(limit=current_app.config["ATTACHMENT_TEXT_BATCH"])


def _build_exports() -> dict:
    from portal.digests.exports import build_exports

    return build_exports(runner_id(), limit=EXPORTS_A_RUN)  # commits each job itself


def _expire_exports() -> dict:
    from portal.digests.exports import expire_exports

    return expire_exports()


# export jobs one scheduled run builds at most (the other jobs wait meanwhile; `digests export --loop` has no limit)
EXPORTS_A_RUN = 5


def _kept_for_ever(counts: dict) -> str | None:
    return _("保留期限为 0：不清除。") if counts.get("days", 0) <= 0 else None


JOBS: tuple[Job, ...] = (
    Job("close-due", timedelta(minutes=1), _l("结束到期的征求意见，通知起草单位；提醒关注者"),
        "flask --app wsgi consultations close-due", _close_due,
        lambda c: _("结束 %(closed)s 项，提醒 %(reminded)s 项。", closed=c.get("closed", 0),
                    reminded=c.get("reminded", 0))),
    Job("read-attachments", timedelta(minutes=1), _l("读出意见附件中的文字"),
        "flask --app wsgi comments read-attachments", _read_attachments,
        lambda c: _("读出 %(read)s 个附件的文字，%(unreadable)s 个没有可读的文字。", read=c.get("read", 0),
                    unreadable=c.get("unreadable", 0))),
    Job("fetch-mail", timedelta(minutes=5), _l("收取起草单位设置的邮箱，录入电子邮件收到的意见"),
        "flask --app wsgi comments fetch-mail", _fetch_mail,
        lambda c: _("收取 %(mailboxes)s 个邮箱，录入 %(recorded)s 封，%(failed)s 个没有收取成功。",
                    mailboxes=c.get("mailboxes", 0), recorded=c.get("recorded", 0), failed=c.get("failed", 0))),
    Job("digests", timedelta(minutes=5), _l("发送到期的意见汇总邮件"),
        "flask --app wsgi mail digests", _digests,
        lambda c: _("排队 %(n)s 份意见汇总邮件。", n=c.get("queued", 0))),
    Job("meeting-reminders", timedelta(minutes=5), _l("提醒已确定参加座谈会、听证会的人"),
        "flask --app wsgi meetings remind", _remind_attendees,
        lambda c: _("排队 %(n)s 封会议提醒邮件。", n=c.get("queued", 0))),
    Job("feedback-reminders", timedelta(hours=1), _l("提醒截止满30天仍未公布意见采纳情况的起草单位"),
        "flask --app wsgi consultations remind-feedback", _remind_feedback,
        lambda c: _("提醒 %(n)s 项征求意见的起草单位。", n=c.get("reminded", 0))),
    Job("erase-old-mail", timedelta(days=1), _l("清除超过保留期限的邮件内容"),
        "flask --app wsgi mail erase-old", _erase_old_mail,
        lambda c: _kept_for_ever(c) or _("清除 %(n)s 封邮件的收件人和内容。", n=c.get("erased", 0))),
    Job("erase-contacts", timedelta(days=1), _l("清除超过保留期限的意见联系方式"),
        "flask --app wsgi comments erase-contacts", _erase_contacts,
        lambda c: _kept_for_ever(c) or _("清除 %(n)s 条意见的联系方式。", n=c.get("erased", 0))),
    Job("exports", timedelta(minutes=1), _l("生成起草单位要下载的大文件（意见汇总、批注版、意见附件、归档材料包）"),
        "flask --app wsgi digests export", _build_exports,
        lambda c: _("生成 %(built)s 个文件，%(failed)s 个没有生成成功。", built=c.get("built", 0), failed=c.get("failed", 0))),
    Job("expire-exports", timedelta(hours=1), _l("删除超过保存期限的导出文件"),
        "flask --app wsgi digests expire-exports", _expire_exports,
        lambda c: _("删除 %(n)s 个导出文件。", n=c.get("expired", 0) + c.get("left", 0))),
)


def _ensure_rows() -> None:
    """A row for each job (the first scheduler writes them; two at once: one insert wins, the other is ignored)."""
    known = set(db.session.scalars(select(JobRun.name)))
    missing = [job.name for job in JOBS if job.name not in known]
    if missing:
        table = JobRun.__table__
        insert = insert_for(db.engine.dialect.name)
        db.session.execute(insert(table).on_conflict_do_nothing(index_elements=["name"]),
                           [{"name": name} for name in missing])
    db.session.commit()


def _claim(job: Job, at: datetime, runner: str) -> bool:
    """Take this interval's run of ``job``: true for exactly one of the schedulers asking."""
    claimed = db.session.execute(
        update(JobRun)
        .where(JobRun.name == job.name, or_(JobRun.started_at.is_(None), JobRun.started_at <= at - job.every))
        .values(started_at=at, outcome="running", claimed_by=runner)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    db.session.commit()
    return claimed


def _outcome(counts: dict | None, error: str | None) -> dict:
    """The columns that record how a run ended: its counts, or its error (the last failure is kept after a
    later success)."""
    values = {"finished_at": now(), "outcome": "failed" if error else "ok"}
    if error:
        values.update(failed_at=values["finished_at"], error=error[-4000:])
    else:
        values["counts"] = counts
    return values


def _finish(job: Job, runner: str, counts: dict | None, error: str | None) -> None:
    db.session.execute(update(JobRun).where(JobRun.name == job.name, JobRun.claimed_by == runner)
                       .values(**_outcome(counts, error)).execution_options(synchronize_session=False))
    db.session.commit()


@dataclass
class Ran:
    job: Job
    counts: dict | None
    error: str | None

    @property
    def did_something(self) -> bool:
        return any(value for key, value in (self.counts or {}).items() if key != "days")


def run_due_jobs(runner: str | None = None) -> list[Ran]:
    """Run every job whose interval has passed since its last run (by any scheduler). Returns what ran."""
    runner = runner or runner_id()
    _ensure_rows()
    ran = []
    for job in JOBS:
        if not _claim(job, now(), runner):
            continue
        try:
            counts, error = job.work(), None
        except Exception:  # noqa: BLE001 - one failing job must not stop the others; it is recorded and retried
            db.session.rollback()
            current_app.logger.exception("scheduled job %s failed", job.name)
            counts, error = None, traceback.format_exc()
        _finish(job, runner, counts, error)
        ran.append(Ran(job, counts, error))
    return ran


def recorded(name: str):
    """For the command that does job ``name`` once (from cron or by hand): its run is recorded as the
    scheduler's are, so that the status page knows the job runs whichever way it is run."""
    def wrap(command):
        @functools.wraps(command)
        def run(*args, **kwargs):
            started = now()
            try:
                result = command(*args, **kwargs)
            except Exception:
                _record_run(name, started, traceback.format_exc())
                raise
            _record_run(name, started, None)
            return result

        return run

    return wrap


def _record_run(name: str, started: datetime, error: str | None) -> None:
    db.session.rollback()
    _ensure_rows()
    db.session.execute(update(JobRun).where(JobRun.name == name)
                       .values(**{"started_at": started, "claimed_by": runner_id(), "counts": None, **_outcome(None, error)})
                       .execution_options(synchronize_session=False))
    db.session.commit()


# -- workers' signs of life ----------------------------------------------------------------------------------

BEAT_EVERY = timedelta(seconds=30)  # at most one write a worker per this long
FORGET_AFTER = timedelta(days=7)  # a worker not seen this long is forgotten (its row deleted)


class Heartbeat:
    """A background worker's sign of life: ``beat()`` at each pass of its loop writes ``seen_at`` at most once a
    ``BEAT_EVERY`` (the throttle is this object's: one per process, nothing shared between workers)."""

    def __init__(self, kind: str):
        self.kind = kind
        self.host, self.pid = host_and_pid()
        self.id = f"{kind}:{runner_id()}"
        self.last: datetime | None = None

    def beat(self) -> None:
        at = now()
        if self.last is not None and at - self.last < BEAT_EVERY:
            return
        statement = insert_for(db.engine.dialect.name)(WorkerBeat.__table__).values(
            id=self.id, kind=self.kind, host=self.host, pid=self.pid, started_at=at, seen_at=at)
        db.session.execute(statement.on_conflict_do_update(index_elements=["id"], set_={"seen_at": at}))
        if self.last is None:  # once per process: forget the workers gone for a week
            db.session.execute(delete(WorkerBeat).where(WorkerBeat.seen_at < at - FORGET_AFTER))
        db.session.commit()
        self.last = at
