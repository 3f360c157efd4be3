"""A citizen who usually speaks for an organisation (以单位名义) keeps it in their account's settings: the comment form
is then filled in with it, folded open so that it shows, and may be cleared for a comment of their own."""
from sqlalchemy import select

from portal.comments.models import Comment
from portal.extensions import db
from tests.citizens.test_sign_in import sign_in
from tests.helpers import csrf_token, post_comment, receipt_from


def save_settings(client, **fields):
    data = {"csrf_token": csrf_token(client, "/account/settings"), "name": "张会长", "mail": "y", **fields}
    return client.post("/account/settings", data=data)


def test_the_usual_organisation_fills_the_comment_form(app, client, open_003, smtp_server):
    sign_in(client, smtp_server)
    assert save_settings(client, organisation="  某某市养老服务行业协会（盖章）", organisation_kind="").status_code == 200
    settings = client.get("/account/settings").get_data(as_text=True)
    assert 'value="某某市养老服务行业协会"' in settings  # kept cleaned, its kind told from the name
    page_url = f"/consultations/{open_003.id}"
    page = client.get(page_url).get_data(as_text=True)
    assert '<details class="organisation-fields" open>' in page and 'value="某某市养老服务行业协会"' in page
    receipt_from(post_comment(client, open_003, page_url, body="代表协会的意见。", author_name="张会长",
                              organisation="某某市养老服务行业协会"))
    receipt_from(post_comment(client, open_003, page_url, body="我个人的意见。", author_name="张会长",
                              organisation=""))  # cleared: for themselves
    comments = {c.body: (c.organisation, c.organisation_kind) for c in db.session.scalars(select(Comment))}
    assert comments == {"代表协会的意见。": ("某某市养老服务行业协会", "association"), "我个人的意见。": (None, None)}
    too_long = save_settings(client, organisation="长" * 201)
    assert too_long.status_code == 422 and "单位名称不能超过" in too_long.get_data(as_text=True)
    assert save_settings(client, organisation="").status_code == 200
    assert '<details class="organisation-fields">' in client.get(page_url).get_data(as_text=True)
