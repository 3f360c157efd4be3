"""Two-step login's shared secrets are sealed in the database (portal/core/sealing.py): a copy of the database or
of a backup does not hold them; the secret key can be changed with the old one kept as a fallback; a key lost
never turns the second factor off."""
from click.testing import Result
from sqlalchemy import text

from portal.accounts.models import User
from portal.core.sealing import seal, unseal
from portal.extensions import db
from tests.accounts.test_two_factor import code_at, log_in, post_form, signed_in, turn_on
from tests.helpers import csrf_token, staff_browser

OLD_KEY = "the portal's first secret key, 2026"
NEW_KEY = "a new secret key after the old one leaked"


def stored(user_id: int) -> str | None:
    return db.session.execute(text("SELECT sealed_totp_secret FROM users WHERE id = :id"), {"id": user_id}).scalar()


def test_the_database_holds_the_secret_sealed_and_the_login_opens_it(app, clock, office, tmp_path):
    desk = staff_browser(app, office.email)
    secret, _codes = turn_on(app, desk, clock)
    sealed = stored(office.id)
    assert sealed and secret not in sealed and unseal(sealed) == secret
    columns = [row[1] for row in db.session.execute(text("PRAGMA table_info(users)"))] \
        if db.engine.dialect.name == "sqlite" else []
    assert "totp_secret" not in columns  # the plain column is gone (migration 0029)

    if db.engine.dialect.name == "sqlite":  # a backup holds no secret either
        backup = tmp_path / "copy.db"
        assert app.test_cli_runner().invoke(args=["backup", "create", str(backup)]).exit_code == 0
        assert secret.encode() not in backup.read_bytes()

    clock.advance(seconds=31)
    browser, _ = log_in(app)
    assert post_form(browser, "/login/code", code=code_at(secret, clock)).status_code == 302 and signed_in(browser)


def test_a_changed_secret_key_keeps_the_second_factor_with_the_old_key_as_fallback(app, clock, office):
    app.config["SECRET_KEY"] = OLD_KEY
    desk = staff_browser(app, office.email)
    secret, codes = turn_on(app, desk, clock)
    sealed_before = stored(office.id)

    app.config.update(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[OLD_KEY])
    clock.advance(seconds=31)
    browser, _ = log_in(app)
    assert post_form(browser, "/login/code", code=code_at(secret, clock)).status_code == 302 and signed_in(browser)
    db.session.expire_all()
    resealed = stored(office.id)
    assert resealed != sealed_before and unseal(resealed, (NEW_KEY,)) == secret  # sealed anew with the new key
    other, _ = log_in(app)  # a recovery code made under the old key still stands in
    assert post_form(other, "/login/code", code=codes[0]).status_code == 302 and signed_in(other)

    app.config["SECRET_KEY_FALLBACKS"] = []  # the old key dropped: the new one opens it alone
    clock.advance(seconds=31)
    third, _ = log_in(app)
    assert post_form(third, "/login/code", code=code_at(secret, clock)).status_code == 302 and signed_in(third)


def test_a_secret_no_key_opens_stays_on_and_an_administrator_resets_it(app, clock, office, make_user):
    app.config["SECRET_KEY"] = OLD_KEY
    desk = staff_browser(app, office.email)
    secret, _codes = turn_on(app, desk, clock)
    app.config.update(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[])  # the old key lost
    db.session.expire_all()
    assert db.session.get(User, office.id).two_factor_on  # never turned off by a key change
    clock.advance(seconds=31)
    browser, response = log_in(app)
    assert response.headers["Location"].endswith("/login/code")
    refused = post_form(browser, "/login/code", code=code_at(secret, clock))
    assert refused.status_code == 422 and not signed_in(browser)

    result: Result = app.test_cli_runner().invoke(args=["users", "reseal"])
    assert result.exit_code == 1 and "office@mz.gov.cn" in result.output

    make_user("admin", "admin@mz.gov.cn")
    admin = staff_browser(app, "admin@mz.gov.cn")
    reset = admin.post(f"/admin/users/{office.id}/two-factor/reset",
                       data={"csrf_token": csrf_token(admin, f"/admin/users/{office.id}")})
    assert reset.status_code in (302, 303)
    db.session.expire_all()
    assert not db.session.get(User, office.id).two_factor_on and stored(office.id) is None


def test_reseal_seals_every_secret_with_the_current_key(app, clock, office):
    app.config["SECRET_KEY"] = OLD_KEY
    secret, _codes = turn_on(app, staff_browser(app, office.email), clock)
    app.config.update(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[OLD_KEY])
    result = app.test_cli_runner().invoke(args=["users", "reseal"])
    assert result.exit_code == 0 and "重新加密 1 个账号" in result.output
    db.session.expire_all()
    assert unseal(stored(office.id), (NEW_KEY,)) == secret
    assert unseal(stored(office.id), (OLD_KEY,)) is None


def test_sealing_is_authenticated():
    sealed = seal("JBSWY3DPEHPK3PXP", ("k1",))
    assert unseal(sealed, ("k1",)) == "JBSWY3DPEHPK3PXP"
    assert unseal(sealed, ("k2",)) is None
    tampered = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]
    assert unseal(tampered, ("k1",)) is None
    assert seal("JBSWY3DPEHPK3PXP", ("k1",)) != sealed  # a fresh IV each time
    assert "JBSWY3DPEHPK3PXP" not in sealed
