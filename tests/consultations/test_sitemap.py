"""What search engines may read: robots.txt, the sitemap, and noindex on pages for one person or for staff."""
import xml.etree.ElementTree as ET

from portal.consultations.models import ConsultationFile
from portal.extensions import db
from tests.helpers import post_comment, receipt_from, shanghai

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def test_robots_txt_keeps_crawlers_out_of_private_pages_and_names_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "User-agent: *"
    for path in ("/receipts/", "/account/", "/office/", "/admin/", "/moderation", "/mail/", "/search"):
        assert f"Disallow: {path}" in lines
    assert "Sitemap: http://localhost/sitemap.xml" in lines
    assert not any(line == "Disallow: /" or line.startswith("Disallow: /consultations") for line in lines)


def test_the_sitemap_lists_every_public_page_of_each_published_consultation(client, clock, import_seed):
    clock.set(shanghai(2023, 4, 20, 9, 0))
    closed = import_seed("003")
    hidden = import_seed("001", publish=False)
    open_now = import_seed("002", opens=shanghai(2023, 5, 1, 9, 0), deadline=shanghai(2023, 6, 30, 17, 0))
    open_now.explanatory_note = "一、起草背景"
    table = ConsultationFile(consultation_id=open_now.id, title="对照表", filename="对照表.pdf",
                             content_type="application/pdf", size=15, data=b"%PDF-1.4\n%%EOF\n")
    db.session.add(table)
    db.session.commit()
    clock.set(shanghai(2023, 5, 20, 9, 0))
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    root = ET.fromstring(response.get_data())
    urls = {u.find("s:loc", NS).text: u.find("s:lastmod", NS) for u in root.findall("s:url", NS)}
    base = "http://localhost"
    expected = {f"{base}/consultations/"}
    for consultation in (closed, open_now):
        expected.add(f"{base}/consultations/{consultation.id}")
        expected |= {f"{base}/consultations/{consultation.id}/sections/{s.anchor}"
                     for s in consultation.current_draft.sections}
    expected.add(f"{base}/consultations/{closed.id}/feedback")  # closed: its feedback report too
    expected.add(f"{base}/consultations/{open_now.id}/explanatory-note")  # it has one
    expected.add(f"{base}/consultations/{open_now.id}/files/{table.id}")  # and a related file
    assert set(urls) == expected
    assert not any(f"/consultations/{hidden.id}" in url for url in urls)  # never an unpublished draft
    assert urls[f"{base}/consultations/{open_now.id}"].text == "2023-04-20T09:00:00+08:00"  # when it was published


def test_pages_for_one_person_or_for_staff_say_noindex(client, clock, import_seed):
    clock.set(shanghai(2023, 4, 20, 9, 0))
    consultation = import_seed("003")
    number = receipt_from(post_comment(client, consultation, f"/consultations/{consultation.id}", body="建议增加社区食堂。"))
    for path in (f"/receipts/{number}", "/receipts/", "/account/sign-in", "/login", "/search?q=养老"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers.get("X-Robots-Tag") == "noindex, nofollow", path
    for path in ("/consultations/", f"/consultations/{consultation.id}", "/api/"):
        assert "X-Robots-Tag" not in client.get(path).headers, path


def test_above_its_size_the_sitemap_is_an_index_of_sitemaps_listing_every_page_once(client, clock, import_seed,
                                                                                  monkeypatch):
    """A sitemap holds at most 50,000 links: a deployment of a thousand consultations (some 70,000 pages) gets an
    index of sitemaps, each of a share of the consultations; together they list what the one sitemap listed."""
    from portal.consultations import sitemap

    clock.set(shanghai(2023, 4, 20, 9, 0))
    first = import_seed("003")
    second = import_seed("002", opens=shanghai(2023, 5, 1, 9, 0), deadline=shanghai(2023, 6, 30, 17, 0))
    whole = client.get("/sitemap.xml").get_data()
    listed = [u.find("s:loc", NS).text for u in ET.fromstring(whole).findall("s:url", NS)]
    assert len(listed) > 2 and ET.fromstring(whole).tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"

    monkeypatch.setattr(sitemap, "CONSULTATIONS_PER_SITEMAP", 1)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    index = ET.fromstring(response.get_data())
    assert index.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    files = [s.find("s:loc", NS).text for s in index.findall("s:sitemap", NS)]
    assert files == ["http://localhost/sitemap-1.xml", "http://localhost/sitemap-2.xml"]
    parts = []
    for path in ("/sitemap-1.xml", "/sitemap-2.xml"):
        part = client.get(path)
        assert part.status_code == 200 and part.mimetype == "application/xml"
        parts.append([u.find("s:loc", NS).text for u in ET.fromstring(part.get_data()).findall("s:url", NS)])
    assert parts[0][0] == "http://localhost/consultations/"  # the list, in the first only
    assert all(f"/consultations/{first.id}" in url for url in parts[0][1:])
    assert all(f"/consultations/{second.id}" in url for url in parts[1])
    assert parts[0] + parts[1] == listed
    assert client.get("/sitemap-3.xml").status_code == 404
