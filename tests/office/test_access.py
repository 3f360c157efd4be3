"""Every role check, tried by doing the forbidden thing: anonymous → login, wrong role → 403,
another unit's consultation → 404, and a forbidden POST changes nothing."""
import pytest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.units.models import Unit
from tests.helpers import shanghai

OFFICE_PAGES = ["/office/", "/office/upload"]
CONSULTATION_PAGES = ["", "/notice", "/publish", "/extend", "/revise", "/sections/{section}", "/comments/new",
                      "/comments/import"]
ADMIN_PAGES = ["/admin/", "/admin/users", "/admin/users/new", "/admin/users/{user}", "/admin/units",
               "/admin/units/new", "/admin/units/{unit}", "/admin/units/import"]
ADMIN_POSTS = ["/admin/users/new", "/admin/users/{user}", "/admin/units/new", "/admin/units/{unit}",
               "/admin/units/import", "/admin/units/aliases"]


@pytest.fixture
def world(app, clock, make_staff, small_consultation):
    """A consultation of 市民政局, staff of every role, and an office of another unit."""
    clock.set(shanghai(2023, 4, 12, 10, 0))
    owner = make_staff("office", "owner@mz.gov.cn", "市民政局")
    make_staff("office", "other@wjw.gov.cn", "市卫健委")
    make_staff("moderator", "moderator@example.gov.cn")
    make_staff("admin", "admin@example.gov.cn")
    consultation = small_consultation(owner.unit)
    unit = db.session.scalar(select(Unit).where(Unit.name == "市民政局"))
    return {"consultation": consultation.id, "section": consultation.current_draft.sections[0].id,
            "user": owner.id, "unit": unit.id}


def fill(url: str, world: dict) -> str:
    return url.format(**world)


def consultation_url(suffix: str, world: dict) -> str:
    return f"/office/consultations/{world['consultation']}" + fill(suffix, world)


@pytest.mark.parametrize("url", OFFICE_PAGES + ADMIN_PAGES)
def test_anonymous_is_sent_to_login(client, world, url):
    response = client.get(fill(url, world))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("suffix", CONSULTATION_PAGES)
def test_anonymous_cannot_see_a_consultation_page(client, world, suffix):
    response = client.get(consultation_url(suffix, world))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("url", OFFICE_PAGES + ADMIN_PAGES)
def test_moderator_may_not_use_office_or_admin_pages(client, login, world, url):
    login("moderator@example.gov.cn")
    assert client.get(fill(url, world)).status_code == 403


@pytest.mark.parametrize("suffix", CONSULTATION_PAGES)
def test_moderator_may_not_manage_a_consultation(client, login, world, suffix):
    login("moderator@example.gov.cn")
    assert client.get(consultation_url(suffix, world)).status_code == 403


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_office_staff_may_not_use_admin_pages(client, login, world, url):
    login("owner@mz.gov.cn")
    assert client.get(fill(url, world)).status_code == 403


def test_a_page_of_another_role_says_so_in_the_portals_own_words(client, login, world):
    """The 403 is the portal's page, in the reader's language, with the staff's links: not the server's bare
    English "Forbidden"."""
    login("owner@mz.gov.cn")
    response = client.get("/moderation")
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "没有权限打开这个页面" in page and "Forbidden" not in page
    assert 'href="/office/"' in page  # the office's own workspace, one click away
    client.get("/settings/language/en")
    english = client.get("/admin/units").get_data(as_text=True)
    assert "You may not open this page" in english and "没有权限" not in english


@pytest.mark.parametrize("url", ADMIN_POSTS)
def test_office_staff_may_not_post_to_admin_pages(client, login, world, url):
    from tests.helpers import csrf_token

    login("owner@mz.gov.cn")
    token = csrf_token(client, "/office/upload")
    response = client.post(fill(url, world), data={"csrf_token": token, "name": "x", "email": "x@x.cn",
                                                    "role": "admin", "unit": "0", "password": "0123456789ab"})
    assert response.status_code == 403
    assert db.session.scalars(select(AuditEntry)).all() == []


@pytest.mark.parametrize("suffix", CONSULTATION_PAGES)
def test_office_of_another_unit_gets_404(client, login, world, suffix):
    login("other@wjw.gov.cn")
    assert client.get(consultation_url(suffix, world)).status_code == 404


def test_office_of_another_unit_cannot_publish_or_edit_and_does_not_see_it_listed(client, login, world):
    from tests.helpers import csrf_token

    login("other@wjw.gov.cn")
    assert "关于养老服务的实施意见" not in client.get("/office/").get_data(as_text=True)
    token = csrf_token(client, "/office/upload")
    base = consultation_url("", world)
    assert client.post(f"{base}/publish", data={"csrf_token": token, "opens": "now",
                                                "deadline_date": "2023-06-30"}).status_code == 404
    assert client.post(f"{base}/notice", data={"csrf_token": token, "title": "改了"}).status_code == 404
    assert client.get(f"/consultations/{world['consultation']}").status_code == 404  # still unpublished
    assert db.session.scalars(select(AuditEntry)).all() == []


def test_owner_and_admin_may_manage_it(client, login, world):
    login("owner@mz.gov.cn")
    assert client.get(consultation_url("", world)).status_code == 200
    assert "关于养老服务的实施意见" in client.get("/office/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": __import__("tests.helpers").helpers.csrf_token(client, "/office/upload")})
    login("admin@example.gov.cn")
    for suffix in CONSULTATION_PAGES:
        assert client.get(consultation_url(suffix, world)).status_code == 200, suffix
    assert client.get("/admin/users").status_code == 200
