"""Quoting the draft (引用原文) in Chromium: a citizen selects a sentence of the draft, presses the button at the foot
of the screen, and comments on it; on the overview the button opens the sentence's own section."""
import re

import pytest
from sqlalchemy import select

from portal.comments.models import Comment
from portal.extensions import db
from tests.browser.conftest import PHONE, run_axe

pytestmark = pytest.mark.browser


def select_text(page, selector: str, start: int, end: int) -> str:
    """Select characters ``start``–``end`` of the first text node of the element ``selector``, as a mouse or a
    finger does; the words selected."""
    return page.evaluate("""([selector, start, end]) => {
        const element = document.querySelector(selector);
        const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
        const node = walker.nextNode();
        const range = document.createRange();
        range.setStart(node, start);
        range.setEnd(node, Math.min(end, node.length));
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        return selection.toString();
    }""", [selector, start, end])


def stored(live_portal, receipt: str) -> Comment:
    with live_portal.app.app_context():
        comment = db.session.scalar(select(Comment).where(Comment.receipt_number == receipt))
        db.session.expunge_all()
        return comment


def receipt_of(page) -> str:
    return re.search(r"/receipts/([0-9]{8}-[A-Z0-9]{6})", page.url).group(1)


def a_section_with_text(page) -> str:
    """The id (anchor) of the first section on the page whose own first paragraph is long enough to quote from."""
    return page.evaluate("""() => {
        for (const section of document.querySelectorAll('article.draft section.draft-section')) {
            const p = section.querySelector(':scope > p:not(.units):not(.section-actions):not(.run-in)');
            if (p && p.textContent.trim().length > 30) { return section.id; }
        }
        return null;
    }""")


def test_selecting_a_sentence_on_a_section_page_quotes_it_in_the_form(open_page, live_portal):
    page = open_page(viewport=PHONE, bypass_csp=True)  # only so that axe itself can be injected
    page.goto(f"/consultations/{live_portal.consultation_id}")
    anchor = a_section_with_text(page)
    assert anchor
    page.goto(f"/consultations/{live_portal.consultation_id}/sections/{anchor}")
    field = page.locator("textarea[name=quote]")
    assert not field.is_visible()  # folded away until wanted
    reveal = page.get_by_role("button", name="引用原文、提出修改文字（可不填）")
    assert reveal.is_visible() and reveal.get_attribute("aria-expanded") == "false"
    assert page.get_by_text("也可以在上面的原文中选中一句话").is_visible()  # the other way in

    words = select_text(page, f"#{anchor} > p:not(.units):not(.section-actions)", 2, 24)
    button = page.get_by_role("button", name="引用选中的文字提意见")
    button.wait_for(state="visible")
    box = button.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"] + 1  # at the foot of the screen, in reach
    assert run_axe(page) == []
    button.click()
    assert field.is_visible() and field.input_value() == words.strip()
    assert page.evaluate("() => document.activeElement.name") == "body"  # ready to write the comment
    assert not button.is_visible()

    page.get_by_label("您的意见").fill("这句话里的标准应当写得更具体。")
    page.get_by_role("button", name="提交意见").click()
    assert page.get_by_role("heading", level=1).inner_text() == "您的意见已收到"
    receipt = page.locator(".comment-quote").inner_text()
    assert "针对原文" in receipt and words.strip()[:10] in receipt.replace("\n", "")
    comment = stored(live_portal, receipt_of(page))
    assert comment.quote == words.strip()

    live_portal.approve(comment.receipt_number)
    page.goto(f"/consultations/{live_portal.consultation_id}/sections/{anchor}#comment-{comment.id}")
    shown = page.locator(f"#comment-{comment.id} .comment-quote blockquote")
    assert words.strip()[:10] in shown.inner_text().replace("\n", "")


def test_a_citizen_edits_the_quoted_sentence_into_the_wording_they_propose(open_page, live_portal):
    page = open_page(viewport=PHONE, bypass_csp=True)  # only so that axe itself can be injected
    page.goto(f"/consultations/{live_portal.consultation_id}")
    anchor = a_section_with_text(page)
    page.goto(f"/consultations/{live_portal.consultation_id}/sections/{anchor}")
    proposal = page.get_by_label("建议修改为（可不填）")
    assert not proposal.is_visible()  # folded away with the quotation
    words = select_text(page, f"#{anchor} > p:not(.units):not(.section-actions)", 2, 20).strip()
    page.get_by_role("button", name="引用选中的文字提意见").click()
    assert proposal.is_visible() and proposal.input_value() == ""
    copy = page.get_by_role("button", name="把引用的原文复制到这里再修改")
    copy.click()
    assert proposal.input_value() == words and not copy.is_visible()  # offered while the proposal is empty
    assert page.evaluate("() => document.activeElement.name") == "proposal"
    proposal.fill(words[:6] + "（新增文字）" + words[6:])
    assert run_axe(page) == []
    page.get_by_label("您的意见").fill("这句话应当补充。")
    page.reload()  # a reload loses nothing typed (kept in this tab until the comment is received)
    assert proposal.is_visible() and proposal.input_value() == words[:6] + "（新增文字）" + words[6:]
    page.get_by_role("button", name="提交意见").click()
    assert page.get_by_role("heading", level=1).inner_text() == "您的意见已收到"
    assert page.locator(".comment-proposal ins").inner_text() == "（新增文字）"
    comment = stored(live_portal, receipt_of(page))
    assert (comment.quote, comment.proposal) == (words, words[:6] + "（新增文字）" + words[6:])
    style = page.evaluate("""() => getComputedStyle(document.querySelector('.comment-proposal ins')).textDecorationLine""")
    assert style == "underline"  # marked by more than colour


