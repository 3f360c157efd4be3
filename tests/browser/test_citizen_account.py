"""A citizen signs in from the comment form on a phone, comments signed in, finds the comment in "my comments",
signs out; every account page passes axe and fits a 360 px screen, in Chinese and English, normal and elderly.

The live portal has no SMTP server: the link is made as the mail worker makes it (portal/citizens/services.py
link_token); tests/citizens sends it through a real SMTP server."""
import pytest
from sqlalchemy import select

from portal.extensions import db
from tests.browser.conftest import DESKTOP, PHONE, run_axe

pytestmark = pytest.mark.browser


def sign_in_link(live_portal, email: str) -> str:
    from portal.citizens.models import SignInLink
    from portal.citizens.services import link_token

    with live_portal.app.app_context():
        link = db.session.scalars(select(SignInLink).where(SignInLink.email == email)
                                  .order_by(SignInLink.id.desc())).first()
        assert link is not None, "no sign-in link was asked for"
        path = f"/account/sign-in/{link_token(link)}"
        db.session.remove()
    return path


def fits(page, viewport) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_sign_in_from_the_comment_form_comment_and_find_it_in_my_comments(open_page, live_portal, viewport):
    email = f"zhang.shufu.{viewport['width']}@example.cn"
    page = open_page(viewport=viewport)
    page.goto(f"/consultations/{live_portal.consultation_id}")
    section_url = page.locator("a.comment-link").nth(2).get_attribute("href").split("#")[0]
    page.goto(section_url)
    page.locator("form.comment-form").get_by_role("link", name="用电子邮箱登录").click()
    assert page.get_by_role("heading", level=1).inner_text() == "用电子邮箱登录"
    page.get_by_label("您的电子邮箱").fill(email)
    page.get_by_role("button", name="发送登录邮件").click()
    assert page.get_by_role("heading", level=1).inner_text() == "请查收登录邮件"
    assert email in page.locator("main").inner_text()
    assert fits(page, viewport)

    page.goto(sign_in_link(live_portal, email))
    assert email in page.locator("main").inner_text()
    page.locator("main").get_by_role("button", name="登录").click()
    assert page.url.endswith(section_url)  # back where the citizen was
    form = page.locator("form.comment-form")
    assert form.get_by_label("联系电话或电子邮箱（可不填）").input_value() == email
    assert "您已登录" in form.inner_text()
    body = f"登录以后提的意见（{viewport['width']}）。"
    form.locator("textarea[name=body]").fill(body)
    form.get_by_role("button", name="提交意见").click()
    receipt = page.locator(".receipt-number").inner_text()

    page.locator("header").get_by_role("link", name="我的意见").click()
    assert page.get_by_role("heading", level=1).inner_text() == "我的意见"
    mine = page.locator("li.my-comment", has_text=receipt)
    assert mine.count() == 1 and body in mine.inner_text() and "等待审核" in mine.inner_text()
    assert fits(page, viewport)

    page.locator("header").get_by_role("button", name="退出").click()
    page.goto("/account/")
    assert page.get_by_role("heading", level=1).inner_text() == "用电子邮箱登录"


@pytest.mark.parametrize("language, elderly", [("zh_CN", False), ("zh_CN", True), ("en", False), ("en", True)],
                         ids=["zh", "zh-elderly", "en", "en-elderly"])
def test_account_pages_pass_axe_and_fit_a_phone(open_page, live_portal, language, elderly):
    email = f"axe.{language.lower()}.{int(elderly)}@example.cn"
    page = open_page(viewport=PHONE, bypass_csp=True)  # only so that axe itself can be injected
    page.goto(f"/settings/language/{language}")
    if elderly:
        page.goto("/settings/elderly/on")
    problems, too_wide = {}, []

    def check(name):
        problems[name] = run_axe(page)
        if not fits(page, PHONE):
            too_wide.append((name, page.evaluate("document.documentElement.scrollWidth")))

    page.goto("/account/sign-in")
    check("sign in")
    page.locator("main form button[type=submit]").click()  # empty: the error state
    page.wait_for_selector(".error-summary")
    check("sign in with errors")
    page.locator("main input[type=email]").fill(email)
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".panel-confirm")
    check("link sent")
    link = sign_in_link(live_portal, email)
    page.goto(link)
    check("confirm sign in")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".admin-nav")
    check("my comments (none)")
    page.goto("/account/settings")
    check("settings")
    page.goto("/account/delete")
    check("delete")
    page.goto(link)  # used: the problem page
    check("used link")
    assert {name: found for name, found in problems.items() if found} == {}
    assert too_wide == []
