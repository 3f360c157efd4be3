"""What pages and submissions keep in memory under tokens (portal/core/tokens.py, portal/consultations/pages.py)
is never stale: the triggers renew a token whatever wrote the rows, and readers see every change at once."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.consultations import pages
from portal.consultations.models import Consultation
from portal.core.tokens import CacheToken
from portal.drafts.models import Section
from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.moderation.models import SensitiveWord
from portal.routing.models import RoutingSettings
from portal.units.models import Unit, UnitAlias
from tests.helpers import csrf_token, post_comment, receipt_from, route_new_comments, shanghai


@pytest.fixture
def seed_000(app, clock, import_seed):
    clock.set(shanghai(2024, 5, 10, 9, 0))
    consultation = import_seed("000", deadline=shanghai(2024, 6, 10, 23, 59))
    consultation.contact_emails = ["contact@example.gov.cn"]
    db.session.add(Unit(name="市民政局", emails=["mzj@example.gov.cn"]))
    db.session.add(Unit(name="市发展改革局", emails=["fgj@example.gov.cn"]))
    db.session.commit()
    pages.clear()
    return consultation


def item_one(consultation):
    return next(s for s in consultation.current_draft.sections if s.unit_names == ["市民政局", "市发展改革局"])


def content_token(consultation_id):
    db.session.expire_all()
    return db.session.scalar(sa.select(Consultation.content_token).where(Consultation.id == consultation_id))


def cache_token(name):
    db.session.expire_all()
    return db.session.scalar(sa.select(CacheToken.token).where(CacheToken.name == name))


def section_url(consultation, section):
    return f"/consultations/{consultation.id}/sections/{section.anchor}"


def test_the_content_token_changes_with_everything_a_page_shows_but_comments(app, seed_000):
    consultation_id = seed_000.id
    section = item_one(seed_000)
    changes = [
        lambda: setattr(db.session.get(Consultation, consultation_id), "title", "新的标题"),
        lambda: setattr(db.session.get(Section, section.id), "heading", "改过的标题"),
        lambda: setattr(db.session.get(Section, section.id), "unit_names", ["市民政局"]),
        lambda: db.session.add(RoutingSettings(consultation_id=consultation_id, mode="digest")),
        lambda: setattr(db.session.get(Consultation, consultation_id), "deadline",
                        shanghai(2024, 6, 20, 23, 59)),
        lambda: db.session.execute(sa.delete(Section).where(Section.id == section.id)),
    ]
    for change in changes:
        before = content_token(consultation_id)
        change()
        db.session.commit()
        assert content_token(consultation_id) != before
    # a comment waiting for moderation changes neither token
    before = content_token(consultation_id)
    from portal.comments.services import submit_comment

    submit_comment(db.session.get(Consultation, consultation_id), "建议写明服务标准。")
    db.session.commit()
    assert content_token(consultation_id) == before


def test_the_directory_and_word_list_tokens_change_with_their_tables(app, seed_000):
    before = cache_token("units")
    unit = db.session.scalar(sa.select(Unit).where(Unit.name == "市民政局"))
    unit.emails = ["new@example.gov.cn"]
    db.session.commit()
    after_edit = cache_token("units")
    assert after_edit != before
    db.session.add(UnitAlias(unit_id=unit.id, alias="民政局"))
    db.session.commit()
    assert cache_token("units") != after_edit
    words = cache_token("sensitive_words")
    db.session.add(SensitiveWord(word="加微信"))
    db.session.commit()
    assert cache_token("sensitive_words") != words


def test_the_triggers_exist(app):
    if db.engine.dialect.name == "postgresql":
        rows = db.session.execute(sa.text(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal")).all()
    else:
        rows = db.session.execute(sa.text("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")).all()
    tables = {table for table, _name in rows}
    assert {"drafts", "sections", "draft_tables", "deadline_extensions", "routing_settings", "consultations",
            "units", "unit_aliases", "sensitive_words", "comments"} <= tables


def test_a_changed_unit_address_is_used_by_the_next_comment(client, seed_000):
    section = item_one(seed_000)
    url = section_url(seed_000, section)
    receipt_from(post_comment(client, seed_000, url, section_id=section.id, body="第一条：建议写明服务标准。"))
    assert route_new_comments() == 1
    unit = db.session.scalar(sa.select(Unit).where(Unit.name == "市民政局"))
    unit.emails = ["renamed@example.gov.cn"]
    db.session.commit()
    number = receipt_from(post_comment(client, seed_000, url, section_id=section.id, body="第二条：建议公开收费。"))
    from portal.comments.models import Comment

    comment_id = db.session.scalar(sa.select(Comment.id).where(Comment.receipt_number == number))
    assert route_new_comments() == 1  # the mail worker plans its mails
    recipients = set(db.session.scalars(sa.select(OutboxMessage.recipient).where(OutboxMessage.comment_id == comment_id)))
    assert recipients == {"contact@example.gov.cn", "renamed@example.gov.cn", "fgj@example.gov.cn"}


def test_a_correction_of_the_section_units_routes_the_next_comment(client, seed_000):
    section = item_one(seed_000)
    url = section_url(seed_000, section)
    receipt_from(post_comment(client, seed_000, url, section_id=section.id, body="第一条：建议写明服务标准。"))
    assert route_new_comments() == 1
    db.session.get(Section, section.id).unit_names = ["市发展改革局"]
    db.session.commit()
    number = receipt_from(post_comment(client, seed_000, url, section_id=section.id, body="第二条：建议公开收费。"))
    from portal.comments.models import Comment

    comment_id = db.session.scalar(sa.select(Comment.id).where(Comment.receipt_number == number))
    assert route_new_comments() == 1  # the mail worker plans its mails
    recipients = set(db.session.scalars(sa.select(OutboxMessage.recipient).where(OutboxMessage.comment_id == comment_id)))
    assert recipients == {"contact@example.gov.cn", "fgj@example.gov.cn"}


def test_a_word_added_to_the_list_flags_the_next_comment(client, seed_000):
    section = item_one(seed_000)
    url = section_url(seed_000, section)
    from portal.comments.models import Comment

    first = receipt_from(post_comment(client, seed_000, url, section_id=section.id, body="请加微信了解详情，谢谢。"))
    db.session.add(SensitiveWord(word="加微信"))
    db.session.commit()
    second = receipt_from(post_comment(client, seed_000, url, section_id=section.id, body="请加微信了解详情，多谢。"))
    flags = dict(db.session.execute(sa.select(Comment.receipt_number, Comment.flags)).all())
    assert "sensitive" not in flags[first] and "sensitive" in flags[second]


def test_a_cached_page_shows_a_correction_and_an_extension_at_once(client, seed_000):
    section = item_one(seed_000)
    url = section_url(seed_000, section)
    hits = pages.cache.hits
    first, second = client.get(url).get_data(as_text=True), client.get(url).get_data(as_text=True)
    assert pages.cache.hits == hits + 1  # the second reading came from memory
    assert "2024年6月10日" in first and "2024年6月10日" in second
    db.session.get(Section, section.id).text = "改正后的条文内容。"
    db.session.get(Consultation, seed_000.id).deadline = shanghai(2024, 6, 20, 23, 59)
    db.session.commit()
    third = client.get(url).get_data(as_text=True)
    assert "改正后的条文内容。" in third and "2024年6月20日" in third


def test_each_reader_gets_the_cached_page_with_a_csrf_token_of_their_own(app, seed_000):
    section = item_one(seed_000)
    url = section_url(seed_000, section)
    from tests.security.conftest import IsolatedClient  # a server's app context per request: no shared g

    readers = [IsolatedClient(app, app.response_class, use_cookies=True) for _ in range(2)]
    tokens = [csrf_token(reader, url) for reader in readers]
    assert tokens[0] != tokens[1] and "csrf-placeholder" not in readers[0].get(url).get_data(as_text=True)
    for n, (reader, token) in enumerate(zip(readers, tokens)):
        response = reader.post(f"/consultations/{seed_000.id}/comments", data={
            "csrf_token": token, "section_id": section.id, "parent_id": "", "stance": "suggest",
            "body": f"第{n}位读者：建议写明服务标准。"})
        receipt_from(response)
    # one reader's token is not another's
    response = readers[0].post(f"/consultations/{seed_000.id}/comments", data={
        "csrf_token": tokens[1], "section_id": section.id, "parent_id": "", "stance": "suggest", "body": "借来的令牌。"})
    assert response.status_code == 400


def test_staff_never_get_the_citizens_cached_page(client, seed_000, make_user, login):
    section = item_one(seed_000)
    url = section_url(seed_000, section)
    client.get(url)
    client.get(url)  # in memory now
    make_user("moderator", email="mod@example.gov.cn")
    login("mod@example.gov.cn")
    page = client.get(url).get_data(as_text=True)
    assert "退出登录" in page and "意见审核" in page


def test_the_page_follows_the_clock(client, clock, seed_000):
    section = item_one(seed_000)
    url = section_url(seed_000, section)
    assert "提交意见" in client.get(url).get_data(as_text=True)
    clock.set(shanghai(2024, 6, 11, 9, 0))  # after the deadline
    page = client.get(url).get_data(as_text=True)
    assert "提交意见" not in page and re.search("已截止", page)
    clock.set(shanghai(2024, 6, 11, 9, 0) - timedelta(days=2))
    assert "提交意见" in client.get(url).get_data(as_text=True)


def test_the_days_left_are_counted_anew_each_day_on_the_pages_kept_in_memory(client, clock, seed_000):
    overview, section = f"/consultations/{seed_000.id}", section_url(seed_000, item_one(seed_000))
    for url in (overview, section):  # the deadline is 2024-06-10 23:59; today 2024-05-10
        assert '<span class="time-left">还剩 31 天</span>' in client.get(url).get_data(as_text=True)
    clock.set(shanghai(2024, 6, 8, 23, 59))
    assert '<span class="time-left closing-soon">还剩 2 天</span>' in client.get(overview).get_data(as_text=True)
    clock.set(shanghai(2024, 6, 9, 0, 1))  # past midnight: the same page, a day less
    assert '<span class="time-left closing-soon">明天截止</span>' in client.get(overview).get_data(as_text=True)
    clock.set(shanghai(2024, 6, 10, 8, 0))
    assert '<span class="time-left closing-soon">今天截止</span>' in client.get(section).get_data(as_text=True)
    clock.set(shanghai(2024, 6, 11, 8, 0))
    assert 'class="time-left' not in client.get(overview).get_data(as_text=True)


def without_token(page: str) -> str:
    """A page without its CSRF token (signed with the second it was made in) and its comment form's one-use key (each
    reader's own)."""
    page = re.sub(r'name="submission_key" value="[A-Za-z0-9_-]{32}"', "", page)
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", page)


