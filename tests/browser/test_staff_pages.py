"""The staff's pages in the browser: an administrator (who sees every page of the office, the moderators and the
administration) logs in through the login page; axe-core finds no serious or critical problem on any of them,
on a desktop and on a phone (in English too), none is wider than the phone's screen, and the office's panels read top to bottom."""
from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, PHONE, run_axe

ADMIN = ("admin@example.gov.cn", "admin pass 12")


@pytest.fixture
def staff_page(open_page, live_portal):
    """A page logged in as an administrator (the account is made once)."""
    from sqlalchemy import select

    from portal.accounts.models import User
    from portal.accounts.services import create_user
    from portal.extensions import db

    with live_portal.app.app_context():
        if db.session.scalar(select(User).where(User.email == ADMIN[0])) is None:
            create_user(ADMIN[0], "管理员", ADMIN[1], "admin")
            db.session.commit()
        db.session.remove()

    def open_(viewport=DESKTOP, bypass_csp=False):
        page = open_page(viewport=viewport, bypass_csp=bypass_csp)
        page.goto("/login")
        page.locator("main input[name=email]").fill(ADMIN[0])
        page.locator("main input[name=password]").fill(ADMIN[1])
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(lambda url: "/login" not in url)
        return page

    return open_


def first_comment_id(live_portal) -> int:
    from sqlalchemy import func, select

    from portal.comments.models import Comment
    from portal.extensions import db

    with live_portal.app.app_context():
        found = db.session.scalar(
            select(func.min(Comment.id)).where(Comment.consultation_id == live_portal.consultation_id)
        )
        db.session.remove()
    return found


def first_section_id(live_portal) -> int:
    from sqlalchemy import func, select

    from portal.drafts.models import Draft, Section
    from portal.extensions import db

    with live_portal.app.app_context():
        found = db.session.scalar(select(func.min(Section.id)).join(Draft, Draft.id == Section.draft_id)
                                  .where(Draft.consultation_id == live_portal.consultation_id))
        db.session.remove()
    return found


