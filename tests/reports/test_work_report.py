"""The work report (征求意见工作情况统计): the public page, the staff's page and its Excel workbook, through HTTP."""
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from portal.audit.services import record_action
from portal.comments.services import submit_comment
from portal.consultations.models import Consultation
from portal.extensions import db
from portal.reports.work_report import Period, PeriodError, Totals
from portal.responses.services import publish_responses, respond_to_comments
from tests.helpers import shanghai


def text_of(response) -> str:
    """The page's text without its tags and with its white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


@pytest.fixture
def year_2023(app, clock, import_seed, office_consultation):
    """Seed 003 of 市民政局 (deadline 2023-05-12, four opinions received and a spam), answered: one adopted and one
    not, published on 2023-05-13, one more answer drafted; seed 000 of 市财政局 with a 10-day period ending
    2023-08-10 and no opinions; seed 001 of no unit with its deadline in 2024."""
    consultation, comments = office_consultation
    respond_to_comments(consultation, [comments["goals"]], "adopted", "已补充。", "test")
    respond_to_comments(consultation, [comments["pending"]], "not_adopted", "已有规定。", "test")
    clock.set(shanghai(2023, 5, 13, 8, 0))
    publish_responses(consultation, "test")
    respond_to_comments(consultation, [comments["whole"]], "explained", "谢谢。", "test")  # drafted, not published
    db.session.commit()
    from sqlalchemy import select

    from portal.units.models import Unit

    finance = Unit(name="市财政局", emails=[])
    db.session.add(finance)
    short = import_seed("000", opens=shanghai(2023, 7, 31, 9, 0), deadline=shanghai(2023, 8, 10, 17, 0))
    short.owner_unit_id = db.session.scalar(select(Unit.id).where(Unit.name == "市财政局"))
    short.title = '=HYPERLINK("http://evil.example","短期")'
    short.issuer = None  # a notice that names no issuer
    record_action("test", "publish", short, consultation_id=short.id, reason="上级要求8月中旬前出台")
    later = import_seed("001", opens=shanghai(2023, 12, 1, 9, 0), deadline=shanghai(2024, 1, 5, 17, 0))
    db.session.commit()
    clock.set(shanghai(2023, 9, 1, 9, 0))
    return consultation, short, later


def test_period_parses_years_and_quarters():
    today = date(2026, 12, 5)
    assert Period.parse(None, None, today) == Period(2026)
    assert Period.parse("2023", "2", today) == Period(2023, 2)
    assert (Period(2023, 2).first_day, Period(2023, 2).end_day) == (date(2023, 4, 1), date(2023, 7, 1))
    assert (Period(2023, 4).first_day, Period(2023, 4).end_day) == (date(2023, 10, 1), date(2024, 1, 1))
    assert (Period(2023).first_day, Period(2023).end_day) == (date(2023, 1, 1), date(2024, 1, 1))
    start, end = Period(2023).bounds()
    assert start.isoformat() == "2023-01-01T00:00:00+08:00"
    assert Period.parse("2100", "", today) == Period(2100)  # a year to come: an empty report
    for year, quarter in (("x", None), ("1999", None), ("2101", None), ("2023", "5"), ("2023", "q"), ("2023", "-1"),
                          ("２０２３", None)):
        with pytest.raises(PeriodError):
            Period.parse(year, quarter, today)


def test_adoption_share_leaves_explanations_out():
    totals = Totals()
    assert totals.adoption_share is None
    totals.outcomes.update(adopted=1, partly_adopted=2, not_adopted=1, explained=6)
    assert totals.adoption_share == 0.75


def test_public_report_counts_each_consultation_of_the_year(app, client, year_2023):
    consultation, short, later = year_2023
    page = client.get("/consultations/report?year=2023")
    assert page.status_code == 200
    text = text_of(page)
    assert "征求意见情况统计：2023年" in text
    assert "2023年截止的公开征求意见共 2 次。" in text
    assert "共收到意见 4 条" in text  # the spam is no opinion; the closing summary counts the same
    assert "已截止的征求意见中有 1 次没有收到意见。" in text
    assert "已截止并收到意见的 1 次征求意见中，1 次已公布意见采纳情况。" in text
    assert "采纳 1 条，部分采纳 0 条，不采纳 1 条，情况说明 0 条。" in text
    assert "采纳和部分采纳的占作出采纳决定的意见的 50%。" in text
    assert "2 次少于30天" in text  # seed 003 ran 22 days too
    # each issuer apart (the public knows the issuers, not the units that run them), linked to the public pages
    html = page.get_data(as_text=True)
    assert html.index("市养老服务体系建设工作领导小组办公室</h2>") < html.index("未注明发布单位</h2>")
    assert "市民政局</h2>" not in html
    assert f'href="/consultations/{consultation.id}"' in html and f'href="/consultations/{short.id}"' in html
    assert "2023年5月13日 截止后 1 天" in text
    assert "10 天（少于30天）" in text
    assert "2023年4月20日至2023年5月12日" in text
    row = text[text.index(consultation.title):]
    assert row.index("采纳 1 条") < row.index("不采纳 1 条") < row.index("2023年5月13日")
    assert later.title not in html  # its deadline is in 2024
    # what only staff see: drafted answers and the reasons for a short period
    assert "待公布" not in html and "上级要求" not in html
    assert "另有 1 条意见的答复已写好" not in text
    assert "HYPERLINK" in html  # shown as text


def test_public_report_of_a_quarter_and_of_another_year(app, client, year_2023):
    consultation, short, later = year_2023
    second = text_of(client.get("/consultations/report?year=2023&quarter=2"))
    assert "2023年第2季度截止的公开征求意见共 1 次。" in second and consultation.title in second
    assert short.title not in second
    first = text_of(client.get("/consultations/report?year=2023&quarter=1"))
    assert "没有截止日期在这段时间内的公开征求意见" in first
    next_year = client.get("/consultations/report?year=2024").get_data(as_text=True)
    assert later.title in next_year and "泰州市发展和改革委员会</h2>" in next_year
    assert '<option value="2024" selected>' in next_year and '<option value="2023">' in next_year


def test_public_report_refuses_what_is_no_period(app, client, year_2023):
    for query in ("year=abc", "year=1800", "year=2023&quarter=7"):
        assert client.get(f"/consultations/report?{query}").status_code == 404


def test_unpublished_consultations_are_not_counted(app, client, clock, import_seed):
    clock.set(shanghai(2023, 4, 20, 9, 0))
    draft = import_seed("003", publish=False)
    draft.deadline = shanghai(2023, 5, 12, 23, 59)
    db.session.commit()
    text = text_of(client.get("/consultations/report?year=2023"))
    assert "没有截止日期在这段时间内的公开征求意见" in text


def test_office_staff_see_their_own_units_consultations_with_what_is_internal(app, client, login, year_2023):
    consultation, short, later = year_2023
    assert login("office@example.gov.cn").status_code == 302  # 市民政局
    page = client.get("/office/report?year=2023")
    assert page.status_code == 200
    html, text = page.get_data(as_text=True), text_of(page)
    assert "征求意见工作情况统计：2023年" in text
    assert consultation.title in html and short.title not in html
    assert "市民政局</h2>" in html  # the staff's report goes by the unit that runs each
    assert f'href="/office/consultations/{consultation.id}"' in html
    assert "另有 1 条意见的答复已写好、尚未公布。" in text
    assert "待公布 1 条" in text[text.index(consultation.title):]
    assert 'name="unit"' not in html  # no choice of unit
    # another unit asked for by hand is still their own
    assert short.title not in client.get("/office/report?year=2023&unit=none").get_data(as_text=True)


def test_administrators_see_every_unit_and_choose_one(app, client, login, make_user, year_2023):
    consultation, short, later = year_2023
    make_user("admin", "admin@example.gov.cn")
    login("admin@example.gov.cn")
    html = client.get("/office/report?year=2023").get_data(as_text=True)
    assert consultation.title in html and "短期" in html
    assert "上级要求8月中旬前出台" in html  # the reason given for the short period
    finance = re.search(r'<option value="(\d+)" lang="zh-CN">市财政局</option>', html).group(1)
    one = client.get(f"/office/report?year=2023&unit={finance}").get_data(as_text=True)
    assert "短期" in one and consultation.title not in one
    assert f'<option value="{finance}" selected lang="zh-CN">' in one
    none = client.get("/office/report?year=2024&unit=none").get_data(as_text=True)
    assert later.title in none
    assert client.get("/office/report?year=2023&unit=99999").status_code == 404
    assert client.get("/office/report?year=2023&unit=x").status_code == 404


def test_overdue_feedback_is_named(app, client, clock, login, make_user, year_2023):
    consultation, short, later = year_2023
    clock.set(shanghai(2023, 8, 1, 9, 0))
    submit_comment(db.session.get(Consultation, short.id), "意见", "suggest", None)
    db.session.commit()
    make_user("admin", "admin@example.gov.cn")
    login("admin@example.gov.cn")
    clock.set(shanghai(2023, 9, 5, 9, 0))  # 25 days after the deadline
    assert "截止已超过30天" not in client.get("/office/report?year=2023").get_data(as_text=True)
    clock.set(shanghai(2023, 9, 15, 9, 0))  # 35 days
    text = text_of(client.get("/office/report?year=2023"))
    assert "1 次截止已超过30天仍未公布。" in text and "截止已超过30天，尚未公布" in text
    assert "1 次截止已超过30天仍未公布" in text_of(client.get("/consultations/report?year=2023"))


def test_the_workbook_holds_the_totals_and_each_consultation(app, client, login, make_user, year_2023):
    consultation, short, later = year_2023
    make_user("admin", "admin@example.gov.cn")
    login("admin@example.gov.cn")
    html = client.get("/office/report?year=2023").get_data(as_text=True)
    assert 'href="/office/report.xlsx?year=2023"' in html
    response = client.get("/office/report.xlsx?year=2023")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["Content-Disposition"].startswith("attachment; filename=work-report-2023.xlsx; ")
    workbook = load_workbook(io.BytesIO(response.data))
    summary = [[cell for cell in row] for row in workbook["汇总"].iter_rows(values_only=True)]
    assert summary[0][0] == "2023年征求意见工作情况统计"
    headers = summary[3]
    rows = {row[0]: dict(zip(headers, row)) for row in summary[4:]}
    assert rows["市民政局"]["收到意见（条）"] == 4 and rows["市民政局"]["采纳"] == 1
    assert rows["市民政局"]["答复待公布（条）"] == 1 and rows["市民政局"]["采纳率"] == "50.0%"
    assert rows["市财政局"]["少于30天（件）"] == 1 and rows["市财政局"]["未收到意见（件）"] == 1
    assert rows["合计"]["征求意见（件）"] == 2 and rows["合计"]["已公布采纳情况（件）"] == "1/1"
    detail = list(workbook["明细"].iter_rows(values_only=True))
    columns = detail[0]
    lines = [dict(zip(columns, row)) for row in detail[1:]]
    assert [line["编号"] for line in lines] == [consultation.id, short.id]
    assert lines[0]["采纳情况公布日期"] == "2023-05-13" and lines[0]["截止后天数"] == 1
    assert lines[1]["征求意见"].startswith("'=HYPERLINK")  # never a formula
    assert lines[1]["少于30天的理由"] == "上级要求8月中旬前出台" and lines[1]["期限（天）"] == 10


def test_the_report_is_for_staff_only(app, client, login, make_user, year_2023):
    assert client.get("/office/report").status_code == 302  # to the login page
    assert client.get("/office/report.xlsx").status_code == 302
    make_user("moderator", "moderator@example.gov.cn")
    login("moderator@example.gov.cn")
    assert client.get("/office/report").status_code == 403
    assert client.get("/office/report.xlsx").status_code == 403


def test_the_footer_links_the_public_report(app, client, year_2023):
    assert 'href="/consultations/report"' in client.get("/consultations/").get_data(as_text=True)


def test_the_api_gives_the_public_report(app, client, year_2023):
    from tests.api.test_public_api import API, get_json

    consultation, short, later = year_2023
    index = get_json(client, f"{API}/", schema="Index")
    assert index["report"] == f"http://localhost{API}/report"
    data = get_json(client, f"{API}/report?year=2023", schema="Report")
    assert data["period"] == {"year": 2023, "quarter": None, "from": "2023-01-01", "until": "2023-12-31"}
    assert data["totals"]["consultations"] == 2 and data["totals"]["received"] == 4
    assert data["totals"]["outcomes"] == {"adopted": 1, "partly_adopted": 0, "not_adopted": 1, "explained": 0}
    assert data["totals"]["adoption_share"] == 0.5 and data["totals"]["without_comments"] == 1
    assert [group["issuer"] for group in data["groups"]] == ["市养老服务体系建设工作领导小组办公室", None]
    line = data["groups"][0]["consultations"][0]
    assert line["id"] == consultation.id and line["feedback_published_at"] == "2023-05-13T08:00:00+08:00"
    assert line["feedback_days"] == 1 and line["deadline"] == "2023-05-12T23:59:59+08:00"
    assert "drafted" not in line and "short_reason" not in line  # the staff's only
    quarter = get_json(client, f"{API}/report?year=2023&quarter=3", schema="Report")
    assert quarter["period"]["until"] == "2023-09-30" and quarter["groups"][0]["issuer"] is None
    assert get_json(client, f"{API}/report?year=2024", schema="Report")["groups"][0]["issuer"] == "泰州市发展和改革委员会"
    for query, parameter in (("year=abc", "year"), ("year=1999", "year"), ("year=2023&quarter=5", "quarter"),
                             ("year=２０２３", "year")):
        error = get_json(client, f"{API}/report?{query}", 400, "Error")["error"]
        assert error["code"] == "bad_parameter" and error["parameter"] == parameter
    assert get_json(client, f"{API}/report?year=2023&quarter=9&lang=en", 400, "Error")["error"]["message"] == \
        "The quarter must be 1 to 4."


def test_the_days_shown_are_those_that_make_a_period_short(app, client, clock, import_seed):
    """4月20日 15:00 to 5月20日 12:00 is shorter than 30 days: it read "30 天（少于30天）" (calendar days shown,
    the exact duration judged)."""
    import_seed("003", opens=shanghai(2023, 4, 20, 15, 0), deadline=shanghai(2023, 5, 20, 12, 0))
    import_seed("000", opens=shanghai(2023, 6, 1, 9, 0), deadline=shanghai(2023, 7, 1, 9, 0))
    clock.set(shanghai(2023, 9, 1, 9, 0))
    text = text_of(client.get("/consultations/report?year=2023"))
    assert "29 天（少于30天）" in text and "30 天（少于30天）" not in text
    assert "30 天" in text  # exactly 30 days: not short
