"""The office puts a comment under another section (改归章节): the commenter chose the wrong one, or a letter was
recorded under the wrong one. Its replies go with it, the new section's units are sent it, it is audited."""
import re

from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.comments.models import Comment
from portal.comments.services import submit_comment
from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.units.models import Unit
from tests.helpers import csrf_token, route_new_comments


def page_url(consultation, comment) -> str:
    return f"/office/consultations/{consultation.id}/responses/{comment.id}"


def move(client, consultation, comment, section_id, reason="", query=""):
    token = csrf_token(client, page_url(consultation, comment))
    return client.post(f"{page_url(consultation, comment)}/section{query}",
                       data={"csrf_token": token, "section_id": str(section_id), "move_reason": reason})


def by_heading(consultation, heading):
    return next(s for s in consultation.current_draft.sections if s.heading.startswith(heading))


def test_a_comment_moves_with_its_replies_and_reaches_the_new_sections_units(app, client, login, office_consultation):
    consultation, comments = office_consultation
    for number, name in enumerate(("市老龄委", "市文明办")):
        db.session.add(Unit(name=name, emails=[f"unit{number}@example.gov.cn"]))
    whole = comments["whole"]
    reply = submit_comment(consultation, "同意楼上。", "support", None, parent=whole)
    reply.status = "approved"
    db.session.commit()
    route_new_comments()
    sent_before = {(m.recipient, m.kind) for m in db.session.scalars(select(OutboxMessage))}
    target = by_heading(consultation, "弘扬爱老助老社会风尚")
    login("office@example.gov.cn")

    response = move(client, consultation, whole, target.id, reason="意见针对的是敬老风尚。", query="?answer=unanswered")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{page_url(consultation, whole)}?answer=unanswered")
    db.session.expire_all()
    whole, reply = db.session.get(Comment, whole.id), db.session.get(Comment, reply.id)
    assert (whole.section_id, reply.section_id) == (target.id, target.id)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"已改归“{target.title}”。负责这一部分的责任单位会收到这条意见。" in page

    # its units are sent it as a new comment; nobody is sent anything twice, the commenter nothing
    new = {(m.recipient, m.kind) for m in db.session.scalars(select(OutboxMessage))} - sent_before
    assert new == {("unit0@example.gov.cn", "comment"), ("unit1@example.gov.cn", "comment")}
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "move_comment")).one()
    assert (entry.before, entry.after, entry.reason) == (
        {"section_id": None}, {"section_id": target.id, "replies": 1}, "意见针对的是敬老风尚。")

    public = client.get(f"/consultations/{consultation.id}/sections/{target.anchor}").get_data(as_text=True)
    assert "整体赞成。" in public and "同意楼上。" in public  # the thread is shown under its new section

    assert move(client, consultation, whole, 0).status_code == 302  # and back to the whole draft
    db.session.expire_all()
    assert db.session.get(Comment, whole.id).section_id is None


def test_a_quoted_sentence_suggests_its_section_and_wrong_moves_are_refused(app, client, login, office_consultation,
                                                                            import_seed):
    consultation, comments = office_consultation
    target = by_heading(consultation, "推进老年教育高质量发展")
    words = target.text.replace("\n", "")[:15]
    quoting = submit_comment(consultation, "这句话要改。", "suggest", None, quote=words)
    db.session.commit()
    login("office@example.gov.cn")
    page = client.get(page_url(consultation, quoting)).get_data(as_text=True)
    assert f"这条意见引用的原文在“{target.title}”中。" in page
    assert re.search(rf'<option selected value="{target.id}">', page)
    assert '<details class="move-comment" open>' in page

    other = import_seed("001", publish=False)  # a section of another consultation's draft
    refused = move(client, consultation, quoting, other.current_draft.sections[0].id)
    assert refused.status_code == 422 and "请从列表中选择章节。" in refused.get_data(as_text=True)
    reply = submit_comment(consultation, "回复。", "suggest", None, parent=comments["whole"])
    db.session.commit()
    assert "改归其他章节" not in client.get(page_url(consultation, reply)).get_data(as_text=True)
    assert move(client, consultation, reply, target.id).status_code == 404  # a reply follows its parent
    db.session.expire_all()
    assert db.session.get(Comment, quoting.id).section_id is None
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "move_comment")).all() == []


def test_a_move_after_the_close_is_followed_by_the_stored_closing_summary(app, client, clock, login,
                                                                          office_consultation):
    from portal.consultations.models import Consultation
    from tests.helpers import shanghai

    consultation, comments = office_consultation
    clock.set(shanghai(2023, 5, 13, 9, 0))
    assert app.test_cli_runner().invoke(args=["consultations", "close-due"]).exit_code == 0
    db.session.expire_all()
    assert db.session.get(Consultation, consultation.id).closing_summary.endswith("涉及2个部分，另有1条针对全文。")
    login("office@example.gov.cn")
    whole = comments["whole"]
    assert move(client, consultation, whole, by_heading(consultation, "弘扬爱老助老社会风尚").id).status_code == 302
    db.session.expire_all()
    # 一、目标要求 (two comments) and 二、主要任务 (two now): two parts, none on the whole draft
    assert db.session.get(Consultation, consultation.id).closing_summary.endswith("涉及2个部分。")
    assert move(client, consultation, comments["formula"], 0).status_code == 302
    db.session.expire_all()
    assert db.session.get(Consultation, consultation.id).closing_summary.endswith("涉及2个部分，另有1条针对全文。")
