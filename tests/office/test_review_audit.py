"""The consultation's page lists the latest entries of its audit log, not all of them (each moderation action and
answer writes one: thousands on a busy consultation), says how many earlier ones there are and links to the whole
log, a page at a time."""
import re

from sqlalchemy import select

from portal.accounts.models import User
from portal.audit.services import record_action
from portal.extensions import db
from tests.helpers import staff_browser


def _audit_items(page: str, start: str = '<section aria-labelledby="audit-h">') -> list[str]:
    listed = page[page.index(start):]
    listed = listed[:listed.index("</ul>")]
    return re.findall(r"<li>(.*?)</li>", listed, re.S)


def test_the_page_lists_the_latest_fifty_entries_and_counts_the_rest(app, client, clock, consultation, office,
                                                                     make_staff):
    for n in range(60):
        clock.advance(minutes=1)
        record_action("system", "hide", consultation, consultation_id=consultation.id, reason=f"第{n}条")
    db.session.commit()

    page = client.get(f"/office/consultations/{consultation.id}").get_data(as_text=True)

    items = _audit_items(page)
    assert len(items) == 50
    assert "第59条" in items[0] and "第10条" in items[-1]  # newest first
    assert "第9条" not in page
    assert "以上是最近的 50 条，还有 10 条更早的记录。" in page
    link = f'href="/office/consultations/{consultation.id}/audit"'
    assert link in page

    log = client.get(f"/office/consultations/{consultation.id}/audit").get_data(as_text=True)
    assert "共 60 条记录。" in log and len(_audit_items(log, "audit-list")) == 50 and "第10条" in log
    assert f'href="/office/consultations/{consultation.id}/audit?page=2"' in log
    older = client.get(f"/office/consultations/{consultation.id}/audit?page=2").get_data(as_text=True)
    items = _audit_items(older, "audit-list")
    assert len(items) == 10 and "第9条" in items[0] and "第0条" in items[-1] and "隐藏" in items[0]
    make_staff("office", "office@other.gov.cn", "市财政局")  # another unit's staff: not theirs to read
    other = staff_browser(app, "office@other.gov.cn")
    assert other.get(f"/office/consultations/{consultation.id}/audit").status_code == 404


def test_a_short_log_is_listed_whole(client, consultation, office):
    record_action(db.session.scalar(select(User)), "edit", consultation, consultation_id=consultation.id)
    db.session.commit()

    page = client.get(f"/office/consultations/{consultation.id}").get_data(as_text=True)

    items = _audit_items(page)
    assert len(items) == 1 and "修改" in items[0]
    assert "更早的记录" not in page
