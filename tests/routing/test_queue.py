"""The routing queue: a submission queues its comment; the mail worker writes its mails, once, whatever happens."""
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from portal.comments.models import Comment
from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.mail.worker import deliver_due
from portal.routing.models import RoutingQueueItem
from portal.routing.queue import route_queued
from tests.helpers import csrf_token, post_comment, receipt_from, route_new_comments
from tests.routing.conftest import CONTACT, UNIT, two_workers_route


def unit_section(consultation):
    return next(s for s in consultation.current_draft.sections if s.unit_names == ["市民政局"])


def post_on_section(client, consultation, section, body, **fields):
    url = f"/consultations/{consultation.id}/sections/{section.anchor}"
    return receipt_from(post_comment(client, consultation, url, section_id=section.id, body=body, **fields))


def queued() -> list[int]:
    return sorted(db.session.scalars(select(RoutingQueueItem.comment_id)))


def mails_by_comment() -> Counter:
    return Counter(db.session.execute(select(OutboxMessage.comment_id, OutboxMessage.recipient)).all())


def as_the_worker(app, work):
    """``work()`` in a thread of its own with an app context, as the mail worker runs: no request around it."""
    results = []
    thread = threading.Thread(target=lambda: results.append(_in_app(app, work)))
    thread.start()
    thread.join(timeout=60)
    (result,) = results
    return result


def _in_app(app, work):
    with app.app_context():
        try:
            return work()
        finally:
            db.session.remove()


def test_a_submission_queues_its_comment_and_the_worker_writes_its_mails(client, open_003):
    section = unit_section(open_003)
    post_on_section(client, open_003, section, "建议增加社区食堂。")
    (comment_id,) = db.session.scalars(select(Comment.id))
    assert queued() == [comment_id]
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert route_queued() == 1
    assert queued() == []
    assert mails_by_comment() == Counter({(comment_id, CONTACT): 1, (comment_id, UNIT): 1})
    assert route_queued() == 0  # nothing left


def test_two_mail_workers_at_once_route_each_comment_once(app, client, open_003):
    section = unit_section(open_003)
    for n in range(24):
        post_on_section(client, open_003, section, f"第{n}条意见：建议增加社区食堂。")
    ids = queued()
    assert len(ids) == 24
    assert two_workers_route(app, batch=5) == 24
    db.session.expire_all()
    assert queued() == []
    expected = Counter({(i, address): 1 for i in ids for address in (CONTACT, UNIT)})
    assert mails_by_comment() == expected


def test_the_database_failing_while_routing_leaves_every_comment_queued(client, open_003, monkeypatch):
    from portal.routing import services

    section = unit_section(open_003)
    for n in range(3):
        post_on_section(client, open_003, section, f"第{n}条意见。")
    ids = queued()
    plan, calls = services.plan_comment_mail, []

    def failing_on_the_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OperationalError("SELECT …", {}, Exception("database gone"))
        return plan(*args, **kwargs)

    monkeypatch.setattr(services, "plan_comment_mail", failing_on_the_second)
    with pytest.raises(OperationalError):
        route_queued()
    assert queued() == ids  # the first comment's mails were not kept without its queue row either
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    monkeypatch.setattr(services, "plan_comment_mail", plan)
    assert route_new_comments() == 3
    assert mails_by_comment() == Counter({(i, address): 1 for i in ids for address in (CONTACT, UNIT)})


def test_a_receipt_queued_by_confirming_the_address_is_not_queued_again(client, open_003):
    """The commenter confirms their address before the worker routes their comment: confirming queues the
    receipt; routing then finds the address confirmed, plans the receipt too, and must not queue it twice."""
    from portal.mail.links import confirm_token

    email = "wang@example.cn"
    number = receipt_from(post_comment(client, open_003, f"/consultations/{open_003.id}", body="建议增加社区食堂。",
                                       author_contact=email))
    comment_id = db.session.scalar(select(Comment.id).where(Comment.receipt_number == number))
    confirm_url = f"/mail/confirm/{confirm_token(email)}"
    response = client.post(confirm_url, data={"csrf_token": csrf_token(client, confirm_url)})
    assert response.status_code == 200
    assert queued() == [comment_id]
    assert route_new_comments() == 1
    kinds = Counter(db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.recipient == email)))
    assert kinds == Counter({"receipt": 1})  # no request to confirm: the address was confirmed by then
    assert mails_by_comment()[(comment_id, CONTACT)] == 1


