"""An installation that sets no PORTAL_SECRET_KEY never runs under the key written in the source (anyone could sign an
administrator's session with it): it makes a random key once, in its instance folder, and keeps it."""
import stat
from pathlib import Path

import pytest
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

from portal import create_app
from portal.core.secret import DEVELOPMENT_KEY


def app_of(instance: Path, monkeypatch, **config):
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(instance))
    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'portal.db'}", **config})


def test_an_installation_without_a_key_makes_one_and_keeps_it(tmp_path, monkeypatch):
    first = app_of(tmp_path / "instance", monkeypatch)
    key = first.config["SECRET_KEY"]
    assert key != DEVELOPMENT_KEY and len(key) >= 48
    kept = tmp_path / "instance" / "secret_key"
    assert kept.read_text() == key
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600  # its owner's alone
    assert app_of(tmp_path / "instance", monkeypatch).config["SECRET_KEY"] == key  # the next start, a worker
    assert app_of(tmp_path / "other", monkeypatch).config["SECRET_KEY"] != key  # another installation


def test_a_session_signed_with_the_source_key_signs_nobody_in(tmp_path, monkeypatch):
    app = app_of(tmp_path / "instance", monkeypatch)
    forger = create_app({"TESTING": True, "SECRET_KEY": DEVELOPMENT_KEY,
                         "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'instance' / 'portal.db'}"})
    forged = SecureCookieSessionInterface().get_signing_serializer(forger).dumps({"_user_id": "1.0", "_fresh": True})
    with pytest.raises(BadSignature):
        SecureCookieSessionInterface().get_signing_serializer(app).loads(forged)


def test_a_key_set_is_used_as_it_is(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_SECRET_KEY", "the-deployment-key")
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'portal.db'}"})
    assert app.config["SECRET_KEY"] == "the-deployment-key" and not (tmp_path / "secret_key").exists()
