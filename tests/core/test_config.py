"""Settings from the environment (portal/config.py, README "Configuration"): each documented PORTAL_* variable
changes what the portal does, and one that cannot be used stops the start with a sentence naming it, instead of a
traceback at some later request or a silent default."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal.config import ConfigError, from_environment
from portal.extensions import db
from tests.helpers import post_comment

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def short_comments(monkeypatch):
    monkeypatch.setenv("PORTAL_COMMENT_MAX_LENGTH", "30")


@pytest.fixture
def app(short_comments, app):  # the suite's app, made with the variable set
    return app


def test_comment_length_is_set_from_the_environment(app, client, open_003):
    from portal.comments.models import Comment

    page = f"/consultations/{open_003.id}"
    assert "最多 30 字" in client.get(page).get_data(as_text=True)
    refused = post_comment(client, open_003, page, body="长" * 31, author_name="王大爷")
    assert refused.status_code == 422, refused.status_code
    assert "意见内容不能超过 30 个字" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Comment).count() == 0
    accepted = post_comment(client, open_003, page, body="长" * 30, author_name="王大爷")
    assert accepted.status_code == 303
    with app.app_context():
        assert db.session.query(Comment).count() == 1


@pytest.mark.parametrize("variable, value, key, expected", [
    ("PORTAL_MODERATION_PAGE_SIZE", " 20 ", "MODERATION_PAGE_SIZE", 20),
    ("PORTAL_DATABASE_STATEMENT_TIMEOUT", "0", "DATABASE_STATEMENT_TIMEOUT", 0),
    ("PORTAL_STAFF_SESSION_SECONDS", "3600", "PERMANENT_SESSION_LIFETIME", 3600),
    ("PORTAL_TWO_FACTOR_REQUIRED", "yes", "TWO_FACTOR_REQUIRED", True),
    ("PORTAL_PUBLICATION_REVIEW", "0", "PUBLICATION_REVIEW", False),
    ("PORTAL_LOGIN_RATE_LIMIT", "3/minute;10/hour", "LOGIN_RATE_LIMIT", "3/minute;10/hour"),
    ("PORTAL_SEARCH_BACKEND", "PostgreSQL", "SEARCH_BACKEND", "postgresql"),
    ("PORTAL_TRUSTED_HOSTS", "consult.example.gov.cn, www.example.gov.cn,", "TRUSTED_HOSTS",
     ["consult.example.gov.cn", "www.example.gov.cn"]),
    ("DATABASE_URL", "sqlite:////tmp/x.db", "SQLALCHEMY_DATABASE_URI", "sqlite:////tmp/x.db"),
    ("PORTAL_PAGE_CACHE_URL", "redis://127.0.0.1:6379/0", "PAGE_CACHE_URL", "redis://127.0.0.1:6379/0"),
    ("PORTAL_PAGE_CACHE_URL", "unix:///run/redis/redis.sock", "PAGE_CACHE_URL", "unix:///run/redis/redis.sock"),
    ("PORTAL_RATELIMIT_STORAGE_URI", "memory://", "RATELIMIT_STORAGE_URI", "memory://"),
    ("PORTAL_RATELIMIT_STORAGE_URI", "rediss://:pw@redis.example:6380/1", "RATELIMIT_STORAGE_URI",
     "rediss://:pw@redis.example:6380/1"),
    ("PORTAL_RATELIMIT_STORAGE_URI", "redis+sentinel://10.0.0.1:26379,10.0.0.2:26379/portal", "RATELIMIT_STORAGE_URI",
     "redis+sentinel://10.0.0.1:26379,10.0.0.2:26379/portal"),
])
def test_a_setting_is_read(monkeypatch, variable, value, key, expected):
    monkeypatch.setenv(variable, value)
    assert from_environment()[key] == expected


def test_an_empty_variable_is_not_set(monkeypatch):
    monkeypatch.setenv("PORTAL_COMMENT_MAX_LENGTH", " ")
    assert "COMMENT_MAX_LENGTH" not in from_environment()


@pytest.mark.parametrize("variable, value, says", [
    ("PORTAL_COMMENT_MAX_LENGTH", "5千", "a whole number"),
    ("PORTAL_CONTACT_RETENTION_DAYS", "-1", "a whole number"),
    ("PORTAL_DATABASE_STATEMENT_TIMEOUT", "30s", "a whole number"),
    ("PORTAL_MODERATION_PAGE_SIZE", "0", "1 or more"),
    ("PORTAL_COMMENT_RATE_LIMIT", "10 per fortnight", "10/minute;100/day"),
    ("PORTAL_TWO_FACTOR_REQUIRED", "maybe", "1 or 0"),
    ("PORTAL_SECURE_COOKIES", "yes", "one of auto, 1, 0"),
    ("PORTAL_SEARCH_BACKEND", "elastic", "one of auto, whoosh, postgresql"),
    ("PORTAL_PAGE_CACHE_URL", "127.0.0.1:6379", "a Redis URL: redis://"),
    ("PORTAL_PAGE_CACHE_URL", "memcached://127.0.0.1:11211", "a Redis URL: redis://"),
    ("PORTAL_PAGE_CACHE_URL", "redis://127.0.0.1:63x9/0", "a Redis URL: redis://"),
    ("PORTAL_RATELIMIT_STORAGE_URI", "127.0.0.1:6379", "a storage URL of `limits`: memory://, redis://"),
    ("PORTAL_RATELIMIT_STORAGE_URI", "async+redis://127.0.0.1:6379", "a storage URL of `limits`"),
    ("PORTAL_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379x", "a storage URL of `limits`"),
])
def test_a_setting_that_cannot_be_used_is_named(monkeypatch, variable, value, says):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as refused:
        from_environment()
    assert variable in str(refused.value) and says in str(refused.value)


def test_a_refused_url_is_named_without_its_password(monkeypatch):
    monkeypatch.setenv("PORTAL_PAGE_CACHE_URL", "redis://:s3cret@redis.example:x/0")
    with pytest.raises(ConfigError) as refused:
        from_environment()
    assert "s3cret" not in str(refused.value) and "redis://…@redis.example:x/0" in str(refused.value)


def test_the_start_stops_at_a_page_cache_url_without_its_scheme(tmp_path):
    environment = {**os.environ, "PORTAL_PAGE_CACHE_URL": "127.0.0.1:6379", "PORTAL_INSTANCE_PATH": str(tmp_path)}
    started = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=environment, capture_output=True,
                             text=True, timeout=120)
    assert started.returncode == 1
    assert "PORTAL_PAGE_CACHE_URL='127.0.0.1:6379' cannot be used: it takes a Redis URL" in started.stderr
    assert "Traceback" not in started.stderr


def test_the_start_says_which_setting_is_wrong(tmp_path):
    environment = {**os.environ, "PORTAL_MAIL_PORT": "twenty-five", "PORTAL_INSTANCE_PATH": str(tmp_path)}
    started = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=environment, capture_output=True,
                             text=True, timeout=120)
    assert started.returncode == 1
    assert "PORTAL_MAIL_PORT='twenty-five' cannot be used: it takes a whole number" in started.stderr
    assert "Traceback" not in started.stderr