def a_meeting_id(live_portal) -> int:
    """A forum of the consultation with two sign-ups, one given a place (made once)."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from portal.consultations.models import Consultation
    from portal.extensions import db
    from portal.meetings.models import Meeting
    from portal.meetings.services import register

    with live_portal.app.app_context():
        meeting = db.session.scalar(select(Meeting).where(Meeting.title == "工作人员页面检查座谈会"))
        if meeting is None:
            meeting = Meeting(consultation=db.session.get(Consultation, live_portal.consultation_id), kind="symposium",
                              title="工作人员页面检查座谈会", starts_at=datetime(2023, 4, 28, 1, 30, tzinfo=UTC),
                              place="市民政局三楼会议室", seats=20, status="scheduled")
            db.session.add(meeting)
            register(meeting, name="王大爷", phone="13800138000", email="wang@example.cn", organisation="某某社区",
                     statement="希望多开助餐点。", language="zh_CN")[0].status = "accepted"
            register(meeting, name="李阿姨", phone="13900139000", email=None, organisation=None, statement=None,
                     language="zh_CN")
            db.session.commit()
        found = meeting.id
        db.session.remove()
    return found


def staff_pages(consultation_id: int, comment_id: int, section_id: int, meeting_id: int) -> list[str]:
    office = f"/office/consultations/{consultation_id}"
    return [
        "/office/", "/office/upload", office, f"{office}/notice", f"{office}/extend", f"{office}/revise",
        f"{office}/sections/{section_id}",
        f"{office}/routing", f"{office}/responses",
        f"{office}/responses?answer=unanswered&stance=suggest&q=%E5%85%BB%E8%80%81",  # filtered
        f"{office}/responses/{comment_id}?answer=unanswered",  # one comment, in the filtered list
        f"{office}/responses/preview",
        f"{office}/comments/new", f"{office}/comments/import", f"{office}/comments/emails",
        f"{office}/files", f"{office}/explanatory-note", f"{office}/terms", f"{office}/questions",
        f"{office}/meetings", f"{office}/meetings/{meeting_id}", f"{office}/meetings/{meeting_id}/sign-in-sheet",
        "/moderation", "/moderation?status=approved", f"/moderation/comments/{comment_id}/section",
        "/admin/users", "/admin/users/new", "/admin/units", "/admin/units/new", "/admin/units/import", "/admin/outbox",
        "/admin/audit",
        "/admin/status",
        "/admin/sensitive-words", "/admin/moderation-modes", "/password", "/two-factor",
    ]


@pytest.mark.parametrize("viewport, language", [(DESKTOP, "zh_CN"), (PHONE, "zh_CN"), (PHONE, "en")],
                         ids=["desktop", "phone", "phone-en"])
def test_axe_finds_no_serious_problem_on_the_staff_pages(staff_page, live_portal, viewport, language):
    page = staff_page(viewport=viewport, bypass_csp=True)  # only so that axe itself can be injected
    page.goto(f"/settings/language/{language}")
    problems, too_wide = {}, []
    for path in staff_pages(live_portal.consultation_id, first_comment_id(live_portal), first_section_id(live_portal),
                            a_meeting_id(live_portal)):
        response = page.goto(path)
        assert response.status == 200, (path, response.status)
        problems[path] = run_axe(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > viewport["width"]:
            too_wide.append((path, width))
    failing = {path: found for path, found in problems.items() if found}
    assert not failing, "\n".join(f"{path}: {found}" for path, found in failing.items())
    assert too_wide == []


def test_the_responses_page_shows_its_panels_one_below_the_other(staff_page, live_portal):
    page = staff_page()
    page.goto(f"/office/consultations/{live_portal.consultation_id}/responses")
    downloads = page.locator("ul.downloads").bounding_box()
    publish = page.get_by_role("heading", name="公布答复").bounding_box()
    assert publish["y"] >= downloads["y"] + downloads["height"]  # below the list of downloads, not beside it
    assert publish["x"] <= downloads["x"]  # at the panel's left edge, not to the right of the list


def test_a_common_reason_fills_the_reason_and_its_outcome(staff_page, live_portal):
    page = staff_page()
    comment_id = first_comment_id(live_portal)
    page.goto(f"/office/consultations/{live_portal.consultation_id}/responses/{comment_id}")
    page.get_by_label("部分采纳").check()
    page.get_by_label("理由").fill("已在修改稿第三条中部分采纳。")
    page.get_by_role("button", name="保存答复").click()
    page.goto(f"/office/consultations/{live_portal.consultation_id}/responses/{comment_id}")
    page.get_by_label("不采纳").check()
    page.get_by_label("理由").fill("")
    page.locator("details.reason-picks summary").click()
    page.get_by_role("button", name="用这条理由").first.click()
    assert page.get_by_label("理由").input_value() == "已在修改稿第三条中部分采纳。"
    assert page.get_by_label("部分采纳").is_checked() and not page.get_by_label("不采纳").is_checked()
    assert page.evaluate("document.activeElement.id") == "reason"


def test_the_office_merges_a_heading_into_text_and_splits_it_out_again_before_publishing(staff_page, live_portal,
                                                                                       tmp_path):
    """Upload a draft, make a list item's heading text of the part before (并入上一部分), then start a part from
    that line again (另起一部分), all through the pages."""
    draft = tmp_path / "draft.txt"
    draft.write_text("关于社区食堂的实施意见（征求意见稿）\n一、总体要求\n坚持以人为本。\n二、主要措施\n"
                     "（一）完善服务网络。各区建设社区食堂。\n（二）加强队伍建设，培训厨师。\n", encoding="utf-8")
    page = staff_page(bypass_csp=True)  # only so that axe itself can be injected
    page.goto("/office/upload")
    page.locator("input[type=file]").set_input_files(str(draft))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: url.rstrip("/").split("/")[-1].isdigit())
    review = page.url
    count = page.locator("#outline li").count()

    page.locator("#outline li", has_text="加强队伍建设").get_by_role("link", name="修改").click()
    assert run_axe(page) == []
    page.get_by_role("button", name="并入上一部分").click()
    page.wait_for_url(lambda url: url.startswith(review))
    assert "已并入上一部分" in page.locator("main").inner_text()
    assert page.locator("#outline li").count() == count - 1

    page.locator("#outline li", has_text="完善服务网络").get_by_role("link", name="修改").click()
    assert run_axe(page) == []
    lines = page.locator("select[name=split-line] option").all_inner_texts()
    target = next(i for i, line in enumerate(lines) if line.startswith("（二）"))
    page.locator("select[name=split-line]").select_option(str(target))
    page.locator("input[name=split-level]").fill("2")
    page.get_by_role("button", name="另起一部分").click()
    page.wait_for_url(lambda url: url.startswith(review))
    assert "已另起一部分“（二）加强队伍建设" in page.locator("main").inner_text()
    assert page.locator("#outline li").count() == count


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_office_imports_its_mailbox_and_reads_what_became_of_each_message(staff_page, live_portal, tmp_path,
                                                                              viewport):
    """Choose two saved messages in the file field at once; the page lists each one's outcome, readable on a phone."""
    from email.message import EmailMessage
    from email.utils import format_datetime, make_msgid
    from datetime import timedelta

    from portal.consultations.models import Consultation
    from portal.core.time import now as portal_now  # the portal's clock, set by the tests
    from portal.extensions import db

    with live_portal.app.app_context():  # a moment within its period
        consultation = db.session.get(Consultation, live_portal.consultation_id)
        sent = min(consultation.deadline, portal_now()) - timedelta(minutes=5)
        db.session.remove()
    paths = []
    for number, (subject, extra) in enumerate([("关于社区食堂的建议", None), ("自动回复：休假中", "auto-replied")]):
        message = EmailMessage()
        message["From"] = "赵阿姨 <zhao@example.cn>"
        message["Subject"] = subject
        message["Date"] = format_datetime(sent)
        message["Message-ID"] = make_msgid()
        if extra:
            message["Auto-Submitted"] = extra
        message.set_content(f"浏览器测试的邮件意见{number}。")
        path = tmp_path / f"{number}.eml"
        path.write_bytes(message.as_bytes())
        paths.append(str(path))
    page = staff_page(viewport=viewport, bypass_csp=True)  # only so that axe itself can be injected
    page.goto(f"/office/consultations/{live_portal.consultation_id}/comments/new")
    page.get_by_role("link", name="导入电子邮箱收到的意见邮件").click()
    page.get_by_label("邮件文件").set_input_files(paths)
    page.get_by_role("button", name="上传并录入").click()
    status = page.get_by_role("status")
    assert "已录入 1 封邮件中的意见。" in status.inner_text(), page.locator("table").inner_text()
    assert "1 封是自动回复或退信" in status.inner_text()
    rows = page.locator("table tbody tr")
    assert rows.count() == 2
    assert "赵阿姨" in rows.nth(0).inner_text() and "草案整体" in rows.nth(0).inner_text()
    assert "自动回复，未录入" in rows.nth(1).inner_text()
    assert run_axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    rows.nth(0).get_by_role("link").click()  # its receipt number: the office's page of that comment
    assert "浏览器测试的邮件意见0。" in page.locator("main").inner_text()


