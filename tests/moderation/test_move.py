"""A moderator triaging the queue puts a comment under the section it is really about (改归其他章节), with the office's
form and service: its replies go with it, the new section's units are sent it, it is audited, and the moderator is
back at the queue as it was."""
import re

from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.comments.models import Comment
from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.units.models import Unit
from tests.helpers import csrf_token, route_new_comments


def test_a_moderator_moves_a_comment_from_the_queue_and_returns_to_it(client, open_003, moderator, add_comment):
    sections = open_003.current_draft.sections
    target = next(s for s in sections if s.unit_names)
    for number, name in enumerate(target.unit_names):
        unit = db.session.scalar(select(Unit).where(Unit.name == name)) or Unit(name=name)
        unit.emails = [f"unit{number}@example.gov.cn"]
        db.session.add(unit)
    comment = add_comment("这条意见说的是养老服务设施，不是整体。")
    route_new_comments()
    db.session.commit()
    sent_before = {m.recipient for m in db.session.scalars(select(OutboxMessage))}

    queue = client.get(f"/moderation?consultation={open_003.id}").get_data(as_text=True)
    link = re.search(r'<a class="move-link" href="([^"]+)">改归其他章节', queue).group(1).replace("&amp;", "&")
    assert link.startswith(f"/moderation/comments/{comment.id}/section?back=")
    page = client.get(link)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "这条意见说的是养老服务设施" in text and "草案整体" in text
    response = client.post(link, data={"csrf_token": csrf_token(client, link), "section_id": str(target.id),
                                       "move_reason": "说的是设施。"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/moderation?consultation={open_003.id}#comment-{comment.id}"
    assert f"已改归“{target.title}”" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).section_id == target.id
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "move_comment")).one()
    assert (entry.after["section_id"], entry.reason) == (target.id, "说的是设施。")
    assert entry.actor_id == moderator.id
    new = {m.recipient for m in db.session.scalars(select(OutboxMessage))} - sent_before
    assert new == {f"unit{number}@example.gov.cn" for number in range(len(target.unit_names))}


def test_a_wrong_section_is_refused_and_replies_and_spam_cannot_be_moved(client, open_003, moderator, add_comment):
    comment = add_comment("意见。")
    comment.status = "approved"
    db.session.commit()
    reply = add_comment("回复。", parent=comment)
    spam = add_comment("广告。")
    spam.status = "spam"
    db.session.commit()
    url = f"/moderation/comments/{comment.id}/section"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "section_id": "999999"})
    assert response.status_code == 422 and "请从列表中选择章节。" in response.get_data(as_text=True)
    assert client.get(f"/moderation/comments/{reply.id}/section").status_code == 404
    assert client.get(f"/moderation/comments/{spam.id}/section").status_code == 404
    assert client.get("/moderation/comments/999999/section").status_code == 404
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).section_id is None
