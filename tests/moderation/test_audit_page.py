"""The audit log page: administrators read and filter it; nothing on the portal edits or deletes it."""
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.extensions import db
from tests.moderation.conftest import act, queue_items


def test_admin_reads_and_filters_the_audit_log(app, client, open_003, make_user, login, add_comment):
    make_user("admin", email="admin@example.gov.cn")
    login("admin@example.gov.cn")
    add_comment("社区食堂太少，建议增加。")
    add_comment("停车位不够用，希望规划。")
    items = queue_items(client.get("/moderation").get_data(as_text=True))
    act(client, [items[0]], action="hide", reason="off_topic", note="与草案无关")
    act(client, [items[1]], action="approve")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "共 2 条记录" in page and "admin user &lt;admin@example.gov.cn&gt;" in page
    assert "与本次征求意见无关；与草案无关" in page
    assert "状态：已隐藏" in page and "隐藏理由：与本次征求意见无关" in page and "status: hidden" not in page
    assert "\">意见 #" in page  # the target by its name too
    english = client.get("/admin/audit?lang=en").get_data(as_text=True)
    assert "Status: " in english
    assert "\">隐藏<br>" in page and "\">审核通过<br>" in page  # each action by its name, its code under it
    assert '<option value="hide">隐藏</option>' in page
    assert "\">Hide<br>" in client.get("/admin/audit?lang=en").get_data(as_text=True)
    hidden_only = client.get("/admin/audit?action=hide").get_data(as_text=True)
    assert "共 1 条记录" in hidden_only
    hidden = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "hide")).one()
    by_target = client.get(f"/admin/audit?target_type=comment&target_id={hidden.target_id}").get_data(as_text=True)
    assert "共 1 条记录" in by_target and "与草案无关" in by_target
    assert "共 0 条记录" in client.get("/admin/audit?actor=nobody").get_data(as_text=True)
    assert "共 2 条记录" in client.get(f"/admin/audit?consultation={open_003.id}").get_data(as_text=True)
    assert "共 0 条记录" in client.get("/admin/audit?from=2099-01-01").get_data(as_text=True)


def test_the_audit_log_cannot_be_changed_through_the_portal(client, make_user, login):
    make_user("admin", email="admin@example.gov.cn")
    login("admin@example.gov.cn")
    assert client.post("/admin/audit").status_code in (400, 405)
    assert client.delete("/admin/audit").status_code == 405
    assert not [rule for rule in client.application.url_map.iter_rules()
                if rule.rule.startswith("/admin/audit") and rule.methods & {"POST", "PUT", "PATCH", "DELETE"}]
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_every_action_the_portal_records_has_a_name():
    """A new record_action("…") call without a name in portal/audit/labels.py fails here."""
    import re
    from pathlib import Path

    from portal.audit.labels import ACTION_LABELS
    from portal.moderation.services import TRANSITIONS

    root = Path(__file__).resolve().parents[2] / "portal"
    source = "\n".join(path.read_text(encoding="utf-8") for path in root.rglob("*.py"))
    recorded = set(re.findall(r'record_action\(\s*[^,()]+(?:\([^()]*\))?,\s*"([a-z_]+)"', source))
    assert {"upload", "publish", "erase_contacts", "export_contacts", "routing_settings"} <= recorded
    assert recorded - {"cli"} | set(TRANSITIONS) <= set(ACTION_LABELS)
