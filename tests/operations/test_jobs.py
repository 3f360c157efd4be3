"""The scheduler (`flask jobs run`): each job runs once per interval however many schedulers run, a failing job
is rolled back and recorded while the others run, and the jobs do what their own commands do."""
import os
import threading

from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.comments.models import Comment
from portal.consultations.models import Consultation
from portal.core import workers
from portal.extensions import db
from portal.mail.worker import deliver_due
from portal.operations.jobs import JOBS, Heartbeat, _claim, _ensure_rows, _finish, run_due_jobs, runner_id
from portal.operations.models import JobRun, WorkerBeat
from tests.helpers import shanghai

CONTACT = "2019787574@qq.com"  # the address seed 003's notice gives for opinions


def run_jobs(app) -> str:
    result = app.test_cli_runner().invoke(args=["jobs", "run"])
    assert result.exit_code == 0, result.output
    return result.output


def test_at_the_deadline_the_scheduler_closes_and_the_office_hears_of_it(app, clock, office_consultation, smtp_server):
    consultation, _comments = office_consultation
    deliver_due()  # the comments' own mails, out of the way
    before = len(smtp_server.received)
    clock.set(shanghai(2023, 5, 12, 23, 59))
    assert "close-due：结束 0 项" in run_jobs(app)
    assert db.session.get(Consultation, consultation.id).finalised_at is None

    clock.set(shanghai(2023, 5, 13, 0, 0, 30))  # a minute later: past the deadline (5月12日 24:00)
    output = run_jobs(app)
    assert "close-due：结束 1 项，提醒 0 项。" in output
    assert "digests" not in output  # every 5 minutes: not due again yet
    db.session.expire_all()
    closed = db.session.get(Consultation, consultation.id)
    assert closed.finalised_at is not None and closed.closing_summary.startswith("截止到5月12日")
    deliver_due()
    assert CONTACT in [address for to, _m in smtp_server.received[before:] for address in to]

    assert run_jobs(app) == ""  # nothing is due again within its interval
    clock.advance(minutes=5)
    assert run_jobs(app).splitlines() == [
        "close-due：结束 0 项，提醒 0 项。", "read-attachments：读出 0 个附件的文字，0 个没有可读的文字。",
        "fetch-mail：收取 0 个邮箱，录入 0 封，0 个没有收取成功。",
        "digests：排队 0 份意见汇总邮件。", "meeting-reminders：排队 0 封会议提醒邮件。",
        "exports：生成 0 个文件，0 个没有生成成功。",
    ]
    clock.advance(days=1)
    assert len(run_jobs(app).splitlines()) == len(JOBS)


