"""A comment whose mails cannot be written (routing fails on its data or in the code, not on the database) is tried
again with back-off, marked failed after PORTAL_ROUTING_MAX_ATTEMPTS and shown to administrators to retry; the other
comments of its batch are routed once, and the comment itself stays stored and shown. A unit's address that is not text
(a row written by hand) is no such fault: it is left out, the unit's other addresses mailed."""
import re
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.comments.models import Comment
from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.routing.models import RoutingQueueItem
from portal.units.models import Unit
from tests.helpers import csrf_token, post_comment, receipt_from
from tests.routing.conftest import CONTACT, UNIT, two_workers_route


@pytest.fixture(autouse=True)
def three_attempts(app):
    """A comment whose mails cannot be written is given up after 3 attempts here."""
    app.config["ROUTING_MAX_ATTEMPTS"] = 3


def unit_section(consultation):
    return next(s for s in consultation.current_draft.sections if s.unit_names == ["市民政局"])


def comment_on_draft(client, consultation, body: str) -> int:
    number = receipt_from(post_comment(client, consultation, f"/consultations/{consultation.id}", body=body))
    return db.session.scalar(select(Comment.id).where(Comment.receipt_number == number))


def comment_on_unit_section(client, consultation, body: str) -> tuple[int, str]:
    section = unit_section(consultation)
    url = f"/consultations/{consultation.id}/sections/{section.anchor}"
    number = receipt_from(post_comment(client, consultation, url, section_id=section.id, body=body))
    return db.session.scalar(select(Comment.id).where(Comment.receipt_number == number)), number


class UnitFault(Exception):
    """The fault break_the_units_routing puts in the routing."""


def break_the_units_routing(monkeypatch):
    """Planning the mails of a comment on 市民政局's sections raises (a bug, or data the code does not expect), the
    comment itself and its receipt page untouched; the function returned mends it."""
    from portal.routing import services

    plan = services.plan_comment_mail

    def plan_or_fail(consultation, unit_names, *args, **kwargs):
        if "市民政局" in unit_names:
            raise UnitFault("市民政局's mails cannot be planned")
        return plan(consultation, unit_names, *args, **kwargs)

    monkeypatch.setattr(services, "plan_comment_mail", plan_or_fail)
    return lambda: monkeypatch.setattr(services, "plan_comment_mail", plan)


def mails() -> Counter:
    db.session.expire_all()
    return Counter(db.session.execute(select(OutboxMessage.comment_id, OutboxMessage.recipient)).all())


def queue_row(comment_id: int) -> RoutingQueueItem | None:
    db.session.expire_all()
    return db.session.get(RoutingQueueItem, comment_id)


def deliver(app) -> str:
    result = app.test_cli_runner().invoke(args=["mail", "deliver"])
    assert result.exit_code == 0, result.output
    return result.output


def row(page: str, row_id: str) -> str:
    match = re.search(rf'<tr id="{row_id}"[^>]*>(.*?)</tr>', page, re.S)
    assert match, row_id
    return re.sub(r"\s+", " ", match.group(0))


