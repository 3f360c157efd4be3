"""A citizen quotes the words of the draft their comment is about (引用原文): checked to be in the section, shown
above the comment, kept as written."""
import re

import pytest
from sqlalchemy import select

from portal.comments.models import Comment
from portal.comments.quotes import QUOTE_MAX, clean_quote, quote_found, squeezed
from portal.extensions import db
from tests.helpers import post_comment, receipt_from


def section_url(consultation, section):
    return f"/consultations/{consultation.id}/sections/{section.anchor}"


def with_text(consultation, minimum: int = 40):
    """A section of the draft with a paragraph of at least ``minimum`` characters, and that paragraph."""
    for section in consultation.current_draft.sections:
        for line in section.lines:
            if len(line) >= minimum:
                return section, line
    raise AssertionError("no long paragraph in the draft")


def approve(app, *receipts):
    result = app.test_cli_runner().invoke(args=["comments", "approve", *receipts])
    assert result.exit_code == 0, result.output


def stored() -> list[Comment]:
    return list(db.session.scalars(select(Comment).order_by(Comment.id)))


def test_a_quoted_sentence_is_kept_and_shown_above_the_comment(app, client, open_003):
    section, line = with_text(open_003)
    words = line[5:35]
    url = section_url(open_003, section)
    number = receipt_from(post_comment(client, open_003, url, section_id=section.id, body="这句话的标准太低。",
                                       quote=f"  {words[:10]}\r\n {words[10:]}  "))
    comment = stored()[0]
    assert comment.quote == f"{words[:10]}\n{words[10:]}"  # white space tidied, the line break kept
    receipt = client.get(f"/receipts/{number}").get_data(as_text=True)
    assert "针对原文" in receipt and words[:10] in receipt[receipt.index("针对原文"):]

    approve(app, number)
    page = client.get(url).get_data(as_text=True)
    shown = page[page.index(f'id="comment-{comment.id}"'):]
    quote = re.search(r'<div class="comment-quote">.*?</div>', shown, re.S).group(0)
    assert words[:10] in quote and words[10:] in quote
    assert shown.index("comment-quote") < shown.index("这句话的标准太低。")


def test_a_quotation_the_section_does_not_hold_is_refused_with_the_form_kept(app, client, open_003):
    section, line = with_text(open_003)
    url = section_url(open_003, section)
    response = post_comment(client, open_003, url, section_id=section.id, body="我的意见很长，不要丢。",
                            quote="本条例自发布之日起施行并由火星政府负责解释")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "在原文中找不到您引用的文字" in page
    assert "我的意见很长，不要丢。" in page and "火星政府" in page  # nothing typed is lost
    assert 'aria-invalid="true"' in page[page.index('name="quote"') - 300:page.index('name="quote"') + 300]
    assert stored() == []


def test_words_of_another_section_are_refused(app, client, open_003):
    sections = open_003.current_draft.sections
    section, line = with_text(open_003)
    other = next(s for s in sections if s.id != section.id and s.parent_id != section.id and s.id != section.parent_id
                 and line[:20] not in "".join(s.lines))
    response = post_comment(client, open_003, section_url(open_003, other), section_id=other.id, body="意见。",
                            quote=line[:20])
    assert response.status_code == 422 and stored() == []
    # the same words on their own section are taken
    receipt_from(post_comment(client, open_003, section_url(open_003, section), section_id=section.id, body="意见。",
                              quote=line[:20]))
    assert stored()[0].quote == line[:20]


def test_a_section_page_holds_its_subsections_words_and_the_whole_draft_all_words(app, client, open_003):
    sections = open_003.current_draft.sections
    parent = next(s for s in sections if s.children and any(len(line) > 20 for c in s.children for line in c.lines))
    child_line = next(line for c in parent.children for line in c.lines if len(line) > 20)
    receipt_from(post_comment(client, open_003, section_url(open_003, parent), section_id=parent.id, body="甲。",
                              quote=child_line[:20]))
    receipt_from(post_comment(client, open_003, f"/consultations/{open_003.id}", body="乙。", quote=child_line[:20]))
    assert [c.quote for c in stored()] == [child_line[:20]] * 2
    assert [c.section_id for c in stored()] == [parent.id, None]


