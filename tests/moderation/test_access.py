"""Every moderation and administration URL: citizens are sent to log in, office staff get 403."""
import pytest

from tests.helpers import csrf_token

URLS = [
    ("get", "/moderation"),
    ("post", "/moderation/actions"),
    ("get", "/admin/moderation-modes"),
    ("post", "/admin/moderation-modes/1"),
    ("get", "/admin/sensitive-words/"),
    ("post", "/admin/sensitive-words/"),
    ("post", "/admin/sensitive-words/import"),
    ("post", "/admin/sensitive-words/1/delete"),
    ("get", "/admin/audit"),
]
ADMIN_ONLY = [url for url in URLS if url[1].startswith("/admin/")]


def _request(client, method, url):
    data = {"csrf_token": csrf_token(client, "/login")} if method == "post" else None
    return getattr(client, method)(url, data=data)


@pytest.mark.parametrize("method, url", URLS)
def test_citizens_are_sent_to_log_in(client, method, url):
    response = _request(client, method, url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("method, url", URLS)
def test_office_staff_are_refused(client, make_user, login, method, url):
    make_user("office", email="office@example.gov.cn", unit_name="民政局")
    login("office@example.gov.cn")
    assert _request(client, method, url).status_code == 403


@pytest.mark.parametrize("method, url", ADMIN_ONLY)
def test_moderators_may_not_administer(client, make_user, login, method, url):
    make_user("moderator", email="mod@example.gov.cn")
    login("mod@example.gov.cn")
    assert _request(client, method, url).status_code == 403


def test_moderators_see_the_queue_and_the_nav_link(client, make_user, login):
    make_user("moderator", email="mod@example.gov.cn")
    login("mod@example.gov.cn")
    page = client.get("/moderation")
    assert page.status_code == 200 and 'href="/moderation"' in page.get_data(as_text=True)