def test_mails_link_to_the_address_the_commenter_used(app, client, open_003, smtp_server):
    """Without PORTAL_BASE_URL, the links in a comment's mails use the site address of the submission (one of
    PORTAL_TRUSTED_HOSTS: never any Host a request names), kept in its queue row for the worker (which has no
    request): in the bodies and in the one-click unsubscribe header, which the worker adds when it sends."""
    app.config["PORTAL_BASE_URL"] = None
    app.config["TRUSTED_HOSTS"] = ["zhengqiu.example.cn", "localhost"]
    site = "http://zhengqiu.example.cn"
    page = f"/consultations/{open_003.id}"
    token = csrf_token(client, site + page)
    response = client.post(f"{site}/consultations/{open_003.id}/comments", data={
        "csrf_token": token, "stance": "suggest", "body": "建议增加社区食堂。", "section_id": "", "parent_id": "",
        "author_contact": "li@example.cn"})
    number = receipt_from(response)
    assert as_the_worker(app, route_queued) == 1  # no request there
    assert {m.kind for m in db.session.scalars(select(OutboxMessage))} == {"comment", "confirm"}
    assert all("List-Unsubscribe" not in m.headers for m in db.session.scalars(select(OutboxMessage)))
    assert len(as_the_worker(app, lambda: deliver_due().sent)) == 2
    (to_contact,), (to_commenter,) = smtp_server.to(CONTACT), smtp_server.to("li@example.cn")
    assert f"{site}/receipts/{number}" in to_contact.get_body(("plain",)).get_content()
    assert "List-Unsubscribe" not in to_contact  # staff mail: no commenter unsubscribe
    assert f"{site}/mail/confirm/" in to_commenter.get_body(("plain",)).get_content()
    assert to_commenter["List-Unsubscribe"].startswith(f"<{site}/mail/unsubscribe/")
    assert to_commenter["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_comment_erased_before_it_is_routed_is_skipped(client, open_003):
    post_comment(client, open_003, f"/consultations/{open_003.id}", body="建议增加社区食堂。")
    db.session.delete(db.session.scalars(select(Comment)).one())
    db.session.commit()
    assert route_queued() == 1  # taken out of the queue, nothing to send
    assert queued() == []
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_the_administrator_sees_comments_waiting_for_their_mails(client, open_003, login, make_user):
    for n in range(2):
        post_comment(client, open_003, f"/consultations/{open_003.id}", body=f"第{n}条意见。")
    make_user("admin")
    login("admin@example.gov.cn")
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "还有 2 条新意见正等待生成邮件" in page
    assert route_new_comments() == 2
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "正等待生成邮件" not in page and "待发送（2）" in page


def test_a_comment_that_cannot_be_routed_stays_queued_and_the_others_are_routed(client, clock, open_003,
                                                                                 monkeypatch):
    from portal.routing import services

    for n in range(3):
        post_comment(client, open_003, f"/consultations/{open_003.id}", body=f"第{n}条意见。")
    first, bad, last = sorted(db.session.scalars(select(Comment.id)))
    route = services.route_comment

    def route_or_fail(comment, **kwargs):
        if comment.id == bad:
            route(comment, **kwargs)  # its rows written, then undone with it
            raise KeyError("a setting this comment needs")
        return route(comment, **kwargs)

    monkeypatch.setattr(services, "route_comment", route_or_fail)
    assert route_queued() == 2  # the other two routed; the pass did not fail
    assert queued() == [bad]  # kept, not lost: the status page counts it waiting
    assert {c for c, _ in mails_by_comment()} == {first, last}
    assert route_queued() == 0  # not tried again before its back-off (tests/routing/test_failures.py) …
    clock.advance(seconds=61)
    assert route_queued() == 0  # … then tried again, still failing, still kept
    assert queued() == [bad] and db.session.get(RoutingQueueItem, bad).attempts == 2
    monkeypatch.setattr(services, "route_comment", route)  # the fault mended
    clock.advance(seconds=121)
    assert route_queued() == 1
    assert queued() == []
    assert {c for c, _ in mails_by_comment()} == {first, bad, last}
