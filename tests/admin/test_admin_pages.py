"""An administrator manages staff accounts and the directory of units (by hand, by CSV/XLSX, and by resolving
the unit names drafts use that the directory does not know)."""
import io
import re

import lxml.html
import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.units.models import Unit, UnitAlias
from portal.units.services import find_unit
from tests.helpers import csrf_token, with_formula_results


@pytest.fixture
def admin(make_user, login):
    user = make_user("admin")
    login("admin@example.gov.cn")
    return user


def post(client, url, **data):
    data["csrf_token"] = csrf_token(client, url)
    files = {k: (io.BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v for k, v in data.items()}
    return client.post(url, data=files, content_type="multipart/form-data")


def test_admin_creates_an_office_account_and_cannot_lock_themself_out(app, client, admin):
    unit = Unit(name="市民政局", emails=["mz@example.gov.cn"])
    db.session.add(unit)
    db.session.commit()
    response = post(client, "/admin/users/new", email="Wang@MZ.gov.cn", name="王芳", role="office", unit="0",
                    password="a long password")
    assert response.status_code == 422 and "必须属于一个单位" in response.get_data(as_text=True)
    response = post(client, "/admin/users/new", email="Wang@MZ.gov.cn", name="王芳", role="office",
                    unit=str(unit.id), password="a long password")
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "wang@mz.gov.cn"))
    assert user.unit_id == unit.id and user.role == "office" and user.check_password("a long password")
    assert "王芳" in client.get("/admin/users").get_data(as_text=True)
    assert db.session.scalars(select(AuditEntry.action)).all() == ["create_user"]

    response = post(client, f"/admin/users/{admin.id}", name="admin", role="moderator", unit="0", active="y")
    assert response.status_code == 422 and "不能取消自己的管理员权限" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, admin.id).role == "admin"
    response = post(client, f"/admin/users/{user.id}", name="王芳", role="office", unit=str(unit.id), password="")
    assert response.status_code == 302  # active unticked: the account is switched off
    db.session.expire_all()
    assert db.session.get(User, user.id).active is False


def test_unit_by_hand_and_an_unmatched_name_resolved_as_alias(app, client, admin, seed_path):
    response = post(client, "/admin/units/new", name="市卫生健康委员会", emails="wjw@example.gov.cn\nbad-address",
                    parent="0", aliases="")
    assert response.status_code == 422 and "格式不对" in response.get_data(as_text=True)
    response = post(client, "/admin/units/new", name="市卫生健康委员会", emails="wjw@example.gov.cn",
                    parent="0", aliases="市卫健委")
    assert response.status_code == 302
    health = db.session.scalar(select(Unit).where(Unit.name == "市卫生健康委员会"))
    assert health.emails == ["wjw@example.gov.cn"] and find_unit("市卫健委") is health

    from portal.drafts.services import import_draft, parse_file

    text, parsed = parse_file(seed_path("001").read_bytes(), "001.txt")
    import_draft(parsed.to_dict(), text, "001.txt")
    db.session.commit()
    page = client.get("/admin/units").get_data(as_text=True)
    unmatched = page.split('id="unmatched-h"')[1].split("全部单位")[0]
    assert '<strong lang="zh-CN">市卫生健康委</strong>' in unmatched and '<strong lang="zh-CN">市民政局</strong>' in unmatched
    assert '<strong lang="zh-CN">市卫健委</strong>' not in unmatched
    data = {"csrf_token": csrf_token(client, "/admin/units"), "alias": "市卫生健康委", "unit": str(health.id)}
    assert client.post("/admin/units/aliases", data=data).status_code == 302
    assert find_unit("市卫生健康委") is health
    page = client.get("/admin/units").get_data(as_text=True)
    assert '<strong lang="zh-CN">市卫生健康委</strong>' not in page.split('id="unmatched-h"')[1].split("全部单位")[0]


