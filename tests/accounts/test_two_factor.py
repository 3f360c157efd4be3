"""Two-step login for staff: turned on by scanning a QR code and typing a code, then asked after the password; a
code is taken once; ten one-use recovery codes; turned off with password and code, or reset by an administrator;
required of everyone when the deployment says so. Codes are computed as an authenticator app does (pyotp, RFC
6238) at the portal's clock."""
import re

import pyotp
from sqlalchemy import select

from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.extensions import db
from tests.helpers import Browser, csrf_token, staff_browser

PASSWORD = "correct horse 1"


def code_at(secret: str, clock, offset: int = 0) -> str:
    return pyotp.TOTP(secret).at(clock.now(), counter_offset=offset)


def post_form(browser, url: str, **fields):
    return browser.post(url, data={"csrf_token": csrf_token(browser, url), **fields})


def turn_on(app, browser, clock) -> tuple[str, list[str]]:
    """Through the page: read the secret it shows (as the app would from the QR code), send its current code."""
    page = browser.get("/two-factor").get_data(as_text=True)
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    uri = pyotp.TOTP(secret).provisioning_uri(name="office@mz.gov.cn", issuer_name="公开征求意见平台")
    assert "<svg" in page and 'class="qr-code"' in page and uri.startswith("otpauth://totp/")
    done = browser.post("/two-factor", data={"csrf_token": csrf_token_of(page), "code": code_at(secret, clock)})
    assert done.status_code == 200, done.get_data(as_text=True)[:300]
    codes = re.findall(r"<code>([A-Z0-9]{4}-[A-Z0-9]{4})</code>", done.get_data(as_text=True))
    return secret, codes


def csrf_token_of(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def log_in(app, email: str = "office@mz.gov.cn", password: str = PASSWORD, address: str = "127.0.0.1"):
    """Password first: the browser and where the login sent it."""
    browser = Browser(app)
    response = browser.post("/login", data={"csrf_token": csrf_token(browser, "/login"), "email": email,
                                            "password": password}, environ_base={"REMOTE_ADDR": address})
    return browser, response


def signed_in(browser) -> bool:
    return browser.get("/office/").status_code == 200


def test_turned_on_the_login_asks_for_the_apps_code_after_the_password(app, clock, office):
    desk = staff_browser(app, office.email)
    secret, codes = turn_on(app, desk, clock)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert signed_in(desk)  # this browser goes on
    db.session.expire_all()
    assert db.session.get(User, office.id).two_factor_on
    assert [e.action for e in db.session.scalars(select(AuditEntry))] == ["two_factor_on"]

    browser, response = log_in(app)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/code")
    assert not signed_in(browser)  # a right password alone is not a login
    wrong = post_form(browser, "/login/code", code="000000" if code_at(secret, clock) != "000000" else "111111")
    assert wrong.status_code == 422 and "验证码不对" in wrong.get_data(as_text=True)
    assert not signed_in(browser)
    clock.advance(seconds=31)  # a new step: the code turned on with is spent
    right = post_form(browser, "/login/code", code=code_at(secret, clock))
    assert right.status_code == 302 and signed_in(browser)

    # the same code again, in another browser: refused (a code is taken once)
    other, _ = log_in(app)
    again = post_form(other, "/login/code", code=code_at(secret, clock))
    assert again.status_code == 422 and not signed_in(other)
    # the app's next code, a step later, is fine; one step of drift is allowed
    assert post_form(other, "/login/code", code=code_at(secret, clock, +1)).status_code == 302 and signed_in(other)


def test_a_recovery_code_stands_in_once(app, clock, office):
    desk = staff_browser(app, office.email)
    _secret, codes = turn_on(app, desk, clock)
    browser, _ = log_in(app)
    assert post_form(browser, "/login/code", code=codes[3].lower()).status_code == 302 and signed_in(browser)
    again, _ = log_in(app)
    assert post_form(again, "/login/code", code=codes[3]).status_code == 422
    assert "还有 9 个没用过的恢复码" in browser.get("/two-factor").get_data(as_text=True)


def test_the_second_step_waits_five_minutes_and_needs_the_password_first(app, clock, office):
    desk = staff_browser(app, office.email)
    turn_on(app, desk, clock)
    fresh = Browser(app)
    assert fresh.get("/login/code").headers["Location"].endswith("/login")  # no password given: back to it
    browser, _ = log_in(app)
    clock.advance(minutes=6)
    late = browser.get("/login/code")
    assert late.status_code == 302 and late.headers["Location"].endswith("/login")


def test_turning_it_off_needs_the_password_and_a_code_and_an_administrator_can_reset_it(app, clock, office,
                                                                                       make_user):
    desk = staff_browser(app, office.email)
    secret, _codes = turn_on(app, desk, clock)
    clock.advance(seconds=31)
    refused = post_form(desk, "/two-factor", password="wrong password", code=code_at(secret, clock))
    assert refused.status_code == 422 and "密码不正确" in refused.get_data(as_text=True)
    off = post_form(desk, "/two-factor", password=PASSWORD, code=code_at(secret, clock))
    assert off.status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, office.id).two_factor_on
    assert signed_in(desk)
    assert log_in(app)[1].headers["Location"].endswith("/office/")  # the password alone again: the office lands at work

    clock.advance(seconds=31)
    _secret, _codes = turn_on(app, desk, clock)
    make_user("admin", "admin@example.gov.cn")
    admin = staff_browser(app, "admin@example.gov.cn")
    page = admin.get(f"/admin/users/{office.id}").get_data(as_text=True)
    assert "重置两步验证" in page
    reset = admin.post(f"/admin/users/{office.id}/two-factor/reset", data={"csrf_token": csrf_token_of(page)})
    assert reset.status_code == 302
    assert not signed_in(desk)  # the reset ends the account's sessions
    db.session.expire_all()
    assert not db.session.get(User, office.id).two_factor_on
    entries = [(e.action, e.actor_label) for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert entries[-1] == ("two_factor_off", "admin user <admin@example.gov.cn>")


def test_required_by_the_deployment_staff_turn_it_on_before_anything_else(app, clock, office):
    app.config["TWO_FACTOR_REQUIRED"] = True
    desk = staff_browser(app, office.email)
    first = desk.get("/office/")
    assert first.status_code == 302 and first.headers["Location"].endswith("/two-factor")
    assert "本平台要求工作人员开启两步验证" in desk.get("/two-factor").get_data(as_text=True)
    assert desk.get("/consultations/").status_code == 302  # every page waits
    _secret, _codes = turn_on(app, desk, clock)
    assert signed_in(desk)
    page = desk.get("/two-factor").get_data(as_text=True)
    assert "不能关闭" in page and "关闭两步验证</button>" not in page
    assert Browser(app).get("/consultations/").status_code == 200  # the public is never asked anything


def test_the_secret_shown_is_this_browsers_until_confirmed(app, clock, office):
    desk = staff_browser(app, office.email)
    page = desk.get("/two-factor").get_data(as_text=True)
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    wrong = desk.post("/two-factor", data={"csrf_token": csrf_token_of(page), "code": "12345"})
    assert wrong.status_code == 422 and "验证码不对" in wrong.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, office.id).totp_secret is None  # nothing stored before a right code
    assert secret not in str(db.session.get(User, office.id).recovery_codes)


