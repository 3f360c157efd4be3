"""The moderation modes page after years of use: a page at a time, the consultations still to take comments first
(open, upcoming, unpublished), then the closed ones, each newest first; a mode saved on page 2 comes back to page 2."""
import re
from datetime import timedelta

from portal.consultations.models import Consultation
from portal.extensions import db
from tests.helpers import csrf_token, shanghai


def legends(html: str) -> list[str]:
    """The titles of the consultations listed, in order."""
    return re.findall(r'<legend><span lang="[^"]*">([^<]+)</span>', html)


def consultation(title: str, deadline, published: bool = True) -> Consultation:
    made = Consultation(title=title, issuer="市民政局", opens_at=deadline - timedelta(days=30), deadline=deadline,
                        published_at=deadline - timedelta(days=31) if published else None, notice_text="")
    db.session.add(made)
    return made


def test_the_modes_come_a_page_at_a_time_those_still_taking_comments_first(app, client, clock, make_user, login):
    clock.set(shanghai(2025, 6, 1, 9, 0))
    for i in range(55):  # closed over 2021–2024, the oldest made first
        consultation(f"已截止草案{i:02d}", shanghai(2021, 1, 10, 17, 0) + timedelta(days=25 * i))
    consultation("正在征求意见的草案", shanghai(2025, 6, 20, 17, 0))
    consultation("下月开始的草案", shanghai(2025, 7, 31, 17, 0)).opens_at = shanghai(2025, 7, 1, 9, 0)
    consultation("未发布的草案", shanghai(2024, 3, 1, 17, 0), published=False)  # its deadline passed: not closed
    consultation("今天截止的草案", shanghai(2025, 6, 1, 23, 59, 59))
    db.session.commit()
    make_user("admin", email="admin@example.gov.cn")
    login("admin@example.gov.cn")

    first = client.get("/admin/moderation-modes").get_data(as_text=True)
    assert legends(first)[:4] == ["今天截止的草案", "未发布的草案", "下月开始的草案", "正在征求意见的草案"]
    assert legends(first)[4:] == [f"已截止草案{i:02d}" for i in range(54, 8, -1)]  # 50 a page, newest first
    assert "第 1 页，共 2 页" in first and 'href="/admin/moderation-modes?page=2"' in first

    second = client.get("/admin/moderation-modes?page=2").get_data(as_text=True)
    assert legends(second) == [f"已截止草案{i:02d}" for i in range(8, -1, -1)]  # the rest
    assert "第 2 页，共 2 页" in second and 'href="/admin/moderation-modes?page=1"' in second
    assert legends(client.get("/admin/moderation-modes?page=9").get_data(as_text=True)) == legends(second)
    assert legends(client.get("/admin/moderation-modes?page=x").get_data(as_text=True)) == legends(first)

    oldest = db.session.scalar(db.select(Consultation).where(Consultation.title == "已截止草案00"))
    action = f"/admin/moderation-modes/{oldest.id}?page=2"
    assert f'action="{action}"' in second
    response = client.post(action, data={"csrf_token": csrf_token(client, "/login"),
                                         "mode": "post"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/moderation-modes?page=2")
    db.session.expire_all()
    assert oldest.moderation_mode == "post"
    back = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "的审核方式已改为：先发后审" in back
    assert re.search(rf'id="mode-{oldest.id}-post" name="mode" value="post" checked', back)

    english = client.get("/admin/moderation-modes?page=2", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "closed ones after; 50 a page" in english


def test_one_page_has_no_pager(app, client, open_003, make_user, login):
    make_user("admin", email="admin@example.gov.cn")
    login("admin@example.gov.cn")
    page = client.get("/admin/moderation-modes").get_data(as_text=True)
    assert legends(page) == [open_003.title] and 'class="pager"' not in page


def test_the_saved_mode_is_said_in_the_language_of_the_page_that_shows_it(app, client, clock, make_user, login):
    """Flashed on a Chinese page, read after switching to English: English, the title marked Chinese; and back."""
    clock.set(shanghai(2025, 6, 1, 9, 0))
    open_one = consultation("正在征求意见的草案", shanghai(2025, 6, 20, 17, 0))
    db.session.commit()
    make_user("admin", email="admin@example.gov.cn")
    login("admin@example.gov.cn")
    client.get("/settings/language/zh_CN")
    token = csrf_token(client, "/login")
    response = client.post(f"/admin/moderation-modes/{open_one.id}", data={"csrf_token": token, "mode": "post"})
    assert response.status_code == 303
    client.get("/settings/language/en")  # the switch itself redirects: the message is still waiting
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert ('The moderation mode of “<span lang="zh-CN">正在征求意见的草案</span>” is now: Publish first, moderate after.'
            in page), page
    assert "审核方式已改为" not in page

    response = client.post(f"/admin/moderation-modes/{open_one.id}",
                           data={"csrf_token": csrf_token(client, "/login"), "mode": "pre"})
    client.get("/settings/language/zh_CN")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "“正在征求意见的草案”的审核方式已改为：先审后发（默认）。" in page
    assert "moderation mode of" not in page
