"""The notice to print and put up: the period, every way to take part, and a QR code that opens the consultation."""
import re

from tests.helpers import shanghai


def test_the_poster_names_the_period_the_ways_to_take_part_and_its_code_opens_the_consultation(app, client, clock,
                                                                                                   import_seed):
    import segno

    clock.set(shanghai(2023, 4, 20, 9, 0))
    consultation = import_seed("003")
    app.config["PORTAL_BASE_URL"] = "https://yjzj.example.gov.cn"
    page = client.get(f"/consultations/{consultation.id}/poster")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    text = re.sub(r"<[^>]+>", "", html)
    assert consultation.title in text and "征求意见时间：" in text
    address = f"https://yjzj.example.gov.cn/consultations/{consultation.id}"
    assert address in text and "不用注册登录" in text
    for email in consultation.contact_emails:
        assert email in text
    for phone in consultation.contact_phones:
        assert phone in text

    svg = re.search(r"<svg[^>]*class=\"qr-code\".*?</svg>", html, re.S).group(0)
    assert "style=" not in svg and 'role="img"' in svg  # the page's CSP allows no inline style
    expected = segno.make(address, error="m", micro=False).svg_inline(scale=1, border=2, dark="#000", light="#fff",
                                                                      omitsize=True)
    path = re.compile(r'class="qrline"[^>]*d="([^"]+)"')
    assert path.search(svg).group(1) == path.search(expected).group(1)  # the modules of exactly that address

    alone = client.get(f"/consultations/{consultation.id}/qr.svg")
    assert alone.mimetype == "image/svg+xml" and "attachment" in alone.headers["Content-Disposition"]
    assert alone.data.startswith(b"<?xml") and b"<svg" in alone.data

    overview = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert f'href="/consultations/{consultation.id}/poster"' in overview


def test_no_poster_for_an_unpublished_consultation_and_none_offered_once_closed(app, client, clock, import_seed):
    clock.set(shanghai(2023, 4, 20, 9, 0))
    draft = import_seed("001", publish=False)
    assert client.get(f"/consultations/{draft.id}/poster").status_code == 404
    assert client.get(f"/consultations/{draft.id}/qr.svg").status_code == 404
    consultation = import_seed("003")
    clock.set(shanghai(2023, 6, 1, 9, 0))
    overview = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "/poster" not in overview
    assert "已经截止，不宜再张贴" in client.get(f"/consultations/{consultation.id}/poster").get_data(as_text=True)


def test_the_paper_form_lists_the_parts_the_stances_and_where_to_send_it(app, client, clock, import_seed):
    """纸质意见表: for readers who do not go online, to print, fill in by hand and post or hand in."""
    clock.set(shanghai(2023, 4, 20, 9, 0))
    consultation = import_seed("003")
    consultation.contact_address = "宿州市民政局养老服务科（某某路1号）"
    consultation.questions = ["补贴标准是否合适？", "助餐点由谁来办？"]
    from portal.extensions import db

    db.session.commit()
    overview = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert f'href="/consultations/{consultation.id}/paper-form">打印纸质意见表（手写后寄回）</a>' in overview
    poster = client.get(f"/consultations/{consultation.id}/poster").get_data(as_text=True)
    assert f'href="/consultations/{consultation.id}/paper-form"' in poster  # printed with the notice, put beside it
    html = client.get(f"/consultations/{consultation.id}/paper-form").get_data(as_text=True)
    text = re.sub(r"<[^>]+>", "", html)
    assert "请于 2023年5月12日 23:59 前寄回或送交。" in text
    for part in (s for s in consultation.current_draft.sections if s.parent_id is None):
        assert f"{part.label}{part.heading}" in text  # each top-level part, to tick
    assert "☐ 赞成" in text and "☐ 反对" in text and "☐ 建议" in text
    assert "☐ 问题2：助餐点由谁来办？" in text  # the key questions, to tick
    assert "寄至宿州市民政局养老服务科（某某路1号），请在信封上注明“征求意见”。" in text
    assert f"拍照或扫描后发送至 {'、'.join(consultation.contact_emails)}。" in text
    assert 'class="qr-code"' in html

    draft = import_seed("001", publish=False)
    assert client.get(f"/consultations/{draft.id}/paper-form").status_code == 404
    clock.set(shanghai(2023, 6, 1, 9, 0))
    assert "/paper-form" not in client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "这项征求意见已经截止，不再接收意见。" in client.get(f"/consultations/{consultation.id}/paper-form").get_data(as_text=True)
