"""Whole public pages shared by every worker through Redis (PAGE_CACHE_URL, portal/consultations/pages.py): a page one
worker rendered is served by another without rendering, never stale, never with another reader's token; pages with
a query the pages do not link to stay with each worker; without Redis the pages are rendered as before."""
import os
import re

import pytest

from portal.comments import page_cache
from portal.comments.services import approve_comment, submit_comment
from portal.consultations import pages
from portal.extensions import db
from tests.helpers import shanghai

REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def redis_url():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {error}")
    return REDIS_URL


@pytest.fixture
def section(app, clock, import_seed, redis_url):
    clock.set(shanghai(2023, 4, 21, 9, 0))
    consultation = import_seed("003", opens=shanghai(2023, 4, 20, 9, 0), deadline=shanghai(2023, 5, 20, 23, 59))
    section = consultation.current_draft.sections[3]
    for n in range(1, 3):
        clock.advance(minutes=1)
        approve_comment(submit_comment(consultation, f"第{n:02d}条意见：建议增加社区食堂。", "suggest", section))
    db.session.commit()
    app.config["PAGE_CACHE_URL"] = redis_url
    page_cache.clear()
    pages.clear()
    return consultation, section


@pytest.fixture
def renders(monkeypatch):
    """Counts the section pages rendered (what a page from memory or from Redis does not do)."""
    from portal.consultations import views

    counted = []
    real = views.render_section

    def counting(*args, **kwargs):
        counted.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(views, "render_section", counting)
    return counted


def get(client, consultation, section, query=""):
    response = client.get(f"/consultations/{consultation.id}/sections/{section.anchor}{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def form_token(html):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def submission_key(html):
    return re.search(r'name="submission_key" value="([A-Za-z0-9_-]{32})"', html).group(1)


def another_worker():
    """A worker that has not seen the page: its own memory empty (the shared cache is not)."""
    pages.clear()
    page_cache.clear()


def test_a_page_one_worker_rendered_is_served_by_another_without_rendering(client, section, renders):
    consultation, section = section
    first = get(client, consultation, section)
    assert renders == [1] and "第02条意见" in first
    another_worker()
    second = get(client, consultation, section)
    assert renders == [1]
    assert "csrf-placeholder" not in second
    assert form_token(second) == form_token(first)  # the reader's own token put in (pytest-flask keeps one)
    assert submission_key(second) != submission_key(first)  # and a one-use key of its own in the comment form
    assert second.replace(submission_key(second), "") == first.replace(submission_key(first), "")


def test_a_new_public_comment_is_shown_at_once_by_every_worker(client, section, renders, clock):
    consultation, section = section
    assert "第03条意见" not in get(client, consultation, section)
    clock.advance(minutes=1)
    approve_comment(submit_comment(consultation, "第03条意见：建议延长开放时间。", "suggest", section))
    db.session.commit()
    another_worker()
    assert "第03条意见" in get(client, consultation, section)
    assert renders == [1, 1]


@pytest.mark.parametrize("query", ["?order=newest", "?page=1", "?page=1&order=agreed"])
def test_the_queries_the_pages_link_to_are_shared(client, section, renders, query):
    consultation, section = section
    get(client, consultation, section, query)
    another_worker()
    get(client, consultation, section, query)
    assert renders == [1]


@pytest.mark.parametrize("query", [
    "?page=99",  # past the last page: shows the last page, under a number anyone can count up
    "?page=01", "?ord%65r=newest", "?order=newest&order=oldest", "?order=sideways", "?page=1&x=1",
])
def test_other_queries_stay_with_each_worker(client, section, renders, query):
    consultation, section = section
    get(client, consultation, section, query)
    another_worker()
    get(client, consultation, section, query)
    assert renders == [1, 1]


def test_without_redis_the_pages_are_rendered_as_before(client, section, renders, caplog, monkeypatch):
    consultation, section = section
    monkeypatch.setattr(pages, "_failed", set())  # said once a process: this test's own
    client.application.config["PAGE_CACHE_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    assert "第02条意见" in get(client, consultation, section)
    another_worker()
    assert "第02条意见" in get(client, consultation, section)
    assert renders == [1, 1]
    assert "shared page cache unavailable" in caplog.text


def test_a_page_cache_url_redis_cannot_use_is_only_a_miss(client, section, renders, caplog, monkeypatch):
    """A URL without its scheme (set in the app's config, past the start's check of PORTAL_PAGE_CACHE_URL) had made
    every consultation page a 500: redis-py refuses it with a ValueError, not a RedisError."""
    consultation, section = section
    monkeypatch.setattr(pages, "_failed", set())
    monkeypatch.setattr(pages, "_clients", {})
    client.application.config["PAGE_CACHE_URL"] = "127.0.0.1:6379"
    assert "第02条意见" in get(client, consultation, section)
    another_worker()
    assert "第02条意见" in get(client, consultation, section)
    assert renders == [1, 1]
    assert caplog.text.count("shared page cache unavailable") == 1  # said once


def test_any_error_of_the_shared_cache_is_a_miss(client, section, renders, monkeypatch):
    consultation, section = section

    class Broken:
        def get(self, _key):
            raise OSError("connection reset")

        def set(self, *_args, **_kwargs):
            raise TypeError("not what redis-py raises")

    monkeypatch.setattr(pages, "_shared", lambda: Broken())
    assert "第02条意见" in get(client, consultation, section)
    another_worker()
    assert "第02条意见" in get(client, consultation, section)
    assert renders == [1, 1]


def test_deployments_sharing_a_redis_never_read_each_others_pages(client, section, renders, database_url):
    from portal import create_app

    consultation, section = section
    get(client, consultation, section)
    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "another deployment",
                        "PAGE_CACHE_URL": client.application.config["PAGE_CACHE_URL"],
                        "CLOCK": client.application.config["CLOCK"]})
    another_worker()
    html = get(other.test_client(), consultation, section)
    assert renders == [1, 1] and "第02条意见" in html and "csrf-placeholder" not in html


def test_a_page_the_code_before_an_upgrade_rendered_is_never_served_by_the_new_code(
        client, section, renders, monkeypatch):
    """Tokens follow the data, not the code: after an upgrade (or on hosts half-way through one, sharing a Redis)
    the pages another version rendered and kept in Redis are not served, whose forms and texts are that version's."""
    consultation, section = section
    get(client, consultation, section)
    another_worker()
    monkeypatch.setattr(pages, "code_version", lambda: "the next version", raising=False)  # a host upgraded
    html = get(client, consultation, section)
    assert renders == [1, 1] and "第02条意见" in html
    another_worker()
    get(client, consultation, section)
    assert renders == [1, 1]  # the new code's page is shared among the new code's workers