def test_full_width_and_half_width_forms_and_spaces_do_not_matter(app, open_003):
    section, line = with_text(open_003)
    draft_id = open_003.current_draft.id
    assert quote_found(draft_id, section.id, line[:25])
    assert quote_found(draft_id, section.id, " ".join(line[:25]))  # a space between every character
    assert quote_found(draft_id, section.id, line[:25].replace("，", ","))
    assert not quote_found(draft_id, section.id, line[:25] + "火星")
    assert not quote_found(draft_id, section.id, " \n ")
    assert squeezed("ＡＢ， c\nd") == "AB,cd"
    assert clean_quote(" \n \r\n ") is None
    assert clean_quote("甲  乙\t丙\r\n\r\n丁 ") == "甲 乙 丙\n丁"


def test_a_quotation_too_long_is_refused(app, client, open_003):
    section, line = with_text(open_003)
    response = post_comment(client, open_003, section_url(open_003, section), section_id=section.id, body="意见。",
                            quote="字" * (QUOTE_MAX + 1))
    assert response.status_code == 422
    assert f"引用的原文不能超过 {QUOTE_MAX} 个字" in response.get_data(as_text=True)
    assert stored() == []


def test_a_reply_cannot_quote(app, client, open_003):
    section, line = with_text(open_003)
    url = section_url(open_003, section)
    approve(app, receipt_from(post_comment(client, open_003, url, section_id=section.id, body="第一条。")))
    parent = stored()[0]
    reply_url = f"/consultations/{open_003.id}/comments/{parent.id}/reply"
    assert 'name="quote"' not in client.get(reply_url).get_data(as_text=True)
    response = post_comment(client, open_003, reply_url, parent_id=parent.id, body="同意。", quote=line[:10])
    assert response.status_code == 422 and "回复不能引用原文" in response.get_data(as_text=True)
    assert len(stored()) == 1


def test_a_link_to_a_section_page_may_start_its_form_with_a_quotation(app, client, open_003):
    section, line = with_text(open_003)
    url = section_url(open_003, section)
    page = client.get(url, query_string={"quote": line[:15]}).get_data(as_text=True)
    field = re.search(r'<textarea[^>]*name="quote"[^>]*>([^<]*)</textarea>', page)
    assert field and field.group(1).strip() == line[:15]
    # words the section does not hold are not put in the form (an edited link)
    page = client.get(url, query_string={"quote": "火星政府负责解释"}).get_data(as_text=True)
    field = re.search(r'<textarea[^>]*name="quote"[^>]*>([^<]*)</textarea>', page)
    assert field and field.group(1).strip() == ""
    # and such pages are never kept for other readers
    plain = client.get(url).get_data(as_text=True)
    assert re.search(r'<textarea[^>]*name="quote"[^>]*>([^<]*)</textarea>', plain).group(1).strip() == ""


