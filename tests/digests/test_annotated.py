"""The office's annotated copy of the draft (批注版): every comment received is a Word comment on the words it quotes,
else on its section's heading, else on the title; read back with python-docx."""
import io
import re

import docx
from docx.oxml.ns import qn

from portal.extensions import db
from portal.responses.services import respond_to_comments


def anchored(document) -> dict[str, str]:
    """Each Word comment's text → the text of the draft it is anchored on."""
    texts = {str(c.comment_id): c.text for c in document.comments}
    open_ranges: dict[str, list[str]] = {}
    found = {}
    for element in document.element.body.iter():
        if element.tag == qn("w:commentRangeStart"):
            open_ranges[element.get(qn("w:id"))] = []
        elif element.tag == qn("w:commentRangeEnd"):
            comment_id = element.get(qn("w:id"))
            found[texts[comment_id]] = "".join(open_ranges.pop(comment_id))
        elif element.tag == qn("w:t"):
            for parts in open_ranges.values():
                parts.append(element.text or "")
    return found


def test_each_comment_received_is_a_word_comment_on_the_words_it_is_about(app, client, login, office_consultation):
    consultation, comments = office_consultation
    goals = comments["goals"]
    sentence = re.match(r"[^。；;]+[。；;]", goals.section.lines[0]).group(0)
    goals.quote = sentence[3:12]  # part of the first sentence: the note marks the whole sentence
    goals.agreement_count = 4  # four readers agreed with it (赞同)
    db.session.commit()
    respond_to_comments(consultation, [comments["whole"]], "explained", "将在实施细则中考虑。", "test")
    db.session.commit()

    login("office@example.gov.cn")
    page = client.get(f"/office/consultations/{consultation.id}/responses").get_data(as_text=True)
    assert f"/office/consultations/{consultation.id}/annotated.docx" in page
    response = client.get(f"/office/consultations/{consultation.id}/annotated.docx")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "%E6%89%B9%E6%B3%A8%E7%89%88.docx" in response.headers["Content-Disposition"]  # 批注版.docx
    document = docx.Document(io.BytesIO(response.data))
    notes = {c.text: c.author for c in document.comments}
    assert len(notes) == 4  # every comment received: spam left out

    on = anchored(document)
    (goals_note,) = [text for text in notes if goals.body in text]
    assert on[goals_note] == sentence and f"针对原文：「{goals.quote}」" in goals_note
    assert goals_note.startswith(f"回执号 {goals.receipt_number}　建议") and notes[goals_note] == "王大爷"
    assert f"{goals.body}\n网友赞同：4人" in goals_note
    (word_comment,) = [c for c in document.comments if c.text == goals_note]
    assert word_comment.timestamp == goals.created_at  # the date Word shows is the comment's own
    (formula_note,) = [text for text in notes if "HYPERLINK" in text]
    assert on[formula_note] == comments["formula"].section.label + comments["formula"].section.heading
    (whole_note,) = [text for text in notes if "整体赞成" in text]
    assert on[whole_note] == consultation.title and notes[whole_note] == "匿名"
    assert "答复（未公布）：情况说明。将在实施细则中考虑。" in whole_note and "网友赞同" not in whole_note
    (pending_note,) = [text for text in notes if "社区食堂" in text]
    assert "审核状态：待审核" in pending_note
    everything = "".join(notes) + "".join(notes.values())
    assert "138" not in everything and "spam@example.com" not in everything and "广告" not in everything
    # the draft itself reads as the public's Word copy does
    public = docx.Document(io.BytesIO(client.get(f"/consultations/{consultation.id}/versions/1/draft.docx").data))
    assert [p.text for p in document.paragraphs] == [p.text for p in public.paragraphs]


def test_only_the_owning_office_downloads_it(app, client, login, make_user, office_consultation):
    consultation, _ = office_consultation
    assert client.get(f"/office/consultations/{consultation.id}/annotated.docx").status_code in (302, 401)
    make_user("office", email="other@example.gov.cn", unit_name="市财政局")
    login("other@example.gov.cn")
    assert client.get(f"/office/consultations/{consultation.id}/annotated.docx").status_code in (403, 404)


def test_a_filtered_list_gives_a_copy_of_its_own_and_too_many_comments_are_refused(app, client, login, monkeypatch,
                                                                                  office_consultation):
    import portal.digests.annotated as annotated

    consultation, comments = office_consultation
    login("office@example.gov.cn")
    section = comments["goals"].section
    url = f"/office/consultations/{consultation.id}/responses?section={section.id}"
    page = client.get(url).get_data(as_text=True)
    link = f"/office/consultations/{consultation.id}/annotated.docx?section={section.id}"
    assert link in page and "批注版草案（只含筛选出的 2 条意见）" in page
    response = client.get(link)
    assert "%E7%AD%9B%E9%80%89.docx" in response.headers["Content-Disposition"]  # …-批注版-筛选.docx
    texts = [c.text for c in docx.Document(io.BytesIO(response.data)).comments]
    assert sorted(next(line for line in t.split("\n") if line in (comments["goals"].body, comments["pending"].body))
                  for t in texts) == sorted([comments["goals"].body, comments["pending"].body])

    monkeypatch.setattr(annotated, "ANNOTATED_MAX", 3)  # four comments received: one too many
    refused = client.get(f"/office/consultations/{consultation.id}/annotated.docx")
    assert refused.status_code == 302 and refused.headers["Location"].endswith(f"/consultations/{consultation.id}/responses")
    assert "批注版草案一次最多放 3 条" in client.get(refused.headers["Location"]).get_data(as_text=True)
    assert client.get(link).status_code == 200  # the section's two fit


def test_the_digests_summary_sheet_lists_the_sentences_quoted_most(app, client, login, office_consultation):
    import openpyxl

    consultation, comments = office_consultation
    sentence = re.match(r"[^。；;]+[。；;]", comments["goals"].section.lines[0]).group(0)
    for key in ("goals", "pending", "spam"):  # spam is not received: not counted
        comments[key].quote = sentence[2:10]
    db.session.commit()
    login("office@example.gov.cn")
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/office/consultations/{consultation.id}/digest.xlsx").data))
    rows = [tuple(r[:3]) for r in book["汇总"].iter_rows(values_only=True)]
    header = rows.index(("意见引用最多的原文", "引用的意见数", "所在部分"))
    assert rows[header + 1:] == [(sentence, 2, comments["goals"].section.title)]
    filtered = client.get(f"/office/consultations/{consultation.id}/digest.xlsx?stance=suggest")
    rows = [tuple(r[:3]) for r in openpyxl.load_workbook(io.BytesIO(filtered.data))["汇总"].iter_rows(values_only=True)]
    assert ("意见引用最多的原文", "引用的意见数", "所在部分") not in rows  # a filtered digest: its comments only