def test_too_much_mail_for_one_upload_is_said_before_it_is_sent(staff_page, live_portal, tmp_path):
    big = tmp_path / "收件箱.mbox"
    with big.open("wb") as out:  # a folder larger than one request may be
        out.truncate(21 * 1024 * 1024)
    page = staff_page()
    url = f"/office/consultations/{live_portal.consultation_id}/comments/emails"
    page.goto(url)
    page.get_by_label("邮件文件").set_input_files(str(big))
    error = page.locator(".field-error[aria-live]")
    assert "超过了" in error.inner_text() and "MB" in error.inner_text()
    page.get_by_role("button", name="上传并录入").click()
    assert page.url.endswith(url) and page.get_by_role("status").count() == 0  # not sent: no result


def test_the_office_moves_a_comment_to_another_section(staff_page, live_portal):
    from portal.comments.models import Comment
    from portal.extensions import db

    page = staff_page(bypass_csp=True)  # only so that axe itself can be injected
    comment_id = first_comment_id(live_portal)
    with live_portal.app.app_context():
        original = db.session.get(Comment, comment_id).section_id
        db.session.remove()
    try:
        _move_through_the_page(page, live_portal, comment_id)
    finally:  # the portal is shared by the browser tests: the comment goes back where it was
        with live_portal.app.app_context():
            db.session.get(Comment, comment_id).section_id = original
            db.session.commit()
            db.session.remove()


