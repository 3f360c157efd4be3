"""On English pages the Chinese they show (the draft's title and headings, unit names, what citizens and offices
wrote) is marked lang="zh-CN", so that a screen reader reads it with a Chinese voice; the page's own words around it
use English punctuation. Seed 003 of 市民政局, open from 2023-04-20."""
import re

import lxml.html

from portal.comments.services import submit_comment
from portal.extensions import db
from tests.helpers import Browser, csrf_token
from tests.meetings.test_meetings import announce, office_url, public_url, sign_up
from tests.office.conftest import consultation, make_staff, office, submit  # noqa: F401

HAN = re.compile(r"[\u3400-\u9fff]")


def unmarked_chinese(html: str) -> list[str]:
    """The Chinese text of the page's body that no element marks lang="zh-…" (an empty lang="" marks nothing): an
    <option>'s and a <textarea>'s text too (they hold no <span>: the element itself is marked), and the text of an
    inline SVG chart (its <title>, <desc> and labels), whose elements may be marked xml:lang as well."""
    found = []
    for element in lxml.html.fromstring(html).body.iter():
        if not isinstance(element.tag, str) or element.tag in ("script", "style"):
            continue
        for text, holder in ((element.text, element), (element.tail, element.getparent())):
            if text and HAN.search(text) and holder is not None:
                marked = next((language(e) for e in (holder, *holder.iterancestors()) if language(e) is not None),
                              None)
                if not (marked or "").startswith("zh"):
                    found.append(text.strip())
    return found


def language(element) -> str | None:
    """The element's own language: lang, or xml:lang (an SVG element's)."""
    return element.get("lang") if element.get("lang") is not None else element.get("xml:lang")


def english(client):
    client.get("/settings/language/en")


