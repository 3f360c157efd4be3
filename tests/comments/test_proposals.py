"""A commenter proposes the wording the draft should have (建议修改为) instead of the words they quote, or words to add:
kept as written, shown as a revision mark (dropped words struck through, new words underlined), and carried to the
office's digests, the units' mails, the feedback report, the API and search."""
import csv
import io
import re

from sqlalchemy import select

from portal.comments.proposals import PROPOSAL_MAX, clean_proposal, wording_change
from portal.extensions import db
from tests.comments.test_quotes import approve, section_url, stored, with_text
from tests.helpers import post_comment, receipt_from


def changed(line: str) -> tuple[str, str]:
    """Twelve characters of ``line`` (Chinese, no digits), and a proposal replacing its 5th–6th with 某某某 and adding
    一律 at the end."""
    start = next(i for i in range(len(line) - 12) if re.fullmatch(r"[\u4e00-\u9fff]{12}", line[i:i + 12]))
    words = line[start:start + 12]
    return words, words[:4] + "某某某" + words[6:] + "一律"


def shown(page: str, comment_id: int) -> str:
    return page[page.index(f'id="comment-{comment_id}"'):]


# --- the marks, as a unit ----------------------------------------------------------------------------------------

def test_the_change_marks_dropped_and_added_words_a_number_as_a_whole():
    change = wording_change("参保率稳定在95%以上。", "参保率稳定在98%以上，并逐年提高。")
    assert change.marked
    assert change.before == "<p>参保率稳定在<del>95</del>%以上。</p>"
    assert change.after == "<p>参保率稳定在<ins>98</ins>%以上<ins>，并逐年提高</ins>。</p>"


def test_a_rewrite_is_shown_without_marks_and_text_is_escaped():
    change = wording_change("甲乙丙丁", "<b>完全不同的句子</b>")
    assert not change.marked
    assert change.before == "<p>甲乙丙丁</p>"
    assert change.after == "<p>&lt;b&gt;完全不同的句子&lt;/b&gt;</p>"


def test_a_mark_across_a_line_break_is_closed_and_opened_again():
    change = wording_change("甲乙丙\n丁戊己", "甲乙丙子丑\n寅卯\n丁戊己")
    assert change.after == "<p>甲乙丙<ins>子丑</ins></p><p><ins>寅卯</ins></p><p>丁戊己</p>"


def test_a_proposal_repeating_the_quotation_is_none():
    assert clean_proposal(" 城乡， 居民 ", "城乡,居民") is None  # white space and full-width forms aside
    assert clean_proposal("  \n ", None) is None
    assert clean_proposal("城乡居民\r\n\r\n 一律 ", "城乡") == "城乡居民\n一律"


# --- through the comment form --------------------------------------------------------------------------------------

def test_a_proposal_is_kept_and_shown_as_a_revision_of_the_quoted_words(app, client, open_003):
    section, line = with_text(open_003)
    words, proposal = changed(line)
    url = section_url(open_003, section)
    assert 'name="proposal"' in client.get(url).get_data(as_text=True)
    number = receipt_from(post_comment(client, open_003, url, section_id=section.id, body="表述不准确。", quote=words,
                                       proposal=f" {proposal}\r\n"))
    comment = stored()[0]
    assert (comment.quote, comment.proposal) == (words, proposal)

    receipt = client.get(f"/receipts/{number}").get_data(as_text=True)
    assert "建议修改为：" in receipt and f'<del data-label="删去：">{words[4:6]}</del>' in receipt
    assert '<ins data-label="增加：">某某某</ins>' in receipt  # what a screen reader says before each mark
    approve(app, number)
    page = shown(client.get(url).get_data(as_text=True), comment.id)
    assert f'<del data-label="删去：">{words[4:6]}</del>' in page and '<ins data-label="增加：">某某某</ins>' in page
    assert '<ins data-label="增加：">一律</ins>' in page
    assert "删去的文字加了删除线，增加的文字加了下划线。" in page
    assert page.index("建议修改为：") < page.index("表述不准确。")


def test_a_proposal_without_a_quotation_is_wording_to_add(app, client, open_003):
    url = f"/consultations/{open_003.id}"
    number = receipt_from(post_comment(client, open_003, url, body="缺少一条。", proposal="增设家庭养老床位补贴。"))
    approve(app, number)
    page = shown(client.get(url).get_data(as_text=True), stored()[0].id)
    assert "建议增加或修改为：" in page and "增设家庭养老床位补贴。" in page and "<ins>" not in page.split("</article>")[0]


def test_a_copy_of_the_quotation_is_no_proposal(app, client, open_003):
    section, line = with_text(open_003)
    words, _proposal = changed(line)
    receipt_from(post_comment(client, open_003, section_url(open_003, section), section_id=section.id, body="同意。",
                              quote=words, proposal=words))
    assert stored()[0].proposal is None


