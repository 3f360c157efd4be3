"""A long comment is not lost before it is sent: in Chromium, what a citizen types is kept in the tab through a
reload and an expired form, and forgotten once the comment is received or the tab is closed."""
import pytest

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser

RESTORED = "已恢复您在这个页面上输入、还没有提交的意见。"


def test_a_comment_being_written_survives_a_reload_and_an_expired_form(open_page, live_portal):
    page = open_page(viewport=PHONE)
    url = f"/consultations/{live_portal.consultation_id}"
    page.goto(url)
    body = "建议在每个社区设立老年食堂，价格公开，接受居民监督。这条意见写了很久。"
    field = page.get_by_label("您的意见").first
    field.fill(body)
    page.get_by_label("联系电话或电子邮箱（可不填）").first.fill("13900001234")

    page.reload()
    field = page.get_by_label("您的意见").first
    assert field.input_value() == body
    assert page.get_by_role("status").filter(has_text=RESTORED).first.is_visible()
    assert page.get_by_label("联系电话或电子邮箱（可不填）").first.input_value() == ""  # never kept
    assert page.locator(".char-count").first.inner_text() != ""  # the count follows the restored text

    # the form expired (its session is gone): the page says so; back and refresh, the comment is still there
    page.context.clear_cookies()
    page.get_by_role("button", name="提交意见").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "页面已过期"
    page.goto(url)
    assert page.get_by_label("您的意见").first.input_value() == body

    page.get_by_role("button", name="提交意见").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "您的意见已收到"
    page.wait_for_load_state("load")  # the receipt page's script has run (under load it could still be loading)
    page.goto(url)  # received: forgotten
    assert page.get_by_label("您的意见").first.input_value() == ""
    assert page.get_by_role("status").filter(has_text=RESTORED).count() == 0


def test_another_tab_and_another_form_start_empty(open_page, live_portal):
    page = open_page()
    url = f"/consultations/{live_portal.consultation_id}"
    page.goto(url)
    page.get_by_label("您的意见").first.fill("只在这个标签页里。")
    other = page.context.new_page()  # a new tab of the same browser: its own storage
    other.goto(url)
    assert other.get_by_label("您的意见").first.input_value() == ""
    page.goto(url)
    forms = page.locator("form.comment-form textarea[name=body]")
    assert forms.first.input_value() == "只在这个标签页里。"
    keys = page.locator("form.comment-form").evaluate_all("forms => forms.map(f => f.dataset.draftKey)")
    assert len(keys) == len(set(keys))  # each form keeps its own text


def test_a_number_written_into_the_comment_is_met_with_advice_on_where_it_belongs(open_page, live_portal):
    page = open_page(viewport=PHONE)
    page.goto(f"/consultations/{live_portal.consultation_id}")
    field = page.get_by_label("您的意见").first
    note = page.locator(".personal-note").first
    field.fill("建议增加助餐点，价格要公开。")
    assert note.is_hidden()  # prices and plain words: nothing to say
    field.press_sequentially("有事请打13800138000。")
    assert note.is_visible() and "这些号码会被遮盖" in note.inner_text() and "联系电话或电子邮箱（可不填）" in note.inner_text()
    field.fill("建议增加助餐点，2025年建成6家。")
    assert note.is_hidden()


def test_the_count_is_said_aloud_only_near_the_limit_and_over_it(open_page, live_portal):
    """A live region updated at every key had a screen reader read the count over the citizen's typing."""
    page = open_page()
    page.goto(f"/consultations/{live_portal.consultation_id}")
    field = page.get_by_label("您的意见").first
    limit = int(field.get_attribute("data-maxlength"))
    spoken = page.locator(".char-count + p[aria-live]").first
    assert page.locator(".char-count").first.get_attribute("aria-hidden") == "true"
    field.fill("建议增加社区食堂。")
    assert spoken.inner_text() == ""  # far from the limit: nothing said
    field.fill("字" * (limit - 5))
    assert "5" in spoken.inner_text()  # near it: said once
    field.fill("字" * (limit + 3))
    assert "3" in spoken.inner_text() and "超出" in spoken.inner_text()
