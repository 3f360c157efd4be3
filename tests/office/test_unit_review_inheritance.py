"""A unit's publication review (审核发布) follows its parent unit: a unit set to 跟随上级单位或全站设置 takes the choice of
the nearest unit up its parent chain that has one of its own, else the deployment's PORTAL_PUBLICATION_REVIEW; a loop
in the chain does not hang anything. The units list and the unit's page say what the outcome is and where it comes
from; a request pending when a parent's change makes review unnecessary may be published directly."""
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.consultations.models import Consultation
from portal.extensions import db
from portal.office.models import PublicationRequest
from portal.office.publication_review import deciding_unit
from portal.units.models import Unit
from tests.core.test_chinese_on_english_pages import english, unmarked_chinese
from tests.helpers import csrf_token, shanghai
from tests.office.test_unit_publication_review import PERIOD, checked_choice, log_in_as, unit_named, unit_row

CITY, OFFICE, CIVIL = "市人民政府", "市政府办公厅", "市民政局"


@pytest.fixture
def staff(app, clock, make_staff, make_user):
    """市民政局 with two office staff, an administrator (logged in); the deployment does not review."""
    clock.set(shanghai(2023, 4, 12, 10, 0))
    make_staff("office", "office@mz.gov.cn", CIVIL)
    make_staff("office", "colleague@mz.gov.cn", CIVIL)
    make_user("admin", "admin@example.gov.cn")
    app.config["PUBLICATION_REVIEW"] = False


def save(client, name: str, choice: str = "site", parent: str | None = None):
    """As an administrator: create the unit ``name``, or change it, on its page."""
    unit = unit_named(name)
    url = f"/admin/units/{unit.id}" if unit is not None else "/admin/units/new"
    data = {"csrf_token": csrf_token(client, url), "name": name, "emails": "", "aliases": "",
            "parent": str(unit_named(parent).id if parent else 0), "publication_review": choice}
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()


def chain(client, login, city: str, office: str, civil: str = "site"):
    """市人民政府 > 市政府办公厅 > 市民政局, each with the given choice."""
    log_in_as(client, login, "admin@example.gov.cn")
    save(client, CITY, city)
    save(client, OFFICE, office, parent=CITY)
    save(client, CIVIL, civil, parent=OFFICE)


def publish_as_civil_office(client, login, upload_seed, submit) -> Consultation:
    """市民政局's office sets the period: published, or submitted for review."""
    log_in_as(client, login, "office@mz.gov.cn")
    consultation_id = upload_seed("003")
    assert submit(f"/office/consultations/{consultation_id}/publish", **PERIOD).status_code == 302
    db.session.expire_all()
    return db.session.get(Consultation, consultation_id)


def listing_cell(client, login, name: str) -> str:
    log_in_as(client, login, "admin@example.gov.cn")
    row = unit_row(client.get("/admin/units").get_data(as_text=True), name)
    return row.split("<td>")[-2].split("</td>")[0]  # the review column, before the link's