def test_a_page_in_memory_is_served_with_one_statement_and_no_orm_load(client, seed_000, monkeypatch):
    """The second reading comes from memory before the view loads the consultation (pages.from_memory: one
    statement outside the ORM session); a change of the consultation sends the next reading the usual way."""
    from portal.consultations import views

    section = item_one(seed_000)
    url = section_url(seed_000, section)
    first = client.get(url).get_data(as_text=True)
    loads = []
    load = views.get_public_consultation
    monkeypatch.setattr(views, "get_public_consultation", lambda cid: loads.append(cid) or load(cid))
    for path in (url, f"/consultations/{seed_000.id}"):
        client.get(path)  # the overview is rendered once, then in memory too
    assert loads == [seed_000.id]
    second = client.get(url).get_data(as_text=True)
    assert loads == [seed_000.id] and without_token(second) == without_token(first)
    client.get(f"/consultations/{seed_000.id}")
    assert loads == [seed_000.id]
    db.session.get(Consultation, seed_000.id).deadline = shanghai(2024, 6, 20, 23, 59)
    db.session.commit()
    assert "2024年6月20日" in client.get(url).get_data(as_text=True)
    assert loads == [seed_000.id, seed_000.id]


def test_a_page_in_memory_is_not_shown_once_the_consultation_is_withdrawn(client, seed_000):
    section = item_one(seed_000)
    url = section_url(seed_000, section)
    client.get(url)
    assert client.get(url).status_code == 200  # in memory now
    db.session.get(Consultation, seed_000.id).published_at = None
    db.session.commit()
    assert client.get(url).status_code == 404
    assert client.get(f"/consultations/{seed_000.id}/sections/no-such-anchor").status_code == 404
