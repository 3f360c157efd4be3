"""Terms explained (术语解释): the office explains the draft's terms in plain words; each section lists the terms its
text uses (once on a page), the consultation's page lists them all, and so does the API."""
import re

from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.extensions import db
from tests.helpers import shanghai

TERMS = "普惠型养老服务：价格不高、大多数老人都用得起的养老服务。\n失能失智——生活不能自理，或者记忆和判断出了问题。\n\n"


def sections_using(consultation, word):
    return [s for s in consultation.current_draft.sections if word in f"{s.heading}\n{s.text}"]


def test_the_office_explains_terms_and_readers_find_them_by_the_sections_that_use_them(app, client, consultation,
                                                                                     submit):
    url = f"/office/consultations/{consultation.id}/terms"
    response = submit(url, text=TERMS)
    assert response.status_code == 302
    db.session.refresh(consultation)
    assert consultation.terms == [
        {"term": "普惠型养老服务", "explanation": "价格不高、大多数老人都用得起的养老服务。"},
        {"term": "失能失智", "explanation": "生活不能自理，或者记忆和判断出了问题。"},
    ]
    form = client.get(url)
    assert form.status_code == 200 and "普惠型养老服务：价格不高" in form.get_data(as_text=True)  # as typed, to edit
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "terms")).one()
    assert (entry.before, entry.after) == ({"terms": 0}, {"terms": 2})

    client.post("/logout")
    using = sections_using(consultation, "失能失智")
    assert using  # seed 003 uses the term
    first = using[0]
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "术语解释（2 个）" in page
    boxes = re.findall(r'<div class="section-terms"[^>]*>.*?</dl>', page, re.S)
    assert sum(box.count("<dt>失能失智</dt>") for box in boxes) == 1  # listed once on the page, where first used
    section_page = client.get(f"/consultations/{consultation.id}/sections/{using[-1].anchor}").get_data(as_text=True)
    assert "<dt>失能失智</dt><dd>生活不能自理，或者记忆和判断出了问题。</dd>" in section_page  # a later section's own page
    section_of_first = page[page.index(f'id="{first.anchor}"'):]
    assert section_of_first.index("<dt>失能失智</dt>") < section_of_first.index("</section>")
    api = client.get(f"/api/v1/consultations/{consultation.id}").get_json()
    assert [t["term"] for t in api["terms"]] == ["普惠型养老服务", "失能失智"]


def test_bad_lines_are_named_and_nothing_is_changed(app, client, consultation, submit):
    url = f"/office/consultations/{consultation.id}/terms"
    assert submit(url, text=TERMS).status_code == 302
    refused = submit(url, text="没有解释的一行\n" + "长" * 31 + "：解释\n失能失智：一\n失能失智：二")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "第1行：请写成“术语：解释”。" in page and "第2行：术语不能超过 30 个字。" in page
    assert "第4行：“失能失智”前面已经解释过了。" in page
    db.session.refresh(consultation)
    assert len(consultation.terms) == 2  # as before


def test_hostile_terms_are_inert_and_none_change_after_the_deadline(app, client, clock, consultation, submit):
    url = f"/office/consultations/{consultation.id}/terms"
    assert submit(url, text='<img src=x onerror="alert(1)">：<script>alert(2)</script>').status_code == 302
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "<img src=x" not in page and "<script>alert(2)" not in page and "&lt;script&gt;alert(2)" in page
    clock.set(shanghai(2023, 5, 13, 9, 0))
    closed = submit(url, text="")
    assert closed.status_code == 422 and "征求意见已经截止，术语解释不能再修改" in closed.get_data(as_text=True)
