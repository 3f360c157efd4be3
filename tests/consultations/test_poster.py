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