def test_units_page_lists_each_unknown_name_with_every_consultation_naming_it(app, client, admin, seed_path):
    """The directory page names each unit the current drafts name and the directory does not know, with the
    consultations naming it (each once, whatever the number of its sections naming it); a name known by an alias or
    in another written form is not listed; each unit's row shows its parent and aliases."""
    from portal.drafts.services import import_draft, parse_file
    from portal.units.models import UnitAlias

    text, parsed = parse_file(seed_path("001").read_bytes(), "001.txt")
    for title in ("第一份草案", "第二份草案"):
        import_draft({**parsed.to_dict(), "title": title}, text, "001.txt")
    parent = Unit(name="市人民政府", emails=["zf@example.gov.cn"])
    db.session.add(parent)
    db.session.flush()
    db.session.add(Unit(name="市卫生健康委员会", emails=["wjw@example.gov.cn"], parent_id=parent.id,
                        aliases=[UnitAlias(alias="市卫生健康委"), UnitAlias(alias="市卫健委")]))
    db.session.commit()
    page = client.get("/admin/units").get_data(as_text=True)
    unmatched = page.split('id="unmatched-h"')[1].split("全部单位")[0]
    listed = [(name, re.sub(r"<[^>]+>", "", where)) for name, where in re.findall(
        r"<li><strong[^>]*>([^<]+)</strong> <span class=\"hint\">见于：(.*?)</span>\n", unmatched)]
    assert ("市民政局", "第二份草案（未发布）、第一份草案（未发布）") in listed  # newest first
    assert "市卫生健康委" not in [name for name, _where in listed]
    row = page.split("全部单位")[1].split("市卫生健康委员会</td>")[1].split("</tr>")[0]
    assert '<td lang="zh-CN">市人民政府</td>' in row
    assert ('<td lang="zh-CN">市卫生健康委、市卫健委</td>' in row
            or '<td lang="zh-CN">市卫健委、市卫生健康委</td>' in row)


def test_a_unit_alias_longer_than_the_directory_keeps_is_refused_in_words(app, client, admin):
    """Each alias is kept in 200 characters: a longer one is named on the form (it was a server error on
    PostgreSQL), and nothing is saved."""
    response = post(client, "/admin/units/new", name="市卫生健康委员会", emails="", parent="0",
                    aliases="市卫健委\n" + "卫" * 201)
    page = re.sub(r"<[^>]+>", "", response.get_data(as_text=True))
    assert response.status_code == 422 and "别名太长（最多 200 个字）" in page
    assert db.session.scalars(select(Unit)).all() == []


CSV = """单位名称,电子邮箱,上级单位,别名
市人民政府办公室,zfb@example.gov.cn,,市政府办公室
市民政局,mz@example.gov.cn、mz2@example.gov.cn,市人民政府办公室,
市养老服务体系建设工作领导小组办公室,yl@example.gov.cn,市民政局,市养老办
"""


def test_directory_import_from_csv_and_xlsx(app, client, admin):
    response = post(client, "/admin/units/import", file=(CSV.encode("utf-8-sig"), "units.csv"))
    assert response.status_code == 302
    office = db.session.scalar(select(Unit).where(Unit.name == "市养老服务体系建设工作领导小组办公室"))
    assert office.parent.name == "市民政局" and office.parent.parent.name == "市人民政府办公室"
    assert find_unit("市养老办") is office and find_unit("市政府办公室").name == "市人民政府办公室"
    assert db.session.scalar(select(Unit).where(Unit.name == "市民政局")).emails == ["mz@example.gov.cn",
                                                                                     "mz2@example.gov.cn"]

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["单位名称", "电子邮箱", "上级单位"])
    sheet.append(["市民政局", "new@example.gov.cn", "市人民政府办公室"])
    sheet.append(["市医保局", "yb@example.gov.cn", None])
    out = io.BytesIO()
    workbook.save(out)
    response = post(client, "/admin/units/import", file=(out.getvalue(), "units.xlsx"))
    assert response.status_code == 302
    db.session.expire_all()
    names = sorted(db.session.scalars(select(Unit.name)))
    assert names == sorted(["市人民政府办公室", "市民政局", "市养老服务体系建设工作领导小组办公室", "市医保局"])
    assert db.session.scalar(select(Unit).where(Unit.name == "市民政局")).emails == ["new@example.gov.cn"]