@pytest.mark.parametrize("hostile", ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>'])
def test_a_hostile_quotation_is_refused_and_shown_inert(app, client, open_003, hostile):
    section, line = with_text(open_003)
    response = post_comment(client, open_003, section_url(open_003, section), section_id=section.id, body="意见。",
                            quote=hostile)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and hostile not in page and "<script>alert(1)" not in page
    assert stored() == []


def item_one(consultation):
    return next(s for s in consultation.current_draft.sections if s.unit_names == ["市民政局", "市发展改革局"])


def test_the_quotation_reaches_the_units_by_mail_and_in_their_digest(app, client, clock, login, make_user, routed_000,
                                                                      smtp_server):
    from portal.mail.worker import deliver_due
    from tests.helpers import csrf_token, route_new_comments, shanghai

    section = item_one(routed_000)
    words = next(line for line in section.lines if len(line) > 12)[:12]
    url = section_url(routed_000, section)
    number = receipt_from(post_comment(client, routed_000, url, section_id=section.id, body="建议写明标准。",
                                       quote=words))
    route_new_comments()
    deliver_due()
    (mail,) = smtp_server.to("fgj@example.gov.cn")
    assert number in mail["Subject"]
    text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert f"针对原文：\n「{words}」" in text and text.index(words) < text.index("建议写明标准。")
    html = mail.get_body(("html",)).get_content()
    assert f"<blockquote><p>{words}</p></blockquote>" in html

    # the same in a unit's digest mail, when the office chose digests
    make_user("office", email="office@example.gov.cn", unit_name="市民政局")
    login("office@example.gov.cn")
    routing = f"/office/consultations/{routed_000.id}/routing"
    assert client.post(routing, data={"csrf_token": csrf_token(client, routing), "mode": "digest",
                                      "digest_every_hours": "24", "digest_hour": "8"}).status_code == 303
    client.post("/logout")
    receipt_from(post_comment(client, routed_000, url, section_id=section.id, body="第二条。", quote=words))
    clock.set(shanghai(2024, 5, 11, 8, 5))
    app.test_cli_runner().invoke(args=["mail", "digests"])
    deliver_due()
    digest = smtp_server.to("fgj@example.gov.cn")[-1]
    assert digest["Subject"].startswith("意见汇总")
    text = digest.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert f"针对原文：「{words}」\n第二条。" in text


def test_the_office_digest_its_answering_page_and_the_api(app, client, login, office_consultation):
    import csv
    import io

    import docx

    from tests.helpers import Browser

    consultation, comments = office_consultation
    goals = comments["goals"]
    words = goals.section.lines[0][:14]
    goals.quote = words
    db.session.commit()

    login("office@example.gov.cn")
    rows = list(csv.reader(io.StringIO(client.get(f"/office/consultations/{consultation.id}/digest.csv")
                                       .data.decode("utf-8-sig"))))
    quoted = rows[0].index("针对原文")
    assert rows[0][quoted + 1:quoted + 3] == ["意见", "建议修改为"]
    assert [row[quoted] for row in rows[1:] if row[quoted + 1] == goals.body] == [words]
    document = docx.Document(io.BytesIO(client.get(f"/office/consultations/{consultation.id}/digest.docx").data))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert f"针对原文：「{words}」\n{goals.body}" in cells
    page = client.get(f"/office/consultations/{consultation.id}/responses").get_data(as_text=True)
    assert page.index(words) < page.index(goals.body)
    found = client.get(f"/office/consultations/{consultation.id}/responses", query_string={"q": words[2:9]})
    found = found.get_data(as_text=True)  # the office's words filter finds the words a comment quotes
    assert goals.body in found and comments["whole"].body.split("\n")[0] not in found
    preview = client.get(f"/office/consultations/{consultation.id}/responses/preview").get_data(as_text=True)
    assert preview.count(words) == 1 and preview.index(words) < preview.index(goals.body)  # the feedback report
    client.post("/logout")

    public = Browser(app)
    items = public.get(f"/api/v1/consultations/{consultation.id}/comments?per_page=50").get_json()["items"]
    by_body = {item["body"]: item for item in items}
    assert by_body[goals.body]["quote"] == words
    assert by_body["整体赞成。\n希望尽快实施。"]["quote"] is None


def two_sentences(consultation):
    """A section with a paragraph of two sentences or more, and its first two sentences (each with its
    punctuation)."""
    for section in consultation.current_draft.sections:
        for line in section.lines:
            parts = re.findall(r"[^。；]+[。；]", line)
            if len(parts) >= 2 and all(len(p) > 8 for p in parts[:2]):
                return section, parts[0], parts[1]
    raise AssertionError("no paragraph of two sentences")


def test_the_sentences_quoted_most_are_counted_on_the_statistics_page_and_in_the_api(app, client, open_003):
    section, first, second = two_sentences(open_003)
    url = section_url(open_003, section)
    for quote in (first[2:8], first, first[-6:] + second[:6]):  # a part, the whole, across both
        receipt_from(post_comment(client, open_003, url, section_id=section.id, body="意见。", quote=quote))
    receipt_from(post_comment(client, open_003, f"/consultations/{open_003.id}", body="整体。", quote=second))
    spam = receipt_from(post_comment(client, open_003, url, section_id=section.id, body="广告", quote=first))
    db.session.scalar(select(Comment).where(Comment.receipt_number == spam)).status = "spam"  # not received
    db.session.commit()

    page = client.get(f"/consultations/{open_003.id}/statistics").get_data(as_text=True)
    table = page[page.index("意见引用最多的原文"):]
    rows = re.findall(r"<tr><td[^>]*>(.*?)</td><td><a href=\"([^\"]+)\"[^>]*>.*?</a></td><td class=\"number\">(\d+)</td></tr>",
                      table, re.S)
    assert [(text, int(count)) for text, _href, count in rows] == [(first, 3), (second, 2)]
    assert rows[0][1].startswith(url + "#:~:text=")  # the link scrolls to the sentence and marks it
    from urllib.parse import unquote

    parts = [unquote(part) for part in rows[0][1].split("#:~:text=")[1].split(",")]  # start[,end]
    assert first.startswith(parts[0]) and first.endswith(parts[-1])

    data = client.get(f"/api/v1/consultations/{open_003.id}/statistics").get_json()
    assert [(q["text"], q["comments"], q["section"]["anchor"]) for q in data["quoted"]] == [
        (first, 3, section.anchor), (second, 2, section.anchor)]


def test_no_quotation_no_table(app, client, open_003):
    receipt_from(post_comment(client, open_003, f"/consultations/{open_003.id}", body="整体赞成。"))
    assert "意见引用最多的原文" not in client.get(f"/consultations/{open_003.id}/statistics").get_data(as_text=True)
    assert client.get(f"/api/v1/consultations/{open_003.id}/statistics").get_json()["quoted"] == []


def test_a_sections_stretch_holds_its_subsections_and_nothing_after(app, open_003):
    from portal.comments.quotes import draft_words

    draft = open_003.current_draft
    words = draft_words(draft.id)
    sections = draft.sections
    parent = next(s for s in sections if s.children)
    after = next((s for s in sections if s.position > parent.position and s.level <= parent.level), None)
    start, end = words.spans[parent.id]
    for child in parent.children:
        child_start, child_end = words.spans[child.id]
        assert start <= child_start < child_end <= end
    if after is not None:
        assert words.spans[after.id][0] == end
    # every passage lies in its own section's stretch, in document order
    assert all(words.spans[p.section_id][0] <= p.start < p.end <= words.spans[p.section_id][1] for p in words.passages)
    assert [p.start for p in words.passages] == sorted(p.start for p in words.passages)
    assert words.words == "".join(squeezed(p.text) for p in words.passages)


def test_sentences_public_comments_quote_are_marked_on_the_draft_pages(app, client, open_003):
    section, first, second = two_sentences(open_003)
    url = section_url(open_003, section)
    shown = receipt_from(post_comment(client, open_003, url, section_id=section.id, body="甲。", quote=first[1:6]))
    receipt_from(post_comment(client, open_003, url, section_id=section.id, body="乙。", quote=second))  # pending
    assert "quoted-passage" not in client.get(url).get_data(as_text=True)  # nothing public quotes yet

    approve(app, shown)
    for page_url in (url, f"/consultations/{open_003.id}"):
        page = client.get(page_url).get_data(as_text=True)
        marks = re.findall(r'<mark class="quoted-passage" data-label="([^"]+)">([^<]*)</mark>', page)
        assert marks == [("1 条意见引用", first)], page_url  # the whole sentence, not the second (pending)


def test_a_hostile_sentence_of_the_draft_is_marked_inert(app, client, open_003):
    section, line = with_text(open_003)
    section.text = section.text.replace(line, '<img src=x onerror="alert(1)">是一句话。' + line, 1)
    db.session.commit()
    url = section_url(open_003, section)
    number = receipt_from(post_comment(client, open_003, url, section_id=section.id, body="意见。",
                                       quote='<img src=x onerror="alert(1)">是一句话。'))
    approve(app, number)
    page = client.get(url).get_data(as_text=True)
    assert '<img src=x' not in page
    assert '<mark class="quoted-passage" data-label="1 条意见引用">&lt;img src=x onerror=&#34;alert(1)&#34;&gt;是一句话。</mark>' in page


def test_a_thread_list_narrows_to_the_comments_quoting_one_sentence(app, client, open_003):
    section, first, second = two_sentences(open_003)
    url = section_url(open_003, section)
    numbers = [receipt_from(post_comment(client, open_003, url, section_id=section.id, body=body, quote=quote))
               for body, quote in (("甲意见。", first[1:7]), ("乙意见。", first), ("丙意见。", second),
                                   ("丁意见。", None))]
    approve(app, *numbers)
    page = client.get(url).get_data(as_text=True)
    links = re.findall(r'<p class="quote-others"><a href="([^"]+)">引用这句话的意见共 (\d+) 条，只看这些</a></p>', page)
    assert [count for _href, count in links] == ["2", "2"]  # on 甲 and 乙; 丙 alone quotes its sentence
    href = links[0][0].replace("&amp;", "&")
    assert href.startswith(url + "?passage=") and href.endswith("#comments")

    narrowed = client.get(href).get_data(as_text=True)
    threads = narrowed[narrowed.index('id="comments"'):]
    assert "甲意见。" in threads and "乙意见。" in threads and "丙意见。" not in threads and "丁意见。" not in threads
    assert "只显示引用了这句话的意见" in threads and "共 2 条意见" in threads
    assert f'<a href="{url}#comments">显示全部意见</a>' in threads
    # an unknown sentence: the whole list
    everything = client.get(url + "?passage=999999").get_data(as_text=True)
    assert "丁意见。" in everything and "只显示引用了这句话的意见" not in everything


def test_the_overview_lists_the_sentences_most_discussed_in_public(app, client, open_003):
    section, first, second = two_sentences(open_003)
    url = section_url(open_003, section)
    overview = f"/consultations/{open_003.id}"
    numbers = [receipt_from(post_comment(client, open_003, url, section_id=section.id, body="意见。", quote=quote))
               for quote in (first, first[2:8], second)]
    approve(app, numbers[0])
    assert "讨论最多的句子" not in client.get(overview).get_data(as_text=True)  # one comment is no discussion
    approve(app, *numbers[1:])
    page = client.get(overview).get_data(as_text=True)
    box = page[page.index("讨论最多的句子"):page.index('class="draft"')]
    items = re.findall(r'<li><a href="#([^"]+)"[^>]*>([^<]+)</a>', box)
    assert len(items) == 1 and items[0][0].startswith(f"{section.anchor}:~:text=")  # scrolls to the sentence
    assert first.startswith(items[0][1].rstrip("…")) and "2 条意见引用" in box  # the second sentence: one only


def test_the_office_answers_sentence_by_sentence(app, client, login, office_consultation):
    import csv
    import io

    consultation, comments = office_consultation
    goals = comments["goals"]
    sentence = re.match(r"[^。；;]+[。；;]", goals.section.lines[0]).group(0)
    goals.quote, comments["pending"].quote = sentence[2:9], sentence  # two comments on the first sentence
    db.session.commit()
    login("office@example.gov.cn")
    url = f"/office/consultations/{consultation.id}/responses"
    page = client.get(url).get_data(as_text=True)
    panel = page[page.index("意见引用最多的原文（按句答复）"):]
    href, count = re.search(r'<li><a href="([^"]+)"[^>]*>[^<]+</a> <span class="hint">（(\d+) 条）</span>', panel).groups()
    assert count == "2" and href.startswith(url + "?passage=")

    narrowed = client.get(href.replace("&amp;", "&")).get_data(as_text=True)
    assert "只显示引用了“" in narrowed and "筛选出 2 条意见（共 4 条）" in narrowed
    assert goals.body in narrowed and comments["pending"].body in narrowed and "整体赞成" not in narrowed
    start = href.split("passage=")[1]
    one = client.get(f"{url}/{goals.id}").get_data(as_text=True)  # one comment's page leads to the others
    assert f'href="{url}?passage={start}">引用这句话的意见共 2 条，一起答复</a>' in one
    assert f'<input type="hidden" name="passage" value="{start}">' in narrowed  # kept when other filters change
    digest = client.get(f"/office/consultations/{consultation.id}/digest.csv?passage={start}")
    rows = list(csv.reader(io.StringIO(digest.data.decode("utf-8-sig"))))
    assert sorted(row[3] for row in rows[1:]) == sorted([goals.body, comments["pending"].body])
    assert client.get(f"{url}?passage=99999999").status_code == 200  # a sentence nobody quotes: an empty list
    assert "筛选出 0 条意见" in client.get(f"{url}?passage=99999999").get_data(as_text=True)
