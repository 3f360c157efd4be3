"""Staff log in with a hashed password; citizens need no account; ``flask users create`` makes the first admin."""
import re

from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db


def test_users_create_command_and_login(app, client, login):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--email", "Admin@Example.gov.cn", "--name", "管理员", "--role", "admin",
              "--password", "a long enough pw"]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User)).one()
    assert user.email == "admin@example.gov.cn" and user.password_hash.startswith("scrypt:")
    assert "a long enough pw" not in user.password_hash
    response = login("admin@example.gov.cn", "a long enough pw")
    assert response.status_code == 302
    assert client.get("/consultations/").status_code == 200


def test_wrong_password_is_refused_plainly(app, client, make_user, login):
    make_user("moderator")
    response = login("moderator@example.gov.cn", "wrong password")
    assert response.status_code == 422
    assert "电子邮箱或密码不正确" in response.get_data(as_text=True)
    page = response.get_data(as_text=True)  # said at the field too, and read with it
    email = re.search(r'<input[^>]*id="email"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in email and 'aria-describedby="email-error"' in email
    assert '<div id="email-error"><p class="field-error">' in page


def test_office_staff_need_a_unit_and_short_passwords_are_refused(app):
    runner = app.test_cli_runner()
    no_unit = runner.invoke(args=["users", "create", "--email", "o@x.cn", "--name", "o", "--role", "office",
                                  "--password", "a long enough pw"])
    assert no_unit.exit_code != 0 and "必须属于一个单位" in no_unit.output
    short = runner.invoke(args=["users", "create", "--email", "a@x.cn", "--name", "a", "--role", "admin",
                                "--password", "short"])
    assert short.exit_code != 0 and "至少需要 10 个字符" in short.output
    assert db.session.scalars(select(User)).all() == []


def test_login_never_redirects_off_site(app, client, make_user):
    make_user("admin")
    from tests.helpers import csrf_token

    token = csrf_token(client, "/login")
    response = client.post("/login?next=//evil.example/x", data={"csrf_token": token, "email": "admin@example.gov.cn",
                                                                 "password": "correct horse 1"})
    assert response.status_code == 302 and "evil.example" not in response.headers["Location"]


def test_staff_land_on_their_own_work_and_a_next_page_still_wins(app, make_user):
    """Logged in from the header's link, staff land where their work is (the office's workspace, the moderation
    queue, the administration), not on the public list where nothing says what to do next; a page that sent them
    to log in (``next``) is still where they go."""
    from tests.helpers import Browser, csrf_token

    make_user("office", unit_name="市民政局")
    make_user("moderator")
    make_user("admin")

    def log_in(email: str, query: str = "") -> str:
        browser = Browser(app)
        token = csrf_token(browser, "/login")
        response = browser.post(f"/login{query}", data={"csrf_token": token, "email": email,
                                                        "password": "correct horse 1"})
        assert response.status_code == 302
        return response.headers["Location"]

    assert log_in("office@example.gov.cn") == "/office/"
    assert log_in("moderator@example.gov.cn") == "/moderation"
    assert log_in("admin@example.gov.cn") == "/admin/"
    assert log_in("moderator@example.gov.cn", "?next=/consultations/3") == "/consultations/3"