@pytest.mark.parametrize("content, message", [
    ("单位名称,电子邮箱\n市财政局,cz@example.gov.cn\n市教育局,not-an-address\n", "第3行：电子邮箱「not-an-address」的格式不对"),
    # a blank row counts: the number is the row's number in Excel
    ("单位名称,电子邮箱\n市财政局,cz@example.gov.cn\n,\n市教育局,not-an-address\n", "第4行：电子邮箱「not-an-address」的格式不对"),
    ("单位名称,上级单位\n市财政局,市不存在局\n", "上级单位「市不存在局」既不在文件中"),
    # each above the other (was a server error)
    ("单位名称,上级单位\n甲局,乙局\n乙局,甲局\n", "第2行：上级单位「乙局」是「甲局」的下级单位"),
    ("单位名称,上级单位\n甲局,乙局\n乙局,丙局\n丙局,甲局\n", "第2行：上级单位「乙局」是「甲局」的下级单位"),
    ("名字\n市财政局\n", "单位名称"),
    ("", "文件是空的"),
    # one alias given to two units of the file (was the page "这项修改刚刚已经保存过", 409, as if pressed twice)
    ("单位名称,别名\n市民政局,民政\n市卫生健康委员会,民政\n", "第3行：别名「民政」在文件中已经是单位「市民政局」的别名"),
    # an alias that is another unit's name in the file: a draft naming it would find either
    ("单位名称,别名\n市民政局,市卫健委\n市卫健委,\n", "第2行：别名「市卫健委」在文件中是另一个单位的名称"),
    # longer than the directory keeps (was a server error on PostgreSQL)
    ("单位名称\n" + "市" * 201 + "\n", "第2行：单位名称太长"),
    ("单位名称,别名\n市民政局," + "民" * 201 + "\n", "第2行：别名太长"),
    # the column names and no unit (was "导入完成：新增 0 个单位", as if something were done); blank rows are none
    ("单位名称,电子邮箱\n", "文件里没有单位：请在第一行的列名下面，每行写一个单位。"),
    ("单位名称,电子邮箱\n,\n\n", "文件里没有单位"),
])
def test_a_bad_directory_file_changes_nothing(app, client, admin, content, message):
    response = post(client, "/admin/units/import", file=(content.encode("utf-8"), "units.csv"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "没有导入" in page
    assert message in re.sub(r"<[^>]+>", "", page)
    assert db.session.scalars(select(Unit)).all() == []


def test_a_directory_file_cannot_put_a_unit_under_its_own_subordinate(app, client, admin):
    """In two files, as in one: 乙局 is under 甲局, so 甲局 cannot go under 乙局 (stored, such a loop then made
    saving any unit under either of them run for ever)."""
    assert post(client, "/admin/units/import", file=("单位名称,上级单位\n甲局,\n乙局,甲局\n".encode(), "a.csv")).status_code == 302
    response = post(client, "/admin/units/import", file=("单位名称,上级单位\n甲局,乙局\n".encode(), "b.csv"))
    page = re.sub(r"<[^>]+>", "", response.get_data(as_text=True))
    assert response.status_code == 422 and "第2行：上级单位「乙局」是「甲局」的下级单位，两个单位不能互为上级。" in page
    db.session.expire_all()
    first = db.session.scalar(select(Unit).where(Unit.name == "甲局"))
    assert first.parent is None and db.session.scalar(select(Unit).where(Unit.name == "乙局")).parent is first


def test_a_directory_formula_is_read_as_its_saved_result_and_refused_without_it(app, client, admin):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["单位名称", "电子邮箱"])
    sheet.append(["市财政局", "cz@example.gov.cn"])
    sheet.append(['="市"&"教育局"', "jy@example.gov.cn"])  # openpyxl saves a formula without its result
    out = io.BytesIO()
    workbook.save(out)
    response = post(client, "/admin/units/import", file=(out.getvalue(), "units.xlsx"))
    page = re.sub(r"<[^>]+>", "", response.get_data(as_text=True))
    assert response.status_code == 422 and "没有导入" in page
    assert "第3行：A列是公式，但文件里没有保存公式算出的结果。" in page
    assert db.session.scalars(select(Unit)).all() == []

    saved = with_formula_results(out.getvalue(), {"A3": "市教育局"})  # as Excel saves it
    response = post(client, "/admin/units/import", file=(saved, "units.xlsx"))
    assert response.status_code == 302
    assert sorted(db.session.scalars(select(Unit.name))) == ["市教育局", "市财政局"]


def test_units_page_names_the_ten_newest_consultations_of_an_unknown_unit_and_counts_the_rest(app, client, admin,
                                                                                             seed_path):
    """A unit named by many drafts is listed with the ten newest and the number of all (a page listing hundreds of
    consultations under each name was unreadable, and took seconds to draw)."""
    from portal.drafts.services import import_draft, parse_file

    text, parsed = parse_file(seed_path("001").read_bytes(), "001.txt")
    for n in range(1, 13):
        import_draft({**parsed.to_dict(), "title": f"第{n}份草案"}, text, "001.txt")
    db.session.commit()
    page = client.get("/admin/units").get_data(as_text=True)
    unmatched = page.split('id="unmatched-h"')[1].split("全部单位")[0]
    listed = dict((name, re.sub(r"<[^>]+>", "", where)) for name, where in re.findall(
        r"<li><strong[^>]*>([^<]+)</strong> <span class=\"hint\">见于：(.*?)</span>\n", unmatched))
    where = listed["市民政局"]
    assert where.startswith("第12份草案（未发布）、第11份草案（未发布）、") and "第3份草案（未发布）等共 12 项征求意见" in where
    assert "第2份草案" not in where and "第1份草案" not in where


def test_the_alias_saved_on_an_english_page_is_said_in_chinese_after_switching(app, client, admin):
    """A message flashed by a POST on an English page, read on the next page in Chinese: Chinese (and the reverse)."""
    health = Unit(name="市卫生健康委员会", emails=["wjw@example.gov.cn"])
    db.session.add(health)
    db.session.commit()
    client.get("/settings/language/en")
    data = {"csrf_token": csrf_token(client, "/login"), "alias": "市卫健委", "unit": str(health.id)}
    response = client.post("/admin/units/aliases", data=data)
    assert response.status_code == 302
    client.get("/settings/language/zh_CN")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已把「市卫健委」记为单位的别名。" in page and "another name of the unit" not in page

    data["alias"] = "卫健委"
    response = client.post("/admin/units/aliases", data=data)
    client.get("/settings/language/en")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '“<span lang="zh-CN">卫健委</span>” is now recorded as another name of the unit.' in page
    assert "记为单位的别名" not in page


def test_a_refused_alias_is_said_in_the_language_of_the_page_that_shows_it(app, client, admin):
    """The service's refusal is flashed as its msgid: refused on a Chinese page, read in English after switching, with
    the names typed marked as Chinese; shown at once at a form's field on an English page, the names marked too."""
    db.session.add_all([Unit(name="市卫生健康委员会", emails=[]), Unit(name="市民政局", emails=[],
                                                                 aliases=[UnitAlias(alias="民政")])])
    db.session.commit()
    health = db.session.scalar(select(Unit).where(Unit.name == "市卫生健康委员会"))
    data = {"csrf_token": csrf_token(client, "/login"), "alias": "民政", "unit": str(health.id)}
    response = client.post("/admin/units/aliases", data=data)
    assert response.status_code == 302 and find_unit("民政").name == "市民政局"
    client.get("/settings/language/en")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert ('“<span lang="zh-CN">民政</span>” is already the name or another name of the unit '
            '“<span lang="zh-CN">市民政局</span>”.') in page
    assert "已经是单位" not in page

    response = post(client, "/admin/units/new", name="市卫生健康委", emails="", parent="0", aliases="民政")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert ('“<span lang="zh-CN">民政</span>” is already the name or another name of the unit '
            '“<span lang="zh-CN">市民政局</span>”.') in page
    client.get("/settings/language/zh_CN")
    response = post(client, "/admin/units/new", name="市卫生健康委", emails="", parent="0", aliases="民政")
    assert "「民政」已经是单位「市民政局」的名称或别名。" in response.get_data(as_text=True)


def test_units_page_reads_the_names_of_each_consultation_s_current_draft_only(app, client, admin, seed_path):
    """A revision that names another unit: the page lists the revision's name, no longer the earlier draft's."""
    from portal.drafts.services import add_draft, import_draft, parse_file

    text, parsed = parse_file(seed_path("001").read_bytes(), "001.txt")
    kept = import_draft({**parsed.to_dict(), "title": "未修订的草案"}, text, "001.txt")
    revised = import_draft({**parsed.to_dict(), "title": "修订过的草案"}, text, "001.txt")
    text_2, parsed_2 = parse_file(text.replace("市民政局", "市民政厅").encode(), "001-2.txt")
    assert add_draft(revised, parsed_2.to_dict(), text_2, "001-2.txt").version == 2
    db.session.commit()
    page = client.get("/admin/units").get_data(as_text=True)
    unmatched = page.split('id="unmatched-h"')[1].split("全部单位")[0]
    listed = {name: re.sub(r"<[^>]+>", "", where) for name, where in re.findall(
        r"<li><strong[^>]*>([^<]+)</strong> <span class=\"hint\">见于：(.*?)</span>\n", unmatched)}
    assert listed["市民政局"] == "未修订的草案（未发布）"  # not the revised one's first draft
    assert listed["市民政厅"] == "修订过的草案（未发布）"
    assert kept.current_draft.version == 1


def test_the_admin_pages_show_the_admin_navigation_with_their_own_entry_current(app, client, admin):
    """The administration pages (the audit log, accounts, units, the outbox, whatever its filter, the status page,
    the import) open with the administration's links; the link of the page shown is marked current
    (aria-current="page"), and only that one."""
    for path, current in (("/admin/audit", "/admin/audit"), ("/admin/users", "/admin/users"),
                          ("/admin/units", "/admin/units"), ("/admin/outbox", "/admin/outbox"),
                          ("/admin/outbox?status=failed", "/admin/outbox"), ("/admin/status", "/admin/status"),
                          ("/admin/units/import", "/admin/units/import")):
        page = client.get(path)
        assert page.status_code == 200, path
        nav = lxml.html.fromstring(page.get_data(as_text=True)).xpath("//nav[@class='admin-nav']")
        assert len(nav) == 1, path
        links = {a.get("href"): a.get("aria-current") for a in nav[0].iter("a")}
        assert "/admin/audit" in links and "/admin/users" in links, path
        assert [href for href, mark in links.items() if mark] == [current], path
        assert links[current] == "page", path


@pytest.mark.parametrize("stored, shown", [
    ([12345, "MZJ@example.gov.cn", None], ["MZJ@example.gov.cn"]),
    ("mzj@example.gov.cn", ["mzj@example.gov.cn"]),
    (12345, []),
])
def test_a_unit_whose_addresses_were_written_by_hand_opens_with_its_text_addresses(app, client, admin, stored, shown):
    """A unit's row written by hand outside the portal (a number or null among its addresses, or one text instead of
    a list) opens on its edit page with the addresses that are text, as stored, and saving it mends the row."""
    unit = Unit(name="市民政局", emails=stored)
    db.session.add(unit)
    db.session.commit()
    response = client.get(f"/admin/units/{unit.id}")
    assert response.status_code == 200
    box = lxml.html.fromstring(response.get_data(as_text=True)).xpath("//textarea[@name='emails']")[0]
    assert box.text_content().split() == shown
    response = post(client, f"/admin/units/{unit.id}", name="市民政局", emails="mzj@example.gov.cn", parent="0",
                    aliases="")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Unit, unit.id).emails == ["mzj@example.gov.cn"]
