"""A comment made in the name of an organisation it does not speak for (冒用单位名义): reported by a reader, hidden by a
moderator with that reason; the rules say what is asked of one who comments on behalf of an organisation."""
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.comments.models import Comment
from portal.extensions import db
from portal.moderation.models import CommentReport
from tests.helpers import csrf_token
from tests.moderation.conftest import act, queue_items


def test_a_comment_in_an_organisations_name_is_reported_and_hidden_as_impersonation(client, open_003, moderator,
                                                                                     add_comment):
    comment = add_comment("本协会全体会员反对这一条。", organisation="某某市律师协会")
    act(client, queue_items(client.get("/moderation").get_data(as_text=True)), action="approve")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/login")})

    report_url = f"/consultations/{open_003.id}/comments/{comment.id}/report"
    page = client.get(report_url).get_data(as_text=True)
    assert 'value="impersonation"' in page and "冒用他人或单位名义" in page
    token = csrf_token(client, report_url)
    response = client.post(report_url, data={"csrf_token": token, "reason": "impersonation", "note": "本会未提交"})
    assert response.status_code == 303
    assert db.session.scalars(select(CommentReport)).one().reason == "impersonation"
    rules = client.get("/rules").get_data(as_text=True)
    assert "请先征得单位同意" in rules and "<li>冒用他人或单位名义</li>" in rules

    client.post("/login", data={"csrf_token": csrf_token(client, "/login"), "email": "mod@example.gov.cn",
                                "password": "correct horse 1"})
    queue = client.get("/moderation?flag=reported").get_data(as_text=True)
    assert "某某市律师协会" in queue and "冒用他人或单位名义" in queue and "本会未提交" in queue
    act(client, queue_items(queue), action="hide", reason="impersonation", query="flag=reported")
    db.session.expire_all()
    hidden = db.session.get(Comment, comment.id)
    assert (hidden.status, hidden.hidden_reason) == ("hidden", "impersonation")
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "hide")).one()
    assert entry.reason == "冒用他人或单位名义"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/login")})
    assert "本协会全体会员反对这一条。" not in client.get(f"/consultations/{open_003.id}").get_data(as_text=True)
