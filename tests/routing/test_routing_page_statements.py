"""The routing page reads the units directory once and matches every section's units in memory: its statements do
not grow with the sections of the draft."""
from portal.extensions import db
from portal.units.models import Unit
from tests.helpers import staff_browser, statements


def test_the_routing_page_of_a_long_draft_costs_as_many_statements_as_a_short_one(app, import_seed, make_user):
    long, short = import_seed("000", publish=False), import_seed("003", publish=False)
    assert len(long.current_draft.sections) > 2 * len(short.current_draft.sections)
    for name in ("市民政局", "市发展改革局", "市财政局"):
        db.session.add(Unit(name=name, emails=[f"{len(name)}@example.gov.cn"]))
    db.session.commit()
    make_user("admin", email="admin@example.gov.cn")
    admin = staff_browser(app, "admin@example.gov.cn")
    for consultation in (short, long):  # the first visit reads what later ones keep
        admin.get(f"/office/consultations/{consultation.id}/routing")

    counted = []
    for consultation in (short, long):
        with statements() as seen:
            page = admin.get(f"/office/consultations/{consultation.id}/routing").get_data(as_text=True)
        assert "市民政局" in page
        counted.append(len(seen))

    assert counted[0] == counted[1], counted
