"""Fixtures of the office tests: a logged-in office, a form-filling helper that reads the CSRF token."""
import io
import re

import pytest

from tests.helpers import csrf_token


@pytest.fixture
def office(make_staff, login):
    """Office staff of 市民政局, logged in."""
    user = make_staff("office", "office@mz.gov.cn", "市民政局")
    assert login("office@mz.gov.cn").status_code == 302
    return user


@pytest.fixture
def consultation(app, clock, import_seed, office):
    """Seed 003 of the office's unit (市民政局), open from 2023-04-20 09:00 to 2023-05-12 23:59:59; its notice's
    contact address contact@example.gov.cn."""
    from portal.extensions import db
    from tests.helpers import shanghai

    clock.set(shanghai(2023, 4, 20, 9, 0))
    consultation = import_seed("003")
    consultation.owner_unit_id = office.unit_id
    consultation.contact_emails = ["contact@example.gov.cn"]
    db.session.commit()
    return consultation


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


SMALL_DRAFT = """关于养老服务的实施意见（征求意见稿）
一、总体要求
坚持以人为本。
二、主要措施
（一）完善服务网络
各区建设养老服务中心。（责任单位：市民政局）
"""


@pytest.fixture
def make_staff(app):
    """A staff account with a cheap password hash (the real scheme is tested in tests/accounts)."""
    from sqlalchemy import select
    from werkzeug.security import generate_password_hash

    from portal.accounts.models import User
    from portal.extensions import db
    from portal.units.models import Unit

    def make(role: str, email: str, unit_name: str | None = None) -> User:
        unit = None
        if unit_name:
            unit = db.session.scalar(select(Unit).where(Unit.name == unit_name)) or Unit(name=unit_name, emails=[])
        user = User(email=email, name=f"{role} {email}", role=role, unit=unit,
                    password_hash=generate_password_hash("correct horse 1", method="pbkdf2:sha256:1000"))
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def small_consultation(app):
    """A small unpublished draft, imported through the same services as an upload."""
    from portal.drafts.services import import_draft, parse_file
    from portal.extensions import db

    def make(unit=None):
        text, parsed = parse_file(SMALL_DRAFT.encode("utf-8"), "small.txt")
        consultation = import_draft(parsed.to_dict(), text, "small.txt")
        consultation.owner_unit_id = unit.id if unit is not None else None
        db.session.commit()
        return consultation

    return make
