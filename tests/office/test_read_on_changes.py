"""A section whose text reads on from its heading (seed 000's item 8: no heading sentence, its first clause taken as
its heading, "8.加大养老服务补贴力度" + ",特别是……") is shown on the pages of changes as the section page shows it:
the text after its heading, never from a bare comma (Section.continues_heading)."""
import io
import re

import docx
from sqlalchemy import select

from portal.drafts.models import Section
from portal.extensions import db
from tests.helpers import docx_of, shanghai

ITEM = "8.加大养老服务补贴力度,特别是对失能失智老年人的政策支持,减轻中低收入群体的养老压力。"
CHANGED = ITEM.replace("中低收入群体", "中低收入家庭")


def owned_000(clock, office, import_seed):
    clock.set(shanghai(2023, 4, 12, 10, 0))
    consultation = import_seed("000", deadline=shanghai(2023, 5, 12, 23, 59, 59))
    consultation.owner_unit_id = office.unit_id
    db.session.commit()
    section = db.session.scalars(select(Section).where(Section.heading == "加大养老服务补贴力度")).one()
    assert section.continues_heading and section.text.startswith(",特别是")
    return consultation


def changed_text(seed_path) -> str:
    text = seed_path("000").read_text(encoding="utf-8")
    assert ITEM in text
    return text.replace(ITEM, CHANGED)


def change_of(page: str, title: str) -> str:
    at = page.index(title)
    return page[at:page.index("</section>", at)]


def test_the_version_changes_page_shows_the_text_after_its_heading(
        app, client, clock, office, import_seed, submit, seed_path):
    consultation = owned_000(clock, office, import_seed)
    response = submit(f"/office/consultations/{consultation.id}/revise",
                      file=(changed_text(seed_path).encode("utf-8"), "修订稿.txt"), change_note="家庭")
    assert response.status_code == 302
    page = client.get(f"/consultations/{consultation.id}/versions/2/changes").get_data(as_text=True)
    change = change_of(page, "8.加大养老服务补贴力度</h2>")
    assert ('<div class="change-text"><strong>8.加大养老服务补贴力度</strong>,特别是对失能失智老年人的政策支持,'
            '减轻中低收入<del>群体</del><ins>家庭</ins>的养老压力。</div>') in change
    assert not re.search(r'<div class="change-text">\s*,', page)


def test_the_final_document_page_and_its_comparison_show_the_text_after_its_heading(
        app, client, clock, office, import_seed, submit, seed_path):
    consultation = owned_000(clock, office, import_seed)
    clock.set(shanghai(2023, 6, 20, 10, 0))
    lines = [line for line in changed_text(seed_path).splitlines() if line.strip()]
    response = submit(f"/office/consultations/{consultation.id}/final-document", file=(docx_of(lines), "正式文件.docx"),
                      issued_on="2023-06-15")
    assert response.status_code == 302
    page = client.get(f"/consultations/{consultation.id}/final").get_data(as_text=True)
    change = change_of(page, '<span lang="zh-CN">8.加大养老服务补贴力度</span></h3>')
    assert ('<div class="change-text" lang="zh-CN"><strong>8.加大养老服务补贴力度</strong>,特别是对失能失智老年人的政策支持,'
            '减轻中低收入<del>群体</del><ins>家庭</ins>的养老压力。</div>') in change
    assert not re.search(r'<div class="change-text"[^>]*>\s*,', page)
    whole = page[page.index('<details class="final-text">'):]
    assert re.search(r'<strong>8\.加大养老服务补贴力度</strong>,特别是对失能失智老年人的政策支持,减轻中低收入家庭的养老压力。</p>',
                     whole)
    assert not re.search(r"<p>\s*,", whole)

    word = docx.Document(io.BytesIO(client.get(f"/consultations/{consultation.id}/final/comparison.docx").data))
    (table,) = word.tables
    (row,) = [row for row in table.rows[1:] if "加大养老服务补贴力度" in row.cells[2].text]
    assert [p.text for p in row.cells[2].paragraphs] == [CHANGED]  # the heading runs into its text, as written
    assert [p.text for p in row.cells[1].paragraphs] == [ITEM]


def test_the_previous_round_page_shows_the_text_after_its_heading(
        app, client, clock, office, import_seed, submit, seed_path):
    first = owned_000(clock, office, import_seed)
    clock.set(shanghai(2023, 6, 1, 9, 0))
    response = submit("/office/upload", previous_round=str(first.id),
                      file=(changed_text(seed_path).encode("utf-8"), "第二次征求意见稿.txt"))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    second_id = int(re.search(r"/office/consultations/(\d+)$", response.headers["Location"]).group(1))
    published = submit(f"/office/consultations/{second_id}/publish", opens="now", deadline_date="2023-07-10",
                       deadline_time="23:59", comment_visibility="public")
    assert published.status_code == 302, published.get_data(as_text=True)[:2000]
    page = client.get(f"/consultations/{second_id}/previous-round").get_data(as_text=True)
    change = change_of(page, '<span lang="zh-CN">8.加大养老服务补贴力度</span></h2>')
    assert ('<div class="change-text" lang="zh-CN"><strong>8.加大养老服务补贴力度</strong>,特别是对失能失智老年人的政策支持,'
            '减轻中低收入<del>群体</del><ins>家庭</ins>的养老压力。</div>') in change
    assert not re.search(r'<div class="change-text"[^>]*>\s*,', page)