def _move_through_the_page(page, live_portal, comment_id):
    page.goto(f"/office/consultations/{live_portal.consultation_id}/responses/{comment_id}")
    page.get_by_text("改归其他章节").click()
    assert run_axe(page) == []
    select = page.get_by_label("改归的章节")
    options = select.locator("option").all_inner_texts()
    target = options[2].strip()
    select.select_option(label=options[2])
    page.get_by_label("原因（可不填，记入操作记录）").fill("浏览器测试")
    page.get_by_role("button", name="改归", exact=True).click()
    assert f"已改归“{target}”" in page.locator("main").inner_text()
    assert target in page.locator(".summary-list").first.inner_text()


def test_the_audit_log_and_the_accounts_read_down_a_phone(staff_page, live_portal):
    """Seven columns squeezed into 360 px left a few letters a line (the log ~30,000 px tall): on a phone each row
    is a block, each cell as wide as the screen under its column's name."""
    page = staff_page(viewport=PHONE)
    for path in ("/admin/audit", "/admin/users"):
        page.goto(path)
        widths = page.locator("table.stack-on-phone tbody td").evaluate_all(
            "cells => cells.map(cell => cell.getBoundingClientRect().width)")
        assert widths and min(widths) > PHONE["width"] * 0.7, (path, widths[:7])
        label = page.locator("table.stack-on-phone tbody td[data-label]").first.evaluate(
            "cell => getComputedStyle(cell, '::before').content")
        assert label.strip('"') in ("时间", "姓名"), label


def test_the_proposed_meeting_name_follows_the_kind_chosen(staff_page, live_portal):
    page = staff_page()
    page.goto(f"/office/consultations/{live_portal.consultation_id}/meetings")
    title = page.get_by_label("会议名称")
    proposed = title.input_value()
    assert proposed.endswith("征求意见座谈会")
    page.get_by_label("听证会").check()
    assert title.input_value() == proposed.removesuffix("座谈会") + "听证会"
    page.get_by_label("论证会").check()
    assert title.input_value() == proposed.removesuffix("座谈会") + "论证会"
    title.fill("专家论证会（收费标准）")  # a name of the office's own is left as written
    page.get_by_label("座谈会").check()
    assert title.input_value() == "专家论证会（收费标准）"


@pytest.mark.parametrize("language, name", [("zh_CN", "安排参加：李阿姨"), ("en", "Give a place: 李阿姨")])
def test_a_decision_buttons_name_has_no_space_before_its_colon(staff_page, live_portal, language, name):
    """The name a screen reader reads for the office's decision on a sign-up: the hidden text, a box of its own, had
    put a space before the colon ("安排参加 ：李阿姨", "Give a place : 李阿姨")."""
    page = staff_page()
    page.goto(f"/settings/language/{language}")
    page.goto(f"/office/consultations/{live_portal.consultation_id}/meetings/{a_meeting_id(live_portal)}")
    assert page.get_by_role("button", name=name, exact=True).count() == 1