def unit_page(client, name: str) -> str:
    response = client.get(f"/admin/units/{unit_named(name).id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_unit_follows_its_parents_choice(app, client, staff, login, upload_seed, submit):
    log_in_as(client, login, "admin@example.gov.cn")
    save(client, OFFICE, "yes")
    save(client, CIVIL, "site", parent=OFFICE)
    assert listing_cell(client, login, CIVIL) == "需要审核（沿用上级单位「市政府办公厅」的设置）"
    assert listing_cell(client, login, OFFICE) == "需要审核"
    page = unit_page(client, CIVIL)
    assert checked_choice(page) == "site" and "> 跟随上级单位或全站设置</label>" in page
    assert "本单位现在：需要审核（沿用上级单位「市政府办公厅」的设置）。" in page
    assert "全站设置现在是：不需要审核。" in page

    consultation = publish_as_civil_office(client, login, upload_seed, submit)
    assert consultation.published_at is None
    assert db.session.scalars(select(PublicationRequest.status)).all() == ["pending"]


def test_a_unit_follows_its_grandparent_through_a_following_parent(app, client, staff, login, upload_seed, submit):
    chain(client, login, city="yes", office="site")
    assert listing_cell(client, login, OFFICE) == "需要审核（沿用上级单位「市人民政府」的设置）"
    assert listing_cell(client, login, CIVIL) == "需要审核（沿用上级单位「市人民政府」的设置）"
    assert "本单位现在：需要审核（沿用上级单位「市人民政府」的设置）。" in unit_page(client, CIVIL)
    # a parent's page names the units its choice decides
    assert "有 2 个下级单位跟随本单位：「市政府办公厅」、「市民政局」。本单位的设置改变，它们也随之改变。" in unit_page(client, CITY)
    assert "有 1 个下级单位跟随本单位：「市民政局」。本单位的设置改变，它也随之改变。" in unit_page(client, OFFICE)
    assert "跟随本单位" not in unit_page(client, CIVIL)
    assert publish_as_civil_office(client, login, upload_seed, submit).published_at is None


@pytest.mark.parametrize("city, office, reviewed", [("no", "yes", True), ("yes", "no", False)])
def test_the_nearest_choice_wins(app, client, staff, login, upload_seed, submit, city, office, reviewed):
    chain(client, login, city=city, office=office)
    outcome = "需要审核" if reviewed else "不需要审核"
    assert listing_cell(client, login, CIVIL) == f"{outcome}（沿用上级单位「市政府办公厅」的设置）"
    assert "跟随本单位" not in unit_page(client, CITY)  # 市政府办公厅's own choice decides for 市民政局
    assert listing_cell(client, login, CITY) == ("不需要审核" if reviewed else "需要审核")
    consultation = publish_as_civil_office(client, login, upload_seed, submit)
    assert (consultation.published_at is None) is reviewed
    assert len(db.session.scalars(select(PublicationRequest)).all()) == (1 if reviewed else 0)


def test_the_units_own_choice_wins_over_its_parents(app, client, staff, login, upload_seed, submit):
    chain(client, login, city="yes", office="yes", civil="no")
    assert listing_cell(client, login, CIVIL) == "不需要审核"
    page = unit_page(client, CIVIL)
    assert checked_choice(page) == "no" and "本单位现在：不需要审核。" in page
    assert publish_as_civil_office(client, login, upload_seed, submit).published_at is not None


@pytest.mark.parametrize("deployment", [False, True])
def test_with_no_choice_up_the_chain_the_deployment_decides(app, client, staff, login, upload_seed, submit,
                                                            deployment):
    app.config["PUBLICATION_REVIEW"] = deployment
    chain(client, login, city="site", office="site")
    outcome = "需要审核" if deployment else "不需要审核"
    for name in (CITY, OFFICE, CIVIL):
        assert listing_cell(client, login, name) == f"{outcome}（沿用全站设置）"
    assert f"本单位现在：{outcome}（沿用全站设置）。" in unit_page(client, CIVIL)
    assert (publish_as_civil_office(client, login, upload_seed, submit).published_at is None) is deployment


@pytest.mark.parametrize("choice, reviewed", [(None, False), (True, True)])
def test_a_loop_in_the_parent_chain_is_safe(app, client, staff, login, upload_seed, submit, choice, reviewed):
    """The directory refuses a loop, but one stored before (or written at the database) must not hang a page."""
    chain(client, login, city="site", office="site")
    city, office, civil = unit_named(CITY), unit_named(OFFICE), unit_named(CIVIL)
    city.parent_id = civil.id  # 市人民政府 > 市政府办公厅 > 市民政局 > 市人民政府 …
    office.publication_review = choice
    db.session.commit()
    expected = "需要审核（沿用上级单位「市政府办公厅」的设置）" if reviewed else "不需要审核（沿用全站设置）"
    assert listing_cell(client, login, CIVIL) == expected
    assert listing_cell(client, login, CITY) == expected
    assert f"本单位现在：{expected}。" in unit_page(client, CITY)
    assert (publish_as_civil_office(client, login, upload_seed, submit).published_at is None) is reviewed


def test_a_pending_request_is_published_directly_once_a_parent_stops_review(
        app, client, staff, login, upload_seed, submit):
    chain(client, login, city="yes", office="site")
    consultation = publish_as_civil_office(client, login, upload_seed, submit)
    assert consultation.published_at is None
    log_in_as(client, login, "admin@example.gov.cn")
    save(client, CITY, "no")  # the grandparent, not 市民政局 itself, stops asking for review
    assert unit_named(CIVIL).publication_review is None
    assert listing_cell(client, login, CIVIL) == "不需要审核（沿用上级单位「市人民政府」的设置）"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "save_unit")
                               .order_by(AuditEntry.id)).all()[-1]  # the parent's change, audited as any other
    assert entry.target_id == unit_named(CITY).id
    assert (entry.before["publication_review"], entry.after["publication_review"]) == (True, False)

    # the colleague is told the request may still be decided, or passed by
    log_in_as(client, login, "colleague@mz.gov.cn")
    page = client.get(f"/office/consultations/{consultation.id}").get_data(as_text=True)
    assert "本单位现在不需要审核发布。" in page and "审核通过并发布" in page and "设定时间并发布" in page
    # the one who asked publishes it directly: the request ends with it
    log_in_as(client, login, "office@mz.gov.cn")
    page = client.get(f"/office/consultations/{consultation.id}/publish").get_data(as_text=True)
    assert "已提交审核，还没有审核。本单位现在不需要审核，可以在这里直接发布" in page and ">发布</button>" in page
    response = submit(f"/office/consultations/{consultation.id}/publish", **PERIOD)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Consultation, consultation.id).published_at is not None
    request = db.session.scalar(select(PublicationRequest))
    assert request.status == "superseded" and request.decided_by_label.endswith("<office@mz.gov.cn>")
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.consultation_id == consultation.id)
                                 .order_by(AuditEntry.id)).all()
    assert actions[-3:] == ["request_publication", "supersede_publication_request", "publish"]