def test_a_failing_comment_is_retried_with_back_off_given_up_shown_and_retried_by_the_administrator(
        app, client, clock, open_003, make_user, login, monkeypatch):
    first = comment_on_draft(client, open_003, "第一条：建议增加社区食堂。")
    bad, bad_receipt = comment_on_unit_section(client, open_003, "建议民政局增加养老床位。")
    last = comment_on_draft(client, open_003, "第三条：建议延长开放时间。")
    mend = break_the_units_routing(monkeypatch)

    output = deliver(app)  # one batch: the good ones routed, the bad one put back with its attempt counted
    assert "新意见 2 条已安排邮件" in output
    assert f"意见 {bad} 生成邮件失败（第 1 次：UnitFault" in output and "稍后自动重试" in output
    assert mails() == Counter({(first, CONTACT): 1, (last, CONTACT): 1})
    item = queue_row(bad)
    assert item.attempts == 1 and item.failed_at is None and item.last_error.startswith("UnitFault")
    assert item.next_attempt_at == clock.now() + timedelta(seconds=60)

    deliver(app)  # not due yet: not tried, not counted
    assert queue_row(bad).attempts == 1
    clock.advance(seconds=61)
    deliver(app)
    item = queue_row(bad)
    assert item.attempts == 2 and item.failed_at is None
    assert item.next_attempt_at == clock.now() + timedelta(seconds=120)  # the back-off doubles

    make_user("admin")
    login("admin@example.gov.cn")
    page = client.get("/admin/status").get_data(as_text=True)
    assert 'id="retrying-routing"' in page and "有 1 条新意见生成邮件时出错，正在等待重试。" in page
    assert "UnitFault" in page and 'id="routing-failures"' not in page
    assert "<td>0</td>" in row(page, "backlog-routing")  # not counted as the mail worker falling behind

    clock.advance(seconds=121)
    output = deliver(app)  # the third attempt of three: given up
    assert "已停止重试" in output
    item = queue_row(bad)
    assert item.attempts == 3 and item.failed_at == clock.now() and item.next_attempt_at is None
    clock.advance(hours=2)
    deliver(app)  # given up: never taken again by the worker
    assert queue_row(bad).attempts == 3
    assert mails() == Counter({(first, CONTACT): 1, (last, CONTACT): 1})

    # the comment itself is stored and shown as any other: its receipt page, the moderation queue
    assert "建议民政局增加养老床位。" in client.get(f"/receipts/{bad_receipt}").get_data(as_text=True)
    assert db.session.get(Comment, bad).status == "pending"

    page = client.get("/admin/status").get_data(as_text=True)
    assert 'id="retrying-routing"' not in page
    assert "有 1 条意见多次生成邮件失败，已停止重试。" in page
    failed = row(page, f"routing-failed-{bad}")
    assert bad_receipt in failed and "<td>3</td>" in failed and "UnitFault" in failed
    outbox = client.get("/admin/outbox").get_data(as_text=True)
    assert 'id="routing-failed"' in outbox and "/admin/status#routing-failures" in outbox

    # pressed before the fault is mended: queued again, fails again once, counted anew
    token = csrf_token(client, "/admin/status")
    response = client.post("/admin/status/routing/retry", data={"csrf_token": token, "comment_id": str(bad)})
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/status#routing-failures")
    assert queue_row(bad).failed_at is None and queue_row(bad).attempts == 0
    deliver(app)
    assert queue_row(bad).attempts == 1 and queue_row(bad).failed_at is None

    # the fault mended: the worker's next pass after the back-off routes it once
    mend()
    clock.advance(seconds=61)
    assert "新意见 1 条已安排邮件" in deliver(app)
    assert queue_row(bad) is None
    assert mails() == Counter({(first, CONTACT): 1, (last, CONTACT): 1, (bad, CONTACT): 1, (bad, UNIT): 1})
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "retry_routing")).all()
    assert [(e.target_type, e.target_id, e.before["attempts"], e.after["attempts"]) for e in entries] == [
        ("comment", bad, 3, 0)]
    assert entries[0].before["error"].startswith("UnitFault")


def test_the_retry_button_routes_a_mended_comment_once(app, client, clock, open_003, make_user, login, monkeypatch):
    good = comment_on_draft(client, open_003, "建议增加社区食堂。")
    bad, _receipt = comment_on_unit_section(client, open_003, "建议民政局增加养老床位。")
    mend = break_the_units_routing(monkeypatch)
    for _attempt in range(3):
        deliver(app)
        clock.advance(hours=1)
    assert queue_row(bad).failed_at is not None
    mend()
    deliver(app)
    assert queue_row(bad).failed_at is not None  # given up: waits for the administrator, mended or not

    make_user("admin")
    login("admin@example.gov.cn")
    token = csrf_token(client, "/admin/status")
    response = client.post("/admin/status/routing/retry", data={"csrf_token": token})  # 全部重试
    assert response.status_code == 303
    page = client.get("/admin/status").get_data(as_text=True)
    assert "已重新排队 1 条意见" in page and 'id="routing-failures"' not in page
    response = client.post("/admin/status/routing/retry", data={"csrf_token": token})  # pressed twice
    assert "没有需要重试的意见" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert "新意见 1 条已安排邮件" in deliver(app)
    assert queue_row(bad) is None
    assert mails() == Counter({(good, CONTACT): 1, (bad, CONTACT): 1, (bad, UNIT): 1})
    assert db.session.scalars(select(AuditEntry.target_id).where(AuditEntry.action == "retry_routing")).all() == [bad]
    audit = client.get("/admin/audit?action=retry_routing").get_data(as_text=True)
    assert "重新为意见生成邮件" in audit