def wrong_code_for_recovery_codes(app, clock, office):
    """Two-step sign-in turned on, then new recovery codes asked for with a wrong code (refused: 302 back): the staff
    member's browser, the app's secret, the recovery codes and the two-step page the form was sent from."""
    desk = staff_browser(app, office.email)
    secret, codes = turn_on(app, desk, clock)
    page = desk.get("/two-factor").get_data(as_text=True)
    refused = desk.post("/two-factor", data={"csrf_token": csrf_token_of(page), "action": "recovery_codes",
                                             "code": "999999" if code_at(secret, clock) != "999999" else "888888"})
    assert refused.status_code == 302
    return desk, secret, codes, page


def test_new_recovery_codes_replace_the_old_ones_for_a_code_of_the_app(app, clock, office):
    desk, secret, old, page = wrong_code_for_recovery_codes(app, clock, office)
    assert "验证码不对，或者已经用过。" in desk.get("/two-factor").get_data(as_text=True)
    clock.advance(seconds=31)
    made = desk.post("/two-factor", data={"csrf_token": csrf_token_of(page), "action": "recovery_codes",
                                          "code": code_at(secret, clock)})
    new = re.findall(r"<code>([A-Z0-9]{4}-[A-Z0-9]{4})</code>", made.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    browser, _ = log_in(app)
    assert post_form(browser, "/login/code", code=old[0]).status_code == 422  # the old ones are void
    assert post_form(browser, "/login/code", code=new[0]).status_code == 302 and signed_in(browser)


def test_a_refused_code_is_said_in_the_language_of_the_page_that_shows_it(app, clock, office):
    """Refused on a Chinese page (new recovery codes for a wrong code), read in English after switching."""
    desk = wrong_code_for_recovery_codes(app, clock, office)[0]
    english = desk.get("/two-factor?lang=en").get_data(as_text=True)
    assert "The code is not right, or was used already." in english and "验证码不对" not in english


def test_codes_tried_are_limited_per_account_whatever_the_address(app, clock, office):
    desk = staff_browser(app, office.email)
    secret, _codes = turn_on(app, desk, clock)
    wrong = "000000" if code_at(secret, clock) != "000000" else "111111"
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"):
        browser, _ = log_in(app, address=address)  # (passwords too are counted per address and e-mail)
        response = browser.post("/login/code", data={"csrf_token": csrf_token(browser, "/login/code"), "code": wrong},
                                environ_base={"REMOTE_ADDR": address})
        assert response.status_code == 422
    browser, _ = log_in(app, address="10.0.0.6")
    clock.advance(seconds=31)
    blocked = browser.post("/login/code", data={"csrf_token": csrf_token(browser, "/login/code"),
                                                "code": code_at(secret, clock)}, environ_base={"REMOTE_ADDR": "10.0.0.6"})
    assert blocked.status_code == 429 and "验证码尝试次数太多" in blocked.get_data(as_text=True)
    assert not signed_in(browser)


def test_an_administrator_cannot_reset_their_own_without_a_code(app, clock, make_user):
    """A stolen administrator's session must not take away that account's own second factor: that needs the
    password and a code at /two-factor, or another administrator."""
    admin_user = make_user("admin", "boss@example.gov.cn")
    admin = staff_browser(app, admin_user.email)
    turn_on(app, admin, clock)
    page = admin.get(f"/admin/users/{admin_user.id}").get_data(as_text=True)
    assert "重置两步验证" not in page and 'href="/two-factor"' in page
    token = csrf_token_of(page)  # the account form's
    refused = admin.post(f"/admin/users/{admin_user.id}/two-factor/reset", data={"csrf_token": token})
    assert refused.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, admin_user.id).two_factor_on and signed_in(admin)
    assert "请另一位管理员重置" in admin.get(refused.headers["Location"]).get_data(as_text=True)