def test_the_english_pages_name_the_source(app, client, staff, login):
    chain(client, login, city="yes", office="site")
    english(client)
    page = client.get("/admin/units").get_data(as_text=True)
    assert unmarked_chinese(page) == []
    assert 'Review needed (the setting of the parent unit “<span lang="zh-CN">市人民政府</span>”)' in page
    page = unit_page(client, CIVIL)
    assert unmarked_chinese(page) == []
    assert "> As the parent unit, else the portal&#39;s setting</label>" in page  # the label's text, escaped
    assert 'This unit now: Review needed (the setting of the parent unit “<span lang="zh-CN">市人民政府</span>”).' in page
    page = unit_page(client, CITY)
    assert unmarked_chinese(page) == []
    assert ('2 units below this one follow it: “<span lang="zh-CN">市政府办公厅</span>”, “<span lang="zh-CN">市民政局'
            '</span>”. Changing this unit\'s choice changes theirs too.') in page


def test_a_parent_with_many_followers_names_the_first_ten(app, client, staff, login):
    log_in_as(client, login, "admin@example.gov.cn")
    save(client, CITY, "yes")
    city = unit_named(CITY)
    db.session.add_all([Unit(name=f"区{n:02d}", emails=[], parent=city) for n in range(11)])
    db.session.add(Unit(name="区99", emails=[], parent=city, publication_review=False))  # its own choice
    db.session.commit()
    names = "、".join(f"「区{n:02d}」" for n in range(10))
    assert f"有 11 个下级单位跟随本单位：{names}等。本单位的设置改变，它们也随之改变。" in unit_page(client, CITY)


def unit(id_, choice=None, parent=None):
    return SimpleNamespace(id=id_, publication_review=choice, parent=parent)


def test_deciding_unit_walks_up_to_the_nearest_choice():
    top = unit(1, True)
    middle = unit(2, None, top)
    bottom = unit(3, None, middle)
    assert deciding_unit(bottom) is top and deciding_unit(top) is top and deciding_unit(None) is None
    middle.publication_review = False
    assert deciding_unit(bottom) is middle
    top.publication_review = middle.publication_review = None
    assert deciding_unit(bottom) is None
    top.parent = bottom  # a loop: each asked once
    assert deciding_unit(bottom) is None and deciding_unit(top) is None
    middle.publication_review = True
    assert deciding_unit(top) is middle
    alone = unit(4)
    alone.parent = alone
    assert deciding_unit(alone) is None
