"""Pages keep what they render from a consultation's public comments under its comments token
(portal/comments/page_cache.py): never stale, and not thrown away by submissions waiting for moderation."""
import re

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from portal.comments import page_cache
from portal.consultations import pages
from portal.comments.models import Comment
from portal.comments.services import approve_comment, submit_comment
from portal.consultations.models import Consultation
from portal.extensions import db
from tests.helpers import csrf_token, post_comment, receipt_from, shanghai


@pytest.fixture
def section_with_comments(app, clock, import_seed):
    """Seed 003, open from 2023-04-20 to 2023-05-20, with 3 approved comments on one section."""
    clock.set(shanghai(2023, 4, 21, 9, 0))
    consultation = import_seed("003", opens=shanghai(2023, 4, 20, 9, 0), deadline=shanghai(2023, 5, 20, 23, 59))
    section = consultation.current_draft.sections[3]
    comments = []
    for n in range(1, 4):
        clock.advance(minutes=1)
        comments.append(approve_comment(submit_comment(consultation, f"第{n:02d}条意见：建议增加社区食堂。", "suggest", section)))
    db.session.commit()
    page_cache.clear()
    pages.clear()
    return consultation, section, [c.id for c in comments]


def page(client, consultation, section, query=""):
    response = client.get(f"/consultations/{consultation.id}/sections/{section.anchor}{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def shown(html):
    return [int(n) for n in re.findall(r"第(\d\d)条意见：", html)]


def token(consultation_id):
    db.session.expire_all()
    return db.session.scalar(sa.select(Consultation.comments_token).where(Consultation.id == consultation_id))


def moderate(client, comment_id, action, reason=""):
    """Press a button of the moderation queue (the client is logged in as a moderator)."""
    version = db.session.get(Comment, comment_id).moderation_version
    response = client.post("/moderation/actions", data={
        "csrf_token": csrf_token(client, "/login"), "reason": reason, "note": "", "back": "", "view": "queue",
        "action": action, "items": [f"c-{comment_id}-{version}"]})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]


def test_a_second_reading_comes_from_the_cache_without_a_query_on_comments(client, section_with_comments):
    consultation, section, _ids = section_with_comments
    first = page(client, consultation, section)
    statements = []

    def record(_conn, _cursor, statement, *_args):
        if re.search(r"\bcomments\b", statement):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        hits = page_cache.cache.hits + pages.cache.hits
        second = page(client, consultation, section)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    # the whole page comes from memory for an anonymous reader (portal/consultations/pages.py), else the
    # thread list does
    assert statements == [] and page_cache.cache.hits + pages.cache.hits > hits
    assert shown(first) == shown(second) == [1, 2, 3]
    # the form stays outside the cached list: each page has its own, with the session's CSRF token
    assert 'name="csrf_token"' in second and "提交意见" in second


def test_hiding_and_approving_through_the_moderation_queue_show_at_once(client, make_user, login,
                                                                         section_with_comments):
    consultation, section, ids = section_with_comments
    assert shown(page(client, consultation, section)) == [1, 2, 3]
    make_user("moderator", email="mod@example.gov.cn")
    login("mod@example.gov.cn")
    moderate(client, ids[1], "hide", reason="abuse")
    assert shown(page(client, consultation, section)) == [1, 3]
    assert "共 2 条意见" in page(client, consultation, section)
    moderate(client, ids[1], "restore")
    assert shown(page(client, consultation, section)) == [1, 2, 3]


def test_a_submission_waiting_for_moderation_keeps_the_token_and_its_approval_renews_it(
        client, section_with_comments):
    consultation, section, _ids = section_with_comments
    page(client, consultation, section)
    before = token(consultation.id)
    url = f"/consultations/{consultation.id}/sections/{section.anchor}"
    receipt_from(post_comment(client, consultation, url, body="第04条意见：还在等待审核。", section_id=section.id))
    assert token(consultation.id) == before  # pre-moderation: nobody sees it yet, the cache stays
    hits = page_cache.cache.hits + pages.cache.hits
    assert shown(page(client, consultation, section)) == [1, 2, 3]
    assert page_cache.cache.hits + pages.cache.hits > hits
    pending = db.session.scalar(sa.select(Comment).where(Comment.status == "pending"))
    approve_comment(pending)
    db.session.commit()
    assert token(consultation.id) != before
    assert shown(page(client, consultation, section)) == [1, 2, 3, 4]


