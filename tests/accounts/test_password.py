"""A staff member changes their own password: the other browsers' sessions end, this one goes on; an administrator
setting a new password ends the staff member's sessions too."""
import re

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.extensions import db
from tests.helpers import Browser, csrf_token, staff_browser

OLD = "correct horse 1"
NEW = "battery staple 22"


def signed_in(browser) -> bool:
    return browser.get("/office/").status_code == 200


def post_form(browser, url: str, **fields):
    return browser.post(url, data={"csrf_token": csrf_token(browser, url), **fields})


def change(client, current: str, new: str, repeated: str | None = None):
    return post_form(client, "/password", current_password=current, new_password=new,
                     repeated_password=new if repeated is None else repeated)


def test_changing_ones_password_ends_the_other_sessions_and_keeps_this_one(app, make_user):
    user = make_user("office", "office@mz.gov.cn", unit_name="市民政局")
    desk, phone = staff_browser(app, user.email, OLD), staff_browser(app, user.email, OLD)
    assert signed_in(desk) and signed_in(phone)
    assert 'href="/password"' in desk.get("/office/").get_data(as_text=True)

    response = change(desk, OLD, NEW)
    assert response.status_code == 302
    assert "其他浏览器和设备上的登录已经退出" in desk.get(response.headers["Location"]).get_data(as_text=True)
    assert signed_in(desk)  # this browser goes on
    assert not signed_in(phone)  # the other one must log in again
    assert not signed_in(staff_browser(app, user.email, OLD))
    assert signed_in(staff_browser(app, user.email, NEW))
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "change_password")).one()
    assert entry.actor_id == user.id and entry.after == {"password": "changed"}
    assert NEW not in str(entry.after)


@pytest.mark.parametrize("current, new, repeated, message", [
    ("wrong password!", NEW, NEW, "当前密码不正确。"),
    (OLD, "short", "short", "密码至少需要 10 个字符。"),
    (OLD, OLD, OLD, "新密码不能和当前密码相同。"),
    (OLD, "office@mz.gov.cn", "office@mz.gov.cn", "密码不能是自己的电子邮箱。"),
    (OLD, NEW, NEW + "x", "两次输入的新密码不一样。"),
])
def test_a_refused_change_says_why_and_changes_nothing(app, make_user, current, new, repeated, message):
    user = make_user("office", "office@mz.gov.cn", unit_name="市民政局")
    desk = staff_browser(app, user.email, OLD)
    response = change(desk, current, new, repeated)
    assert response.status_code == 422
    assert message in re.sub(r"<[^>]+>", "", response.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(OLD)
    assert signed_in(desk) and signed_in(staff_browser(app, user.email, OLD))


def test_an_administrator_setting_a_new_password_ends_the_staff_members_sessions(app, make_user):
    from portal.units.models import Unit

    make_user("admin", "admin@example.gov.cn")
    user = make_user("office", "office@mz.gov.cn", unit_name="市民政局")
    office = staff_browser(app, user.email, OLD)
    assert signed_in(office)
    admin = staff_browser(app, "admin@example.gov.cn", OLD)
    unit_id = db.session.scalar(select(Unit.id).where(Unit.name == "市民政局"))
    url = f"/admin/users/{user.id}"
    response = post_form(admin, url, name=user.name, role="office", unit=str(unit_id), active="y", password=NEW)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert not signed_in(office)
    assert signed_in(staff_browser(app, user.email, NEW))
    # an edit that sets no password leaves the sessions alone
    again = staff_browser(app, user.email, NEW)
    post_form(admin, url, name="新名字", role="office", unit=str(unit_id), active="y", password="")
    assert signed_in(again)


def test_a_session_made_before_the_epoch_existed_still_works_until_the_password_changes(app, make_user):
    """Sessions from before migration 0020 name the account by its number alone."""
    user = make_user("moderator", "moderator@example.gov.cn")
    client = Browser(app)
    with client.client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    db.session.get(User, user.id).session_epoch = 0
    db.session.commit()
    assert client.get("/moderation").status_code == 200
    db.session.get(User, user.id).set_password(NEW)
    db.session.commit()
    assert client.get("/moderation").status_code == 302
