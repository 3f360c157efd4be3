"""The list of consultations over years of use: open ones (nearest deadline first) and upcoming ones in full, closed
ones a page at a time, narrowed by issuer and by the year of the deadline."""
import re
from datetime import timedelta

from portal.consultations.models import Consultation
from portal.extensions import db
from tests.helpers import shanghai


def titles(html: str, heading: str) -> list[str]:
    """The titles listed under ``heading`` (up to the next heading)."""
    part = html.split(f">{heading}</h2>")[1].split("<h2")[0]
    return re.findall(r'class="consultation-title"[^>]*>([^<]+)</a>', part)


def published(title: str, issuer: str, opens, deadline) -> Consultation:
    consultation = Consultation(title=title, issuer=issuer, opens_at=opens, deadline=deadline,
                                published_at=opens - timedelta(days=1), notice_text="")
    db.session.add(consultation)
    return consultation


def test_closed_consultations_come_a_page_at_a_time_latest_first_and_filters_narrow_every_list(app, client, clock):
    clock.set(shanghai(2025, 6, 1, 9, 0))
    for i in range(45):  # 45 closed over 2023 and 2024, two offices taking turns
        deadline = shanghai(2023, 1, 10, 17, 0) + timedelta(days=16 * i)
        published(f"已截止草案{i:02d}", "市民政局" if i % 2 else "市卫生健康委员会", deadline - timedelta(days=30), deadline)
    published("下周截止的草案", "市民政局", shanghai(2025, 5, 20, 9, 0), shanghai(2025, 6, 8, 17, 0))
    published("明天截止的草案", "市卫生健康委员会", shanghai(2025, 5, 10, 9, 0), shanghai(2025, 6, 2, 17, 0))
    published("下月开始的草案", "市民政局", shanghai(2025, 7, 1, 9, 0), shanghai(2025, 7, 31, 17, 0))
    unpublished = Consultation(title="未发布的草案", issuer="市民政局", deadline=shanghai(2024, 3, 1, 17, 0),
                               notice_text="")
    db.session.add(unpublished)
    db.session.commit()

    page = client.get("/consultations/").get_data(as_text=True)
    assert titles(page, "正在征求意见") == ["明天截止的草案", "下周截止的草案"]  # the nearest deadline first
    assert titles(page, "即将开始") == ["下月开始的草案"]
    assert titles(page, "已经截止") == [f"已截止草案{i:02d}" for i in range(44, 24, -1)]  # the latest 20
    assert "共 45 项，最近截止的在前。" in page and "第 1 页，共 3 页" in page
    assert "未发布的草案" not in page
    last = client.get("/consultations/?page=3").get_data(as_text=True)
    assert titles(last, "已经截止") == [f"已截止草案{i:02d}" for i in range(4, -1, -1)]
    assert titles(last, "正在征求意见") == ["明天截止的草案", "下周截止的草案"]  # on every page
    # the filters offer every issuer and year, and narrow every list
    assert '<option value="市卫生健康委员会"' in page and '<option value="2023">' in page and '<option value="2025">' in page
    mz_2024 = client.get("/consultations/?issuer=市民政局&year=2024").get_data(as_text=True)
    expected = [f"已截止草案{i:02d}" for i in range(44, -1, -1)
                if i % 2 and (shanghai(2023, 1, 10, 17, 0) + timedelta(days=16 * i)).year == 2024]
    assert titles(mz_2024, "已经截止") == expected and len(expected) == 11
    assert "找到 11 项征求意见。" in mz_2024 and "目前没有正在征求意见的草案。" in mz_2024
    assert '<option value="市民政局" selected' in mz_2024 and '<option value="2024" selected>' in mz_2024
    health_now = client.get("/consultations/?issuer=市卫生健康委员会&year=2025").get_data(as_text=True)
    assert titles(health_now, "正在征求意见") == ["明天截止的草案"] and "即将开始" not in health_now


def test_odd_query_values_are_ignored_not_errors(app, client, clock, import_seed):
    clock.set(shanghai(2023, 4, 20, 9, 0))
    consultation = import_seed("003")
    for query in ("?page=0", "?page=abc", "?page=99999999999", "?year=abc", "?year=99999",
                  "?issuer=" + "长" * 500, "?page=50"):
        response = client.get("/consultations/" + query)
        assert response.status_code == 200, query
    assert consultation.title in client.get("/consultations/?year=abc").get_data(as_text=True)
    assert "找到 0 项征求意见。" in client.get("/consultations/?issuer=不存在的单位").get_data(as_text=True)