def test_an_approved_reply_appears_under_its_thread(client, section_with_comments):
    consultation, section, ids = section_with_comments
    assert "回复第02条" not in page(client, consultation, section)
    reply = submit_comment(consultation, "回复第02条：同意。", parent=db.session.get(Comment, ids[1]))
    db.session.commit()
    assert "回复第02条" not in page(client, consultation, section)  # pending: not shown
    approve_comment(reply)
    db.session.commit()
    html = page(client, consultation, section)
    assert "回复第02条：同意。" in html and html.index("第02条意见") < html.index("回复第02条") < html.index("第03条意见")


def test_reply_links_go_when_the_consultation_closes(client, clock, section_with_comments):
    consultation, section, ids = section_with_comments
    html = page(client, consultation, section)
    assert f"/comments/{ids[0]}/reply" in html and 'class="reply-link"' in html
    clock.set(shanghai(2023, 5, 21, 9, 0))  # after the deadline: no comment changed, the token is the same
    closed = page(client, consultation, section)
    assert shown(closed) == [1, 2, 3]
    assert 'class="reply-link"' not in closed and "征求意见已经截止，不再接收意见。" in closed


def test_pages_in_the_two_languages_do_not_mix(client, section_with_comments):
    consultation, section, _ids = section_with_comments
    chinese = page(client, consultation, section)
    english = page(client, consultation, section, "?lang=en")
    chinese_again = page(client, consultation, section, "?lang=zh_CN")
    assert "共 3 条意见" in chinese and ">回复<" in chinese and "3 comments" not in chinese
    assert "3 comments" in english and ">Reply<" in english and ">回复<" not in english
    assert _threads(chinese_again) == _threads(chinese) and _threads(english) != _threads(chinese)


def _threads(html):
    """The comments section up to the form."""
    return html[html.index('id="comments-h"'):html.index('<form class="comment-form"')]


def test_the_token_changes_on_approve_hide_and_delete_only(app, section_with_comments):
    consultation, section, ids = section_with_comments
    values = [token(consultation.id)]
    pending = submit_comment(consultation, "等待审核的意见。", "suggest", section)
    db.session.commit()
    assert token(consultation.id) == values[-1]  # a submission waiting for moderation
    pending = db.session.get(Comment, pending.id)
    pending.flags, pending.grouped_at = ",link,", pending.created_at  # what the public never sees
    db.session.commit()
    assert token(consultation.id) == values[-1]
    approve_comment(db.session.get(Comment, pending.id))
    db.session.commit()
    values.append(token(consultation.id))
    comment = db.session.get(Comment, ids[0])
    comment.status, comment.hidden_reason = "hidden", "abuse"
    db.session.commit()
    values.append(token(consultation.id))
    db.session.delete(db.session.get(Comment, ids[1]))
    db.session.commit()
    values.append(token(consultation.id))
    assert len(set(values)) == 4, values


def test_the_triggers_exist(app):
    if db.engine.dialect.name == "postgresql":
        names = db.session.scalars(sa.text(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'comments'::regclass AND NOT tgisinternal")).all()
    else:
        names = db.session.scalars(sa.text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'comments'")).all()
    assert {"comments_token_insert", "comments_token_update", "comments_token_delete"} <= set(names)


def test_a_transaction_that_wrote_comments_neither_reads_nor_fills_the_cache(app, section_with_comments):
    consultation, section, ids = section_with_comments
    with app.test_request_context(f"/consultations/{consultation.id}/sections/{section.anchor}"):
        consultation = db.session.get(Consultation, consultation.id)
        assert page_cache.usable(consultation)
        assert page_cache.public_counts(consultation) == {section.id: 3}
        db.session.get(Comment, ids[0]).status = "hidden"
        db.session.flush()  # the trigger renewed the token in the database; this object still has the old one
        assert not page_cache.usable(consultation)
        assert page_cache.public_counts(consultation) == {section.id: 2}
        db.session.rollback()
        assert page_cache.usable(consultation)
        assert page_cache.public_counts(consultation) == {section.id: 3}


def test_the_lru_is_bounded_by_entries_and_bytes():
    lru = page_cache.LRU(max_entries=3, max_bytes=1000)
    for n in range(5):
        lru.put(("k", n), n, size=100)
    assert len(lru) == 3 and lru.get(("k", 0)) is None and lru.get(("k", 4)) == 4
    lru.get(("k", 2))  # used: stays
    lru.put(("big",), "x", size=800)
    assert lru.get(("k", 2)) == 2 and lru.get(("k", 3)) is None and lru.size <= 1000
    lru.put(("huge",), "y", size=2000)  # larger than the whole cache: not kept
    assert lru.get(("huge",)) is None