def test_staff_pages_mark_titles_headings_and_unit_names_chinese(app, client, consultation, office, submit,
                                                                    make_staff, login):
    meeting = announce(submit, consultation)
    sign_up(Browser(app), consultation, meeting, name="张伟", organisation="某某社区")
    english(client)
    base = f"/office/consultations/{consultation.id}"
    for path in ("/office/", f"{base}/routing", f"{base}/meetings/{meeting.id}", f"{base}/sections/"
                 f"{consultation.current_draft.sections[0].id}", f"{base}/notice", f"{base}/questions"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert unmarked_chinese(page.get_data(as_text=True)) == [], path
    review = client.get(base).get_data(as_text=True)
    assert f'<h1 lang="zh-CN">{consultation.title}</h1>' in review
    assert '<strong lang="zh-CN">一、目标要求</strong>' in review
    assert '<span class="unit-tag unit-matched"><span lang="zh-CN">市民政局</span> ✓</span>' in review
    meetings = client.get(f"{base}/meetings").get_data(as_text=True)
    assert f'href="{base}" lang="zh-CN">{consultation.title}</a>' in meetings  # the breadcrumbs of every office page
    make_staff("admin", "admin@x.gov.cn")
    client.get("/logout")
    login("admin@x.gov.cn")
    english(client)
    modes = client.get("/admin/moderation-modes").get_data(as_text=True)
    assert f'<legend><span lang="zh-CN">{consultation.title}</span>' in modes
    assert f'Save<span class="visually-hidden" lang="zh-CN">{consultation.title}</span>' in modes
    for path in ("/admin/moderation-modes", "/admin/units", "/admin/users", "/moderation"):
        assert unmarked_chinese(client.get(path).get_data(as_text=True)) == [], path


def test_the_chart_a_cancelled_meeting_and_a_signature_are_marked_and_punctuated_in_english(
        app, client, consultation, office, submit):
    section = consultation.current_draft.sections[0]
    comment = submit_comment(consultation, "整体赞成。", "support", None, author_name="张三", organisation="某协会",
                             organisation_kind="association")
    comment.status = "approved"
    db.session.commit()
    meeting = announce(submit, consultation)
    assert submit(office_url(consultation, meeting), office_url(consultation, meeting, "/cancel"),
                  reason="会议室维修，改期另行通知。").status_code == 302
    english(client)
    statistics = client.get(f"/consultations/{consultation.id}/statistics").get_data(as_text=True)
    assert f'<title lang="zh-CN">{section.title}: 0</title><text class="chart-label" x="0" y="12.0" lang="zh-CN"' \
           in statistics
    cancelled = client.get(public_url(consultation, meeting)).get_data(as_text=True)
    assert 'Reason: <span lang="zh-CN">会议室维修，改期另行通知。</span>' in cancelled  # was lang=""
    assert unmarked_chinese(cancelled) == []
    shown = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert '<strong lang="zh-CN">某协会</strong><span lang="zh-CN"> (张三)</span>' in shown  # was （张三）
    paper = client.get(f"/consultations/{consultation.id}/paper-form").get_data(as_text=True)
    assert "　" not in paper and '> Support\u2003<span class="tick"' in paper
    sheet = client.get(office_url(consultation, meeting, "/sign-in-sheet")).get_data(as_text=True)
    assert "　" not in sheet and "09:30–11:30 · Place:" in sheet
    client.get("/settings/language/zh_CN")  # the Chinese pages as they were
    shown = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert '<strong lang="zh-CN">某协会</strong><span lang="zh-CN">（张三）</span>' in shown
    assert "☐</span> 赞成　<span" in client.get(f"/consultations/{consultation.id}/paper-form").get_data(as_text=True)
    assert "09:30–11:30　地点：" in client.get(office_url(consultation, meeting, "/sign-in-sheet")).get_data(as_text=True)


def test_choices_text_areas_audit_log_review_warning_and_chart_are_marked_chinese(
        app, client, consultation, office, submit, make_staff, login):
    """Every <option> and <textarea> showing Chinese data (units, meetings, sections, questions, a draft's lines, what
    someone wrote), the audit logs' values and reasons, the review page's warning of units not in the directory and
    the statistics chart's description: English pages mark them, the Chinese pages show the same words."""
    from portal.audit.services import record_action

    section = consultation.current_draft.sections[0]
    section.unit_names = ["市民政局", "市养老服务指导中心"]  # the second is not in the unit directory
    consultation.questions = ["是否同意延长助餐点的开放时间？"]
    consultation.explanatory_note = "为积极应对人口老龄化，起草了本方案。"
    consultation.terms = [{"term": "助餐点", "explanation": "为老年人提供用餐服务的场所。"}]
    comment = submit_comment(consultation, "建议增加社区食堂。", "suggest", section)
    comment.status = "approved"
    db.session.commit()
    english(client)  # (the messages the office's forms flash are in English too)
    meeting = announce(submit, consultation)
    cancelled = announce(submit, consultation, title="另一场座谈会")
    assert submit(office_url(consultation, cancelled), office_url(consultation, cancelled, "/cancel"),
                  reason="会议室维修，改期另行通知。").status_code == 302
    base = f"/office/consultations/{consultation.id}"
    office_pages = {
        base: "市养老服务指导中心", f"{base}/sections/{section.id}": section.heading,
        f"{base}/comments/new": "是否同意延长助餐点的开放时间", f"{base}/questions": "是否同意延长助餐点的开放时间",
        f"{base}/meetings/{meeting.id}": "邀请社区居民代表参加",
        f"{base}/responses": section.title, f"{base}/audit": "会议室维修",
        f"{base}/explanatory-note": "为积极应对人口老龄化", f"{base}/terms": "为老年人提供用餐服务的场所",
    }
    for path, shown in office_pages.items():
        page = client.get(path)
        assert page.status_code == 200, path
        html = page.get_data(as_text=True)
        assert shown in html, path  # the Chinese data the page shows, which the check reads
        assert unmarked_chinese(html) == [], path
    review = client.get(base).get_data(as_text=True)
    assert 'directory: “<span lang="zh-CN">' in review and '“<span lang="zh-CN">市养老服务指导中心</span>”, ' in review
    assert f'<option lang="zh-CN" value="{section.id}">' in client.get(f"{base}/comments/new").get_data(as_text=True)

    admin = make_staff("admin", "admin@x.gov.cn")
    record_action(admin, "save_unit", office.unit, before={"name": "市民政局"}, after={"name": "市民政局（老龄办）"},
                  reason="机构改革后更名")
    db.session.commit()
    client.get("/logout")
    login("admin@x.gov.cn")
    english(client)
    for path in ("/admin/audit", f"/admin/users/{office.id}", f"/admin/units/{office.unit_id}", "/office/upload",
                 "/moderation", f"/moderation/comments/{comment.id}/section"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert unmarked_chinese(page.get_data(as_text=True)) == [], path
    audit = client.get("/admin/audit").get_data(as_text=True)
    assert '<span lang="zh-CN">机构改革后更名</span>' in audit and '<span lang="zh-CN">市民政局（老龄办）</span>' in audit

    client.get("/logout")
    english(client)
    statistics = client.get(f"/consultations/{consultation.id}/statistics").get_data(as_text=True)
    assert unmarked_chinese(statistics) == []
    assert (f'<desc id="chart-sections-desc">1 comment in all. <span lang="zh-CN">{section.title}</span>: 1; '
            in statistics)
    shown = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert '<option value="1" lang="zh-CN">' in shown and unmarked_chinese(shown) == []
    refused = client.post(f"/consultations/{consultation.id}/comments", data={
        "csrf_token": csrf_token(client, f"/consultations/{consultation.id}"), "website": "x", "body": "我的意见。"})
    assert refused.status_code == 400
    assert unmarked_chinese(refused.get_data(as_text=True)) == []
    assert '<textarea id="written" rows="6" readonly lang="zh-CN">' in refused.get_data(as_text=True)

    login("office@mz.gov.cn")
    client.get("/settings/language/zh_CN")  # the Chinese page as it was
    review = client.get(base).get_data(as_text=True)
    assert re.search(r"\d+ 个责任单位不在单位目录中：「[^<]*」、「市养老服务指导中心」、", review)


def test_moderation_pages_mark_bodies_names_headings_and_titles_chinese(
        app, client, consultation, office, make_staff, login):
    """The moderation queue (each of its views) and the page that moves a comment to another section: a comment's
    text, the name signed, the organisation, a report's note, a hiding note, the section's heading and the
    consultation's title are marked lang="zh-CN" on English pages."""
    from portal.moderation.services import add_sensitive_words, report_comment

    section = consultation.current_draft.sections[0]
    consultation.questions = ["是否同意延长助餐点的开放时间？"]
    waiting = submit_comment(consultation, "建议增加社区食堂。\n第二段。", "suggest", section, author_name="张三",
                             organisation="某协会", organisation_kind="association", quote=section.title,
                             proposal="改为社区食堂", question=1)
    shown = submit_comment(consultation, "整体赞成，电话13800138000。", "support", None, author_name="李四")
    shown.status = "approved"
    hidden = submit_comment(consultation, "这条被隐藏了。", "oppose", section, author_name="王五")
    hidden.status, hidden.hidden_reason, hidden.hidden_note = "hidden", "off_topic", "与本草案无关"
    waiting.status = "pending"
    report_comment(shown, "abuse", "用语不文明", None)
    db.session.commit()
    admin = make_staff("admin", "admin@x.gov.cn")
    add_sensitive_words(admin, ["食堂"])
    db.session.commit()
    client.get("/logout")
    login("admin@x.gov.cn")
    english(client)
    pages = {
        "/moderation": ["建议增加社区<mark", "张三", "某协会", section.title, consultation.title],
        "/moderation?view=approved": ["整体赞成", "李四", "用语不文明"],
        "/moderation?view=hidden": ["这条被隐藏了", "王五", "与本草案无关"],
        f"/moderation/comments/{waiting.id}/section": ["建议增加社区食堂", section.title],
        "/admin/sensitive-words/": ["食堂"],
    }
    for path, texts in pages.items():
        page = client.get(path)
        assert page.status_code == 200, path
        html = page.get_data(as_text=True)
        for text in texts:
            assert text in html, (path, text)  # the Chinese the page shows, which the check reads
        assert unmarked_chinese(html) == [], path
    queue = client.get("/moderation").get_data(as_text=True)
    assert '<div class="queue-body" lang="zh-CN"><p>建议增加社区<mark' in queue
    assert '<dd class="queue-body"><span lang="zh-CN">张三</span></dd>' in queue
    assert '<span lang="zh-CN">某协会</span> (Trade association' in queue  # English brackets around the kind
    assert f'<span lang="zh-CN">{section.title}</span>' in queue
    assert 'attacks — <span lang="zh-CN">用语不文明</span>' in queue  # a report's note, after an English dash
    client.get("/settings/language/zh_CN")  # the Chinese page as it was
    queue = client.get("/moderation").get_data(as_text=True)
    assert '<dd class="queue-body">张三</dd>' in queue and "某协会（" in queue and "——用语不文明" in queue