def test_only_an_administrator_retries_and_a_bad_comment_id_is_refused(app, client, open_003, make_user, login):
    make_user("office", unit_name="市民政局")
    login("office@example.gov.cn")
    token = csrf_token(client, "/office/upload")
    assert client.post("/admin/status/routing/retry", data={"csrf_token": token}).status_code == 403
    client.post("/logout", data={"csrf_token": token})
    make_user("admin")
    login("admin@example.gov.cn")
    token = csrf_token(client, "/admin/units/new")  # the status page has no form while nothing failed
    assert 'id="routing-failures"' not in client.get("/admin/status").get_data(as_text=True)
    bad_id = client.post("/admin/status/routing/retry", data={"csrf_token": token, "comment_id": "abc"})
    assert bad_id.status_code == 400
    assert client.post("/admin/status/routing/retry", data={"comment_id": "1"}).status_code == 400  # no CSRF token


def test_the_cli_retries_one_comment_or_every_one(app, client, clock, open_003, monkeypatch):
    bad, _receipt = comment_on_unit_section(client, open_003, "建议民政局增加养老床位。")
    other, _receipt = comment_on_unit_section(client, open_003, "建议民政局增加日间照料中心。")
    break_the_units_routing(monkeypatch)
    for _attempt in range(3):
        deliver(app)
        clock.advance(hours=1)
    assert queue_row(bad).failed_at is not None and queue_row(other).failed_at is not None
    status = app.test_cli_runner().invoke(args=["jobs", "status"])
    assert re.search(r"routing-failed\s+2", status.output)

    runner = app.test_cli_runner()
    result = runner.invoke(args=["mail", "retry-routing", "--comment", str(bad)])
    assert result.exit_code == 0 and "已重新排队 1 条" in result.output
    assert queue_row(bad).failed_at is None and queue_row(other).failed_at is not None
    result = runner.invoke(args=["mail", "retry-routing", "--comment", str(bad)])  # no longer failed
    assert result.exit_code == 1 and f"意见 {bad} 没有生成邮件失败的记录" in result.output
    result = runner.invoke(args=["mail", "retry-routing"])
    assert result.exit_code == 0 and "已重新排队 1 条" in result.output
    assert queue_row(other).failed_at is None
    entries = db.session.execute(select(AuditEntry.actor_label, AuditEntry.target_id)
                                 .where(AuditEntry.action == "retry_routing").order_by(AuditEntry.id)).all()
    assert [tuple(e) for e in entries] == [("cli", bad), ("cli", other)]


def test_two_mail_workers_at_once_route_the_good_comments_once_and_count_a_failure_once(
        app, client, clock, open_003, monkeypatch):
    ids = [comment_on_draft(client, open_003, f"第{n}条意见。") for n in range(3)]
    bad, _receipt = comment_on_unit_section(client, open_003, "建议民政局增加养老床位。")
    ids += [comment_on_draft(client, open_003, f"第{n}条意见。") for n in range(3, 6)]
    break_the_units_routing(monkeypatch)

    failures = []
    assert two_workers_route(app, batch=2, failures=failures) == 6
    assert [f.comment_id for f in failures] == [bad]  # the bad one taken once by one worker
    assert queue_row(bad).attempts == 1
    assert mails() == Counter({(i, CONTACT): 1 for i in ids})
    clock.advance(seconds=61)
    failures = []
    assert two_workers_route(app, batch=2, failures=failures) == 0
    assert [(f.comment_id, f.attempts) for f in failures] == [(bad, 2)]
    assert queue_row(bad).attempts == 2
    assert mails() == Counter({(i, CONTACT): 1 for i in ids})


def test_a_units_address_that_is_not_text_is_left_out_and_its_other_addresses_mailed(app, client, open_003):
    """A unit's row written by hand (an old import wrote a number, or null) fails no routing: the worker mails the
    unit's real addresses, as the comment's receipt page says."""
    commented, receipt = comment_on_unit_section(client, open_003, "建议民政局增加养老床位。")
    unit = db.session.scalar(select(Unit).where(Unit.name == "市民政局"))
    unit.emails = [12345, f" {UNIT.upper()} ", None]
    db.session.commit()
    output = deliver(app)
    assert "新意见 1 条已安排邮件" in output and "生成邮件失败" not in output
    assert queue_row(commented) is None
    assert mails() == Counter({(commented, CONTACT): 1, (commented, UNIT): 1})
    page = client.get(f"/receipts/{receipt}").get_data(as_text=True)
    assert "起草单位和负责这一部分的单位（市民政局）会收到并阅读您的意见。" in page
