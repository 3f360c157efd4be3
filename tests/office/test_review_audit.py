"""The consultation's page lists the latest entries of its audit log, not all of them (each moderation action and
answer writes one: thousands on a busy consultation), and says how many earlier ones there are."""
import re

from sqlalchemy import select

from portal.accounts.models import User
from portal.audit.services import record_action
from portal.extensions import db
from tests.helpers import staff_browser


def _audit_items(page: str) -> list[str]:
    section = page[page.index('<section aria-labelledby="audit-h">'):]
    section = section[:section.index("</section>")]
    return re.findall(r"<li>(.*?)</li>", section, re.S)


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
    assert "/admin/audit" not in page  # office staff may not open the audit log: no link
    make_staff("admin", "admin@mz.gov.cn")
    admin_page = staff_browser(app, "admin@mz.gov.cn").get(f"/office/consultations/{consultation.id}")
    assert f'href="/admin/audit?consultation={consultation.id}"' in admin_page.get_data(as_text=True)


def test_a_short_log_is_listed_whole(client, consultation, office):
    record_action(db.session.scalar(select(User)), "edit", consultation, consultation_id=consultation.id)
    db.session.commit()

    page = client.get(f"/office/consultations/{consultation.id}").get_data(as_text=True)

    items = _audit_items(page)
    assert len(items) == 1 and "修改" in items[0]
    assert "更早的记录" not in page
