"""The outbox page reads the comments of the messages it lists with them (to tell whether each may be sent
again): its statements do not grow with the messages on the page."""
from sqlalchemy import update

from portal.comments.services import submit_comment
from portal.extensions import db
from portal.mail.models import OutboxMessage
from tests.helpers import route_new_comments, staff_browser, statements


def _sent_mails_of_comments(consultation, count: int) -> None:
    for n in range(count):
        submit_comment(consultation, f"第{n}条意见。")
    db.session.commit()
    route_new_comments()
    db.session.execute(update(OutboxMessage).values(status="sent"))
    db.session.commit()


def test_the_outbox_costs_as_many_statements_for_two_messages_as_for_a_page_of_them(app, routed_003, make_user):
    make_user("admin", email="admin@example.gov.cn")
    admin = staff_browser(app, "admin@example.gov.cn")
    _sent_mails_of_comments(routed_003, 2)
    with statements() as few:
        page = admin.get("/admin/outbox?status=sent").get_data(as_text=True)
    assert page.count("/resend") == 2

    _sent_mails_of_comments(routed_003, 30)
    with statements() as many:
        page = admin.get("/admin/outbox?status=sent").get_data(as_text=True)
    assert page.count("/resend") == 32

    assert len(many) == len(few), (len(few), len(many))