def test_a_sentence_selected_on_the_overview_opens_its_section_with_the_quotation(open_page, live_portal):
    page = open_page()
    page.goto(f"/consultations/{live_portal.consultation_id}")
    anchor = a_section_with_text(page)
    words = select_text(page, f"#{anchor} > p:not(.units):not(.section-actions)", 0, 18)
    page.get_by_role("button", name="引用选中的文字提意见").click()
    page.wait_for_url(re.compile(rf"/sections/{re.escape(anchor)}\?quote="))
    field = page.locator("textarea[name=quote]")
    assert field.is_visible() and field.input_value() == words.strip()
    assert page.get_by_role("button", name="引用原文、提出修改文字（可不填）").is_hidden()


def test_too_long_a_selection_is_explained_and_a_reveal_opens_the_field(open_page, live_portal):
    page = open_page()
    page.goto(f"/consultations/{live_portal.consultation_id}")
    page.evaluate("""() => {
        const range = document.createRange();  // a whole part of the draft, longer than a quotation may be
        const sections = [...document.querySelectorAll('article.draft section.draft-section')];
        range.selectNodeContents(sections.find(s => s.textContent.length > 1000));
        window.getSelection().removeAllRanges();
        window.getSelection().addRange(range);
    }""")
    note = page.locator(".quote-bar p")
    note.wait_for(state="visible")
    assert "选中的文字太长了" in note.inner_text()
    assert page.get_by_role("button", name="引用选中的文字提意见").is_hidden()

    page.evaluate("() => window.getSelection().removeAllRanges()")
    page.locator(".quote-bar").wait_for(state="hidden")
    page.get_by_role("button", name="引用原文、提出修改文字（可不填）").click()
    assert page.locator("textarea[name=quote]").is_visible()
    assert page.evaluate("() => document.activeElement.name") == "quote"


def test_without_script_the_field_is_there_to_paste_into(open_page, live_portal):
    page = open_page(javascript=False)
    page.goto(f"/consultations/{live_portal.consultation_id}")
    field = page.get_by_label("您针对的原文（可不填）")
    assert field.is_visible()
    field.fill("火星政府负责解释")
    page.get_by_label("您的意见").fill("意见。")
    page.get_by_role("button", name="提交意见").click()
    assert "在原文中找不到您引用的文字" in page.locator(".error-summary").inner_text()
    assert page.get_by_label("您的意见").input_value() == "意见。"


def test_a_sentence_quoted_by_public_comments_is_marked_and_its_count_is_not_part_of_the_text(open_page, live_portal):
    page = open_page()
    page.goto(f"/consultations/{live_portal.consultation_id}")
    anchor = a_section_with_text(page)
    page.goto(f"/consultations/{live_portal.consultation_id}/sections/{anchor}")
    paragraph = f"#{anchor} > p:not(.units):not(.section-actions)"
    words = select_text(page, paragraph, 0, 6)
    page.get_by_role("button", name="引用选中的文字提意见").click()
    page.get_by_label("您的意见").fill("这一句要改。")
    page.get_by_role("button", name="提交意见").click()
    live_portal.approve(receipt_of(page))

    page.goto(f"/consultations/{live_portal.consultation_id}/sections/{anchor}")
    mark = page.locator(f"{paragraph} mark.quoted-passage").first
    assert mark.inner_text().startswith(words.strip())
    label = mark.evaluate("m => getComputedStyle(m, '::after').content")
    assert "条意见引用" in label
    text = page.locator(paragraph).first.evaluate("p => p.textContent")
    assert "条意见引用" not in text  # never selected, copied or read aloud with the draft's words
    # selecting the marked sentence quotes the draft's words alone
    selected = page.evaluate("""(selector) => {
        const range = document.createRange();
        range.selectNodeContents(document.querySelector(selector + ' mark.quoted-passage'));
        window.getSelection().removeAllRanges();
        window.getSelection().addRange(range);
        return window.getSelection().toString();
    }""", paragraph)
    assert "条意见引用" not in selected and selected.strip() == mark.inner_text().strip()
