"""Fixtures of the office tests: a logged-in office, a form-filling helper that reads the CSRF token."""
import io
import re

import pytest

from tests.helpers import csrf_token


@pytest.fixture
def office(make_user, login):
    """Office staff of 市民政局, logged in."""
    user = make_user("office", email="office@mz.gov.cn", unit_name="市民政局")
    assert login("office@mz.gov.cn").status_code == 302
    return user


@pytest.fixture
def submit(client):
    """Fill in the form on ``url`` (GET for the CSRF token) and POST it; a (bytes, name) value is a file."""

    def do(url: str, post_url: str | None = None, **fields):
        data = {"csrf_token": csrf_token(client, url)}
        for name, value in fields.items():
            if isinstance(value, tuple):
                data[name] = (io.BytesIO(value[0]), value[1])
            elif value is not None:
                data[name] = value
        return client.post(post_url or url, data=data, content_type="multipart/form-data")

    return do


@pytest.fixture
def upload_seed(submit, seed_path):
    def do(prefix: str, **fields):
        path = seed_path(prefix)
        response = submit("/office/upload", file=(path.read_bytes(), path.name), **fields)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return int(re.search(r"/office/consultations/(\d+)$", response.headers["Location"]).group(1))

    return do
