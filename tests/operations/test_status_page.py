"""The status page (/admin/status) tells an administrator which queue is not worked off and which worker or
scheduler is not running; /health tells a load balancer whether a worker reaches the database."""
import re

from portal import create_app
from portal.extensions import db
from portal.operations.jobs import Heartbeat
from portal.operations.models import WorkerBeat
from tests.helpers import post_comment, receipt_from, route_new_comments


def row(page: str, row_id: str) -> str:
    match = re.search(rf'<tr id="{row_id}"[^>]*>(.*?)</tr>', page, re.S)
    assert match, row_id
    return re.sub(r"\s+", " ", match.group(0))


def test_a_stopped_mail_worker_shows_as_a_late_queue(app, clock, open_003, client, make_user, login):
    url = f"/consultations/{open_003.id}"
    receipt_from(post_comment(client, open_003, url, body="建议增加社区食堂。"))
    make_user("admin")
    login("admin@example.gov.cn")

    page = client.get("/admin/status").get_data(as_text=True)
    routing = row(page, "backlog-routing")
    assert 'class="late"' not in routing and "<td>1</td>" in routing and "处理中" in routing
    assert "未在运行" in row(page, "worker-mail")

    clock.advance(minutes=6)  # nobody routed the comment: the mail worker is not running
    page = client.get("/admin/status").get_data(as_text=True)
    routing = row(page, "backlog-routing")
    assert 'class="late"' in routing and "积压" in routing and "flask --app wsgi mail deliver --loop" in routing
    assert "<td>0</td>" in row(page, "backlog-outbox")

    Heartbeat("mail").beat()  # a mail worker starts and works the queue off
    route_new_comments()
    page = client.get("/admin/status").get_data(as_text=True)
    assert "1 个进程在运行" in row(page, "worker-mail")
    assert "<td>0</td>" in row(page, "backlog-routing") and "无" in row(page, "backlog-routing")
    assert 'class="late"' not in row(page, "backlog-routing")

    clock.advance(minutes=3)  # and stops
    mail = row(client.get("/admin/status").get_data(as_text=True), "worker-mail")
    assert "未在运行" in mail and "最后一次见到" in mail


def test_a_missing_scheduler_is_named_until_the_jobs_run(app, clock, client, make_user, login):
    make_user("admin")
    login("admin@example.gov.cn")
    page = client.get("/admin/status").get_data(as_text=True)
    assert 'id="scheduler-missing"' in page and "从未运行" in row(page, "job-close-due")

    assert app.test_cli_runner().invoke(args=["jobs", "run"]).exit_code == 0
    page = client.get("/admin/status").get_data(as_text=True)
    assert 'id="scheduler-missing"' not in page
    assert "完成：结束 0 项，提醒 0 项。" in row(page, "job-close-due")

    clock.advance(minutes=14)  # close-due runs every minute: 3 minutes and 10 more without it is overdue
    page = client.get("/admin/status").get_data(as_text=True)
    assert 'id="scheduler-missing"' in page and "逾期未运行" in row(page, "job-close-due")
    assert "逾期未运行" not in row(page, "job-erase-old-mail")  # a daily job is not late yet

    client.get("/settings/language/en")
    page = client.get("/admin/status").get_data(as_text=True)
    assert "Scheduled jobs" in page and "Overdue" in page


def test_a_heartbeat_writes_at_most_every_thirty_seconds(app, clock):
    heartbeat = Heartbeat("search")
    heartbeat.beat()
    first = db.session.get(WorkerBeat, heartbeat.id).seen_at
    clock.advance(seconds=20)
    heartbeat.beat()
    db.session.expire_all()
    assert db.session.get(WorkerBeat, heartbeat.id).seen_at == first
    clock.advance(seconds=11)
    heartbeat.beat()
    db.session.expire_all()
    assert db.session.get(WorkerBeat, heartbeat.id).seen_at > first

    clock.advance(days=8)  # a new worker process forgets those gone for a week
    Heartbeat("mail").beat()
    assert db.session.get(WorkerBeat, heartbeat.id) is None


def test_the_status_page_is_for_administrators(app, client, make_user, login):
    make_user("office", unit_name="市民政局")
    login("office@example.gov.cn")
    assert client.get("/admin/status").status_code == 403


def test_health_answers_without_a_cookie(client):
    response = client.get("/health")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers and response.headers["Cache-Control"] == "no-store"


def test_health_says_unavailable_when_the_database_is_not_reachable(tmp_path):
    broken = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'missing' / 'x.db'}"})
    response = broken.test_client().get("/health")
    assert response.status_code == 503 and response.get_json() == {"status": "unavailable"}


def test_mail_waiting_for_a_retry_is_shown_with_the_servers_error(app, clock, routed_003, client, make_user, login,
                                                                 smtp_server):
    from portal.mail.worker import deliver_due

    section = next(s for s in routed_003.current_draft.sections if "市民政局" in s.unit_names)
    receipt_from(post_comment(client, routed_003, f"/consultations/{routed_003.id}/sections/{section.anchor}",
                              section_id=section.id, body="建议增加社区食堂。"))
    make_user("admin")
    login("admin@example.gov.cn")
    smtp_server.stop()  # the mail server is down: it costs no attempt, and the status page says so all the same
    report = deliver_due()
    assert report.server_down and not report.sent
    page = client.get("/admin/status").get_data(as_text=True)
    notice = re.search(r'<p class="notice-box" id="retrying-mail">(.*?)</p>', page, re.S).group(1)
    assert "有 1 封邮件发送失败，正在等待重试。" in notice and "邮件服务器没有接收" in notice and "<code>" in notice

    from sqlalchemy import func, select

    from portal.mail.models import OutboxMessage

    queued = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    smtp_server.start()
    clock.advance(hours=1)
    assert len(deliver_due().sent) == queued  # nothing lost
    assert 'id="retrying-mail"' not in client.get("/admin/status").get_data(as_text=True)


def test_a_job_left_running_says_for_how_long_and_that_it_was_likely_interrupted(app, clock, client, make_user,
                                                                                  login):
    from sqlalchemy import update

    from portal.core.time import now
    from portal.operations.models import JobRun

    make_user("admin")
    login("admin@example.gov.cn")
    assert app.test_cli_runner().invoke(args=["jobs", "run"]).exit_code == 0
    # a scheduler claimed the daily erase-old-mail run and was killed in the middle of it
    db.session.execute(update(JobRun).where(JobRun.name == "erase-old-mail").values(outcome="running",
                                                                                    started_at=now()))
    db.session.commit()
    clock.advance(minutes=5)
    job = row(client.get("/admin/status").get_data(as_text=True), "job-erase-old-mail")
    assert "运行中（已 5 分钟）" in job and "可能已中断" not in job
    clock.advance(minutes=26)
    job = row(client.get("/admin/status").get_data(as_text=True), "job-erase-old-mail")
    assert "运行中（已 31 分钟）" in job and "可能已中断" in job and "flask --app wsgi mail erase-old" in job
    assert "可能已中断" not in row(client.get("/admin/status").get_data(as_text=True), "job-close-due")
    printed = app.test_cli_runner().invoke(args=["jobs", "status"]).output
    assert re.search(r"erase-old-mail .* running  ← 可能已中断", printed)
