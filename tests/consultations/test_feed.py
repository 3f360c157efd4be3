"""The Atom feed of published consultations: newest first, at most 50, absolute links, valid XML whatever the
titles hold; linked from every page's head and from the list."""
import xml.etree.ElementTree as ET
from datetime import datetime

from portal.consultations.models import Consultation
from portal.extensions import db
from tests.helpers import shanghai

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def read_feed(client, path="/consultations/feed.atom"):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.get_data())


def entries(feed) -> list:
    return feed.findall(f"{ATOM}entry")


def test_the_feed_lists_published_consultations_newest_first(app, client, clock, import_seed):
    clock.set(shanghai(2023, 4, 12, 9, 0))
    first = import_seed("003")
    clock.set(shanghai(2023, 4, 13, 10, 30))
    second = import_seed("001", opens=shanghai(2023, 5, 1, 9, 0), deadline=shanghai(2023, 6, 1, 23, 59))
    hidden = import_seed("002", publish=False)
    clock.set(shanghai(2023, 4, 20, 9, 0))

    feed = read_feed(client)
    assert feed.findtext(f"{ATOM}title") == "公开征求意见平台"
    assert feed.findtext(f"{ATOM}id") == "http://localhost/consultations/feed.atom"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "http://localhost/consultations/feed.atom"
    assert feed.findtext(f"{ATOM}updated") == "2023-04-13T10:30:00+08:00"
    newest, older = entries(feed)
    assert [e.findtext(f"{ATOM}title") for e in (newest, older)] == [second.title, first.title]
    assert hidden.title not in client.get("/consultations/feed.atom").get_data(as_text=True)

    url = f"http://localhost/consultations/{first.id}"
    assert older.findtext(f"{ATOM}id") == url
    assert older.find(f"{ATOM}link").get("href") == url and older.find(f"{ATOM}link").get("rel") == "alternate"
    assert older.find(f"{ATOM}title").get(XML_LANG) == "zh-CN"
    assert older.findtext(f"{ATOM}author/{ATOM}name") == "市养老服务体系建设工作领导小组办公室"
    assert datetime.fromisoformat(older.findtext(f"{ATOM}published")) == shanghai(2023, 4, 12, 9, 0)
    assert older.findtext(f"{ATOM}published") == "2023-04-12T09:00:00+08:00"
    assert older.findtext(f"{ATOM}updated") == "2023-04-12T09:00:00+08:00"
    assert older.findtext(f"{ATOM}summary") == "征求意见时间：2023年4月12日 09:00 至 2023年5月12日 23:59"
    assert newest.findtext(f"{ATOM}summary") == "征求意见时间：2023年5月1日 09:00 至 2023年6月1日 23:59"
    # the link leads to the consultation's page
    assert client.get(f"/consultations/{first.id}").status_code == 200

    # A reader of the English site gets English around the Chinese titles.
    client.get("/settings/language/en")
    english = read_feed(client)
    assert english.get(XML_LANG) == "en" and english.findtext(f"{ATOM}title") == "Public Consultation Portal"
    assert entries(english)[1].findtext(f"{ATOM}summary") == "Open for comments: 12 April 2023, 09:00 to 12 May 2023, 23:59"


def test_an_extended_deadline_updates_the_entry(app, client, clock, import_seed, make_user):
    from portal.office.services import extend_deadline

    clock.set(shanghai(2023, 4, 12, 9, 0))
    consultation = import_seed("003")
    clock.set(shanghai(2023, 5, 10, 15, 0))
    extend_deadline(consultation, make_user("admin"), shanghai(2023, 5, 31, 23, 59), "群众要求延长。")
    db.session.commit()
    (entry,) = entries(read_feed(client))
    assert entry.findtext(f"{ATOM}published") == "2023-04-12T09:00:00+08:00"
    assert entry.findtext(f"{ATOM}updated") == "2023-05-10T15:00:00+08:00"
    assert "2023年5月31日 23:59" in entry.findtext(f"{ATOM}summary")


def test_at_most_fifty_entries(app, client, clock):
    clock.set(shanghai(2023, 4, 1, 9, 0))
    for n in range(52):
        db.session.add(Consultation(title=f"第{n}号征求意见", published_at=shanghai(2023, 4, 1, 9, n),
                                    opens_at=shanghai(2023, 4, 1), deadline=shanghai(2023, 5, 1)))
    db.session.commit()
    titles = [e.findtext(f"{ATOM}title") for e in entries(read_feed(client))]
    assert len(titles) == 50
    assert titles[0] == "第51号征求意见" and titles[-1] == "第2号征求意见"


def test_hostile_titles_are_escaped_and_the_feed_still_parses(app, client, clock, import_seed):
    clock.set(shanghai(2023, 4, 12, 9, 0))
    consultation = import_seed("003")
    consultation.title = '</title><script>alert(1)</script>&amp; "引号" \x01\x0b结束]]>'
    consultation.issuer = "<b>单位</b> & 办公室"
    db.session.commit()
    body = client.get("/consultations/feed.atom").get_data(as_text=True)
    assert "<script>" not in body and "<b>" not in body and "\x01" not in body
    (entry,) = entries(ET.fromstring(body.encode("utf-8")))
    assert entry.findtext(f"{ATOM}title") == '</title><script>alert(1)</script>&amp; "引号" 结束]]>'
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "<b>单位</b> & 办公室"


def test_every_page_links_the_feed_and_the_list_shows_it(app, client, clock, import_seed):
    clock.set(shanghai(2023, 4, 12, 9, 0))
    consultation = import_seed("003")
    head_link = '<link rel="alternate" type="application/atom+xml" title="新发布的征求意见" href="/consultations/feed.atom">'
    for path in ("/consultations/", f"/consultations/{consultation.id}", "/receipts/"):
        page = client.get(path).get_data(as_text=True)
        assert head_link in page.split("</head>")[0], path
    listing = client.get("/consultations/").get_data(as_text=True)
    assert '<a href="/consultations/feed.atom" type="application/atom+xml">用阅读器订阅新发布的征求意见（Atom）</a>' in listing
    client.get("/settings/language/en")
    english = client.get("/consultations/").get_data(as_text=True)
    assert ">Follow new consultations in a feed reader (Atom)</a>" in english


def test_without_any_published_consultation_the_feed_is_empty_but_valid(app, client, clock, import_seed):
    clock.set(shanghai(2023, 4, 12, 9, 0))
    import_seed("003", publish=False)
    feed = read_feed(client)
    assert entries(feed) == [] and feed.findtext(f"{ATOM}updated") == "2023-04-12T09:00:00+08:00"
