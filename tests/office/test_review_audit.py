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


def _recorded_actions() -> set[str]:
    """Every action code the portal's code records: the literal second argument of each ``record_action`` call, and
    the names the calls take from a module's constants or the moderation form's actions."""
    import ast
    from pathlib import Path

    from portal.consultations.samples import LOADED
    from portal.moderation.forms import ACTIONS

    codes = {LOADED, *ACTIONS}
    for path in (Path(__file__).resolve().parents[2] / "portal").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            called = getattr(node.func, "id", getattr(node.func, "attr", None)) if isinstance(node, ast.Call) else None
            if (called == "record_action"
                    and len(node.args) > 1 and isinstance(node.args[1], ast.Constant)):
                codes.add(node.args[1].value)
    return codes


def test_every_action_the_portal_records_has_a_name():
    from portal.audit.labels import ACTION_LABELS

    recorded = _recorded_actions()
    assert {"cancel_meeting", "publish", "unit_advice", "approve", "load_sample"} <= recorded  # the scan finds them
    assert sorted(recorded - set(ACTION_LABELS)) == []


def test_the_page_names_each_action_as_the_audit_log_does(client, consultation, office):
    from portal.audit.labels import ACTION_LABELS

    codes = sorted(_recorded_actions() - {"cancel_meeting"}) + ["cancel_meeting"]  # the newest shown first
    for code in codes:
        record_action("system", code, consultation, consultation_id=consultation.id)
    db.session.commit()

    page = client.get(f"/office/consultations/{consultation.id}").get_data(as_text=True)
    log = client.get(f"/office/consultations/{consultation.id}/audit").get_data(as_text=True)

    shown = [item.rsplit(" · ", 1)[-1].strip() for item in _audit_items(page)]
    assert len(shown) == min(len(codes), 50)
    assert not set(shown) & set(codes)  # no code shown as it is
    assert "取消会议" in shown and "cancel_meeting" not in page
    assert shown == [item.rsplit(" · ", 1)[-1].strip() for item in _audit_items(log, "audit-list")]
    assert set(shown) <= {str(label) for label in ACTION_LABELS.values()}