def test_a_proposal_too_long_is_refused_with_everything_typed_kept(app, client, open_003):
    url = f"/consultations/{open_003.id}"
    response = post_comment(client, open_003, url, body="我的意见很长，不要丢。", proposal="字" * (PROPOSAL_MAX + 1))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"建议修改的文字不能超过 {PROPOSAL_MAX} 个字" in page and "我的意见很长，不要丢。" in page
    assert 'href="#proposal"' in page  # the summary of errors leads to the field
    assert stored() == []


def test_a_reply_cannot_propose_wording(app, client, open_003):
    url = f"/consultations/{open_003.id}"
    approve(app, receipt_from(post_comment(client, open_003, url, body="第一条。")))
    parent = stored()[0]
    reply_url = f"/consultations/{open_003.id}/comments/{parent.id}/reply"
    response = post_comment(client, open_003, reply_url, parent_id=parent.id, body="同意。", proposal="另一种写法")
    assert response.status_code == 422
    assert "回复不能提出修改文字。" in response.get_data(as_text=True)
    assert len(stored()) == 1


def test_a_hostile_proposal_is_shown_inert(app, client, open_003):
    section, line = with_text(open_003)
    words, _proposal = changed(line)
    url = section_url(open_003, section)
    hostile = words[:6] + '<img src=x onerror="alert(1)">' + words[6:]
    approve(app, receipt_from(post_comment(client, open_003, url, section_id=section.id, body="意见。", quote=words,
                                           proposal=hostile)))
    page = client.get(url).get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x onerror=" in page


def test_sensitive_words_and_links_in_the_proposal_are_screened(app, client, open_003):
    url = f"/consultations/{open_003.id}"
    receipt_from(post_comment(client, open_003, url, body="建议如下。", proposal="详见 http://spam.example.com/"))
    assert "link" in stored()[0].flag_list


# --- what the office and the units get ---------------------------------------------------------------------------

def test_the_digests_the_units_mail_the_report_the_api_and_search_carry_it(app, client, login, office_consultation):
    import docx

    from tests.helpers import Browser

    consultation, comments = office_consultation
    goals = comments["goals"]
    words, proposal = changed(goals.section.lines[0])
    goals.quote, goals.proposal = words, proposal
    comments["whole"].proposal = '=HYPERLINK("http://evil.example")'
    db.session.commit()

    login("office@example.gov.cn")
    rows = list(csv.reader(io.StringIO(client.get(f"/office/consultations/{consultation.id}/digest.csv")
                                       .data.decode("utf-8-sig"))))
    column = rows[0].index("建议修改为")
    assert [row[column] for row in rows[1:] if row[column]] == [proposal, """'=HYPERLINK("http://evil.example")"""]
    document = docx.Document(io.BytesIO(client.get(f"/office/consultations/{consultation.id}/digest.docx").data))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert f"针对原文：「{words}」\n建议修改为：「{proposal}」\n{goals.body}" in cells
    page = client.get(f"/office/consultations/{consultation.id}/responses/{goals.id}").get_data(as_text=True)
    assert '<ins data-label="增加：">某某某</ins>' in page
    found = client.get(f"/office/consultations/{consultation.id}/responses", query_string={"q": "某某某"})
    assert goals.body in found.get_data(as_text=True)  # the office's words filter reads the proposal too
    narrowed = client.get(f"/office/consultations/{consultation.id}/responses", query_string={"proposed": "1"})
    narrowed = narrowed.get_data(as_text=True)  # only the comments proposing wording
    assert goals.body in narrowed and comments["whole"].body.split("\n")[0] in narrowed
    assert comments["pending"].body not in narrowed and 'name="proposed" value="1" checked' in narrowed
    word = docx.Document(io.BytesIO(client.get(f"/office/consultations/{consultation.id}/digest.docx?proposed=1").data))
    assert "本文件只含筛选出的意见（提出了修改文字），共2条" in "\n".join(p.text for p in word.paragraphs)
    preview = client.get(f"/office/consultations/{consultation.id}/responses/preview").get_data(as_text=True)
    assert "建议修改为：" in preview and '<ins data-label="增加：">某某某</ins>' in preview  # the feedback report
    client.post("/logout")

    public = Browser(app)
    items = public.get(f"/api/v1/consultations/{consultation.id}/comments?per_page=50").get_json()["items"]
    assert {item["proposal"] for item in items} == {None, proposal, '=HYPERLINK("http://evil.example")'}