def test_schedulers_on_two_hosts_run_each_job_once(app, clock):
    clock.set(shanghai(2026, 3, 1, 9, 0))
    ran: dict[str, list[str]] = {}
    barrier = threading.Barrier(3)

    def scheduler(name):
        with app.app_context():
            barrier.wait()
            ran[name] = [r.job.name for r in run_due_jobs(runner=name) if not r.error]
            db.session.remove()

    threads = [threading.Thread(target=scheduler, args=(f"host-{n}:1",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every_run = sorted(name for names in ran.values() for name in names)
    assert every_run == sorted(job.name for job in JOBS)  # each job once, whichever scheduler took it
    rows = db.session.scalars(select(JobRun)).all()
    assert {row.name: row.outcome for row in rows} == {job.name: "ok" for job in JOBS}
    assert all(row.claimed_by in ran for row in rows)


def test_a_failing_job_is_rolled_back_recorded_and_tried_again(app, clock, office_consultation, monkeypatch, client,
                                                              make_user, login):
    consultation, _comments = office_consultation
    clock.set(shanghai(2023, 5, 13, 9, 0))

    def half_done_then_broken(notify=True):
        db.session.get(Consultation, consultation.id).closing_summary = "写了一半"
        db.session.flush()
        raise RuntimeError("数据库连接中断")

    monkeypatch.setattr("portal.consultations.services.close_due_consultations", half_done_then_broken)
    result = app.test_cli_runner().invoke(args=["jobs", "run"])
    assert result.exit_code == 0
    assert "close-due：失败（RuntimeError: 数据库连接中断）" in result.output
    assert "digests：排队 0 份" in result.output  # the other jobs still ran
    db.session.expire_all()
    assert db.session.get(Consultation, consultation.id).closing_summary is None  # nothing half-written stays
    row = db.session.get(JobRun, "close-due")
    assert row.outcome == "failed" and "RuntimeError: 数据库连接中断" in row.error

    make_user("admin")
    login("admin@example.gov.cn")
    page = client.get("/admin/status").get_data(as_text=True)
    assert "失败</strong> <code>RuntimeError: 数据库连接中断</code>" in page

    monkeypatch.undo()
    clock.advance(minutes=1)
    assert "close-due：结束 1 项" in run_jobs(app)
    page = client.get("/admin/status").get_data(as_text=True)
    assert "完成：结束 1 项，提醒 0 项。" in page and "上次失败：" in page


def test_the_erasing_jobs_keep_to_the_retention_periods(app, clock, office_consultation):
    consultation, _comments = office_consultation
    clock.set(shanghai(2023, 5, 13, 9, 0))
    assert "结束 1 项" in run_jobs(app)
    clock.set(shanghai(2024, 5, 14, 9, 0))  # 367 days after the end
    output = run_jobs(app)
    assert "erase-contacts：保留期限为 0：不清除。" in output  # the default keeps everything
    assert db.session.scalar(select(Comment.author_contact).where(Comment.author_name == "王大爷")) is not None

    app.config["CONTACT_RETENTION_DAYS"] = 365
    clock.advance(days=1)
    assert "erase-contacts：清除 3 条意见的联系方式。" in run_jobs(app)
    db.session.expire_all()
    assert db.session.scalars(select(Comment.author_contact).where(
        Comment.consultation_id == consultation.id, Comment.author_contact.is_not(None))).all() == []
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "erase_contacts"))
    assert (entry.actor_label, entry.after) == ("scheduler", {"comments": 3, "days": 365})


def test_a_job_run_from_cron_by_its_own_command_counts_as_run(app, clock, client, make_user, login, monkeypatch):
    clock.set(shanghai(2026, 3, 1, 9, 0))
    result = app.test_cli_runner().invoke(args=["consultations", "close-due"])
    assert result.exit_code == 0, result.output
    row = db.session.get(JobRun, "close-due")
    assert row.outcome == "ok" and row.started_at == shanghai(2026, 3, 1, 9, 0)
    make_user("admin")
    login("admin@example.gov.cn")
    page = client.get("/admin/status").get_data(as_text=True)
    assert "完成（由命令单独运行）" in page

    def broken(days):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr("portal.mail.cli.erase_old_mail", broken)
    app.config["MAIL_RETENTION_DAYS"] = 30
    failed = app.test_cli_runner().invoke(args=["mail", "erase-old"])
    assert failed.exit_code != 0
    db.session.expire_all()
    row = db.session.get(JobRun, "erase-old-mail")
    assert row.outcome == "failed" and "RuntimeError: 磁盘已满" in row.error


# -- the runner id: unique per process, even where two containers have the same hostname and pid --------------

def test_a_process_keeps_its_runner_id_and_it_names_the_host_and_the_pid():
    first = runner_id()
    host, pid, token = first.rsplit(":", 2)
    assert (host, int(pid)) == workers.host_and_pid()
    assert len(token) == 8 and int(token, 16) >= 0
    assert runner_id() == first


def test_a_forked_child_gets_a_runner_id_of_its_own():
    parent = runner_id()
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # the child: say its id and leave at once (no pytest teardown in here)
        try:
            os.write(writing, runner_id().encode())
        finally:
            os._exit(0)
    os.close(writing)
    with os.fdopen(reading) as pipe:
        in_child = pipe.read()
    os.waitpid(child, 0)
    assert in_child.rsplit(":", 1)[0] == f"{workers.host_and_pid()[0]}:{child}"
    assert in_child.rsplit(":", 1)[1] != parent.rsplit(":", 1)[1]  # a token of its own, not the parent's copied
    assert runner_id() == parent


def _container(monkeypatch) -> str:
    """The runner id of a new process on a host named "portal" as pid 1 (a container of one image)."""
    monkeypatch.setattr(workers, "host_and_pid", lambda: ("portal", 1))
    monkeypatch.setattr(workers, "_token", None)
    return runner_id()


def test_two_containers_with_the_same_hostname_and_pid_are_two_runners(monkeypatch):
    one, other = _container(monkeypatch), _container(monkeypatch)
    assert one.startswith("portal:1:") and other.startswith("portal:1:")
    assert one != other


def test_a_runner_does_not_finish_the_run_another_claimed_on_a_host_of_the_same_name_and_pid(app, clock,
                                                                                              monkeypatch):
    one, other = _container(monkeypatch), _container(monkeypatch)
    (job,) = [j for j in JOBS if j.name == "close-due"]
    clock.set(shanghai(2026, 3, 1, 9, 0))
    _ensure_rows()
    assert _claim(job, clock.now(), one)
    assert not _claim(job, clock.now(), other)  # this interval's run is the first one's
    clock.advance(minutes=1)  # its interval: the first is still at it (or gone); the next interval's run is the other's
    assert _claim(job, clock.now(), other)
    _finish(job, one, {"closed": 5, "reminded": 0}, None)  # the first ends late: its outcome is not the other's run
    db.session.expire_all()
    row = db.session.get(JobRun, job.name)
    assert (row.outcome, row.claimed_by, row.counts, row.finished_at) == ("running", other, None, None)
    _finish(job, other, {"closed": 0, "reminded": 0}, None)
    db.session.expire_all()
    row = db.session.get(JobRun, job.name)
    assert (row.outcome, row.claimed_by, row.counts) == ("ok", other, {"closed": 0, "reminded": 0})


def test_the_longest_runner_id_fits_its_columns(app, clock, monkeypatch):
    """A hostname of 300 characters and the largest Linux pid: the ids fit the columns (PostgreSQL refuses a longer
    value; SQLite would keep it)."""
    monkeypatch.setattr(workers.socket, "gethostname", lambda: "h" * 300)
    monkeypatch.setattr(workers.os, "getpid", lambda: 4194304)
    monkeypatch.setattr(workers, "_token", None)
    runner = runner_id()
    assert len(runner) == 80 + 1 + 7 + 1 + 8
    clock.set(shanghai(2026, 3, 1, 9, 0))
    _ensure_rows()
    assert _claim(JOBS[0], clock.now(), runner)
    heartbeat = Heartbeat("k" * 20)  # the longest kind its column holds
    heartbeat.beat()
    db.session.expire_all()
    assert db.session.get(JobRun, JOBS[0].name).claimed_by == runner
    assert db.session.get(WorkerBeat, heartbeat.id).id == f"{'k' * 20}:{runner}"
