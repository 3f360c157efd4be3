"""A citizen attaches files to a comment in a real browser: too many or too large ones are caught before the form
is sent (what they wrote stays), a good one travels with the comment, and a moderator downloads it."""
import pytest

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n% written opinion\n%%EOF\n"


def pdf(name: str, size: int = len(PDF)) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF + b"0" * (size - len(PDF))}


def test_attach_files_check_them_in_the_browser_and_a_moderator_downloads_them(open_page, moderator_page, live_portal):
    page = open_page(viewport=PHONE)
    page.goto(f"/consultations/{live_portal.consultation_id}")
    body = "建议见附件：社区养老服务站的选址意见。"
    page.get_by_label("您的意见").fill(body)
    files = page.get_by_label("附件（可不填）")

    files.set_input_files([pdf(f"第{i}页.pdf") for i in range(1, 5)])  # one more than allowed
    check = page.locator(".comment-form p.field-error")
    assert check.inner_text() == "最多可以上传 3 个附件，您选择了 4 个。"
    page.get_by_role("button", name="提交意见").click()
    assert page.get_by_label("您的意见").input_value() == body  # not sent: nothing the citizen wrote is lost
    assert "您的意见已收到" not in page.content()

    files.set_input_files([pdf("扫描件.pdf", 5 * 1024 * 1024 + 1)])
    assert check.inner_text() == "附件“扫描件.pdf”超过了 5 MB，请压缩或分成几个文件后再上传。"

    files.set_input_files([pdf("选址意见.pdf")])
    assert check.is_hidden()
    assert page.locator(".chosen-files li").all_inner_texts() == ["已选择：选址意见.pdf（1 KB）"]
    with page.expect_request(lambda request: request.method == "POST") as sent:
        page.get_by_role("button", name="提交意见").click()
    assert sent.value.headers["content-type"].startswith("multipart/form-data")
    assert page.get_by_role("heading", level=1).inner_text() == "您的意见已收到"
    assert "选址意见.pdf" in page.locator(".attachment-list").inner_text()

    moderator = moderator_page()
    row = moderator.locator("li.queue-row", has_text=body)
    with moderator.expect_download() as download:
        row.get_by_role("link", name="选址意见.pdf").click()
    assert download.value.suggested_filename == "选址意见.pdf"
    with open(download.value.path(), "rb") as saved:
        assert saved.read() == PDF


def test_without_files_the_form_is_sent_plain_and_without_javascript_files_still_go(open_page, live_portal):
    page = open_page()
    page.goto(f"/consultations/{live_portal.consultation_id}")
    page.get_by_label("您的意见").fill("没有附件的意见。")
    with page.expect_request(lambda request: request.method == "POST") as sent:
        page.get_by_role("button", name="提交意见").click()
    assert sent.value.headers["content-type"] == "application/x-www-form-urlencoded"  # the cheaper form to read
    assert page.get_by_role("heading", level=1).inner_text() == "您的意见已收到"
    page.go_back()
    assert page.get_by_label("附件（可不填）").is_enabled()

    plain = open_page(javascript=False)
    plain.goto(f"/consultations/{live_portal.consultation_id}")
    plain.get_by_label("您的意见").fill("不用脚本也能附上文件。")
    plain.get_by_label("附件（可不填）").set_input_files([pdf("书面意见.pdf")])
    plain.get_by_role("button", name="提交意见").click()
    assert plain.get_by_role("heading", level=1).inner_text() == "您的意见已收到"
    assert "书面意见.pdf" in plain.locator(".attachment-list").inner_text()