def test_the_units_mail_says_the_wording_proposed(app, client, unit_open_003):
    from portal.mail.models import OutboxMessage
    from tests.helpers import render_queued, route_new_comments

    consultation = unit_open_003
    section = next(s for s in consultation.current_draft.sections if s.unit_names and any(len(l) > 20 for l in s.lines))
    line = next(l for l in section.lines if len(l) > 20)
    words, proposal = changed(line)
    receipt_from(post_comment(client, consultation, section_url(consultation, section), section_id=section.id,
                              body="请修改。", quote=words, proposal=proposal))
    route_new_comments()
    db.session.commit()
    messages = [m for m in db.session.scalars(select(OutboxMessage)) if m.kind == "comment"]
    assert messages
    for message in messages:
        render_queued(message)
        text, html = message.body_text, message.body_html
        assert f"建议修改为：\n「{proposal}」" in text
        assert "<ins>某某某</ins>" in html


# --- the draft revised by the wording adopted -----------------------------------------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def test_the_wording_adopted_is_written_into_the_draft_as_tracked_changes_to_accept_in_word(app, client, login,
                                                                                           office_consultation):
    import docx

    from portal.drafts.readers import docx_revisions, read_draft
    from tests.responses.test_responding import bulk

    consultation, comments = office_consultation
    goals, pending, whole = comments["goals"], comments["pending"], comments["whole"]
    line = goals.section.lines[0]
    words, proposal = changed(line)
    goals.quote, goals.proposal = words, proposal
    pending.quote, pending.proposal = words, words + "（不采纳的写法）"  # answered 不采纳: not written in
    whole.proposal = "增加一条：建立养老服务评价制度。"  # quotes nothing: a Word comment only
    db.session.commit()
    login("office@example.gov.cn")
    page = client.get(f"/office/consultations/{consultation.id}/responses").get_data(as_text=True)
    assert "采纳建议修订稿" not in page  # nothing adopted yet
    assert bulk(client, consultation, [goals.id, whole.id], "adopted", "采纳。").status_code == 302
    assert bulk(client, consultation, [pending.id], "not_adopted", "不采纳。").status_code == 302
    page = client.get(f"/office/consultations/{consultation.id}/responses").get_data(as_text=True)
    assert "采纳建议修订稿（2 处修改建议）" in page

    response = client.get(f"/office/consultations/{consultation.id}/adopted-wording.docx")
    assert response.status_code == 200 and "%E9%87%87%E7%BA%B3" in response.headers["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.data))
    body = document.element.body
    deleted = ["".join(t.text for t in change.iter(W + "delText")) for change in body.iter(W + "del")]
    inserted = ["".join(t.text for t in change.iter(W + "t")) for change in body.iter(W + "ins")]
    assert deleted == [words[4:6]] and inserted == ["某某某", "一律"]
    authors = {change.get(W + "author") for change in [*body.iter(W + "del"), *body.iter(W + "ins")]}
    assert authors == {f"王大爷（{goals.receipt_number}）"}
    notes = {c.text for c in document.comments}
    assert any(goals.body in note and "答复（未公布）：采纳。采纳。" in note for note in notes)
    assert any("建议增加或修改为：「增加一条：建立养老服务评价制度。」" in note for note in notes)
    assert not any("不采纳的写法" in note for note in notes) and "不采纳的写法" not in "".join(inserted)
    paragraph = next(p for p in document.paragraphs if p._p in {c.getparent() for c in body.iter(W + "ins")})
    assert paragraph.paragraph_format is not None  # the change sits in the draft's own paragraph

    # uploaded back as the revised draft, the changes read as accepted
    assert docx_revisions(response.data) == 3
    text = read_draft(response.data, "修订稿.docx")
    assert line.replace(words, proposal) in text and line not in text


def test_the_statistics_count_the_comments_proposing_wording(app, client, open_003):
    url = f"/consultations/{open_003.id}"
    page = client.get(f"{url}/statistics").get_data(as_text=True)
    assert "写出了建议修改的文字" not in page  # none yet
    receipt_from(post_comment(client, open_003, url, body="缺少一条。", proposal="增设家庭养老床位补贴。"))
    receipt_from(post_comment(client, open_003, url, body="赞成。"))
    page = client.get(f"{url}/statistics").get_data(as_text=True)
    assert "其中 1 条意见写出了建议修改的文字。" in page
    statistics = client.get(f"/api/v1/consultations/{open_003.id}/statistics").get_json()
    assert (statistics["total"], statistics["proposals"]) == (2, 1)


def test_each_mark_carries_what_a_screen_reader_says_before_it():
    change = wording_change("参保率95%", "参保率98%", "删去：", "增加：")
    assert change.before == '<p>参保率<del data-label="删去：">95</del>%</p>'
    assert change.after == '<p>参保率<ins data-label="增加：">98</ins>%</p>'