def test_one_code_sent_by_two_logins_at_once_lets_one_in(app, clock, office):
    """Each login read the account before the other wrote the step it took: both had passed. The step is now taken
    by a compare-and-set of the row: the login whose read is stale is refused."""
    from sqlalchemy import update

    from portal.accounts.two_factor import check_second_step

    browser = staff_browser(app, "office@mz.gov.cn")
    secret, _codes = turn_on(app, browser, clock)
    clock.advance(seconds=60)
    code = code_at(secret, clock)
    db.session.expire_all()
    first_read = db.session.get(User, office.id)  # this login has read the account …
    assert first_read.totp_last_step is not None
    with db.engine.begin() as other:  # … when another takes the same code's step
        other.execute(update(User).where(User.id == office.id)
                      .values(totp_last_step=pyotp.TOTP(secret).timecode(clock.now())))
    assert check_second_step(first_read, code) is False
    clock.advance(seconds=30)
    assert check_second_step(first_read, code_at(secret, clock)) is True  # the next code is its own


def test_one_recovery_code_sent_by_two_logins_at_once_lets_one_in(app, clock, office):
    """Each login read the account's recovery codes before the other used one: on SQLite both had passed (PostgreSQL
    locks the row). The codes are now read as stored and taken by a compare-and-set: the stale login is refused."""
    from sqlalchemy import update

    from portal.accounts.two_factor import check_second_step

    desk = staff_browser(app, office.email)
    _secret, codes = turn_on(app, desk, clock)
    db.session.expire_all()
    first_read = db.session.get(User, office.id)  # this login has read the codes …
    assert len(first_read.recovery_codes) == 10
    others = list(first_read.recovery_codes)
    with db.engine.begin() as other:  # … when another uses the same code (its hash taken out)
        other.execute(update(User).where(User.id == office.id).values(recovery_codes=others[:3] + others[4:]))
    assert check_second_step(first_read, codes[3]) is False
    assert check_second_step(first_read, codes[5]) is True  # another code is its own
    db.session.commit()
    db.session.expire_all()
    assert len(db.session.get(User, office.id).recovery_codes) == 8


def test_codes_that_are_right_do_not_count_towards_the_limit(app, clock, office):
    """Right codes counted like wrong ones: after five logins in a minute the sixth was refused."""
    desk = staff_browser(app, office.email)
    secret, _codes = turn_on(app, desk, clock)
    for _ in range(7):
        clock.advance(seconds=31)  # each login with the app's next code
        browser, response = log_in(app)
        assert response.status_code == 302 and response.headers["Location"].endswith("/login/code")
        right = post_form(browser, "/login/code", code=code_at(secret, clock))
        assert right.status_code == 302 and signed_in(browser)
