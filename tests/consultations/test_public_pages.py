"""A citizen reads a published consultation: the list, the notice, the table of contents, each section."""
import re

from tests.helpers import shanghai


def test_unpublished_consultation_is_invisible(app, client, import_seed):
    consultation = import_seed("003", publish=False)
    assert client.get(f"/consultations/{consultation.id}").status_code == 404
    assert client.get(f"/consultations/{consultation.id}/sections/s-1").status_code == 404
    assert consultation.title not in client.get("/consultations/").get_data(as_text=True)


def test_list_shows_open_and_closed(app, client, clock, import_seed):
    clock.set(shanghai(2023, 4, 20, 9, 0))
    open_one = import_seed("003")
    closed_one = import_seed("001", opens=shanghai(2023, 3, 1), deadline=shanghai(2023, 3, 31, 23, 59, 59))
    page = client.get("/consultations/").get_data(as_text=True)
    open_part, closed_part = page.split("已经截止")
    assert open_one.title in open_part
    assert closed_one.title in closed_part
    assert "征求意见中" in open_part


def test_consultation_page_shows_notice_facts_before_the_text(app, client, clock, import_seed):
    clock.set(shanghai(2023, 4, 20, 9, 0))
    consultation = import_seed("003")
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    facts = page.index('class="notice-facts"')
    assert facts < page.index('class="draft"')
    for fact in ("市养老服务体系建设工作领导小组办公室", "李麒麟", "3255022", "18005572983", "2019787574@qq.com",
                 "2023年5月12日 23:59", "2023年4月12日"):
        assert fact in page[facts:page.index('class="draft"')], fact


def test_every_section_has_an_anchor_listed_in_the_table_of_contents(app, client, clock, import_seed):
    clock.set(shanghai(2023, 4, 20, 9, 0))
    consultation = import_seed("003")
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    toc = page[page.index('class="toc"'):page.index('class="draft"')]
    toc_targets = re.findall(r'href="#([^"]+)"', toc)
    ids = set(re.findall(r'<section class="draft-section[^"]*" id="([^"]+)"', page))
    assert len(ids) == len(consultation.current_draft.sections)
    assert all(target in ids or target == "comments" for target in toc_targets)
    assert len([s for s in consultation.current_draft.sections if s.level <= 2]) + 1 == len(toc_targets)
    # each section offers its comment page with its count
    assert page.count("(0 条意见)") == len(consultation.current_draft.sections)


def test_section_page_has_text_units_table_and_form(app, client, clock, import_seed):
    clock.set(shanghai(2023, 4, 20, 9, 0))
    consultation = import_seed("003")
    sections = consultation.current_draft.sections
    with_units = next(s for s in sections if s.unit_names)
    page = client.get(f"/consultations/{consultation.id}/sections/{with_units.anchor}").get_data(as_text=True)
    assert with_units.unit_names[0] in page
    assert 'name="body"' in page and 'name="csrf_token"' in page
    appendix = next(s for s in sections if s.tables)
    page = client.get(f"/consultations/{consultation.id}/sections/{appendix.anchor}").get_data(as_text=True)
    assert "<table>" in page and "护理型床位占比" in page


def test_pages_load_nothing_from_the_internet(app, client, clock, import_seed):
    clock.set(shanghai(2023, 4, 20, 9, 0))
    consultation = import_seed("003")
    for url in ("/consultations/", f"/consultations/{consultation.id}", f"/consultations/{consultation.id}/sections/s-1"):
        page = client.get(url).get_data(as_text=True)
        assert not re.search(r'(src|href)="(https?:)?//', page), url
        assert '<meta name="viewport"' in page
    assert client.get("/static/portal.css").status_code == 200


def test_times_are_shown_in_shanghai_whatever_the_storage(app, client, clock, import_seed):
    clock.set(shanghai(2023, 4, 20, 9, 0))
    consultation = import_seed("003")
    from portal.extensions import db

    db.session.expire_all()
    stored = db.session.get(type(consultation), consultation.id).deadline
    assert stored.utcoffset().total_seconds() == 0 and stored.hour == 15  # 23:59:59 +08:00
    assert "23:59" in client.get(f"/consultations/{consultation.id}").get_data(as_text=True)


def test_english_switch_is_remembered(app, client, clock, import_seed):
    clock.set(shanghai(2023, 4, 20, 9, 0))
    consultation = import_seed("003")
    response = client.get(f"/settings/language/en?next=/consultations/{consultation.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/consultations/{consultation.id}")
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert '<html lang="en">' in page
    # the page's own words inside the draft (marked Chinese) are marked English, for a screen reader's voice
    draft = page[page.index('<article class="draft"'):]
    assert '<article class="draft" aria-labelledby="draft-h" lang="zh-CN">' in page
    assert '<p class="section-actions" lang="en"><a class="comment-link"' in draft and "Comment" in draft
    assert '<p class="units"><span lang="en">' in draft


def test_settings_never_redirect_off_site(app, client):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.get("/settings/elderly/on", query_string={"next": target})
        assert response.headers["Location"] in ("/", "http://localhost/")


def test_elderly_mode_is_remembered(app, client):
    page = client.get("/consultations/").get_data(as_text=True)
    # the switch comes back to the page as it was asked for: no stray "?" (Werkzeug's full_path ends in one)
    assert 'href="/settings/elderly/on?next=/consultations/"' in page
    assert 'next=/consultations/?q%3D1"' in client.get("/consultations/?q=1").get_data(as_text=True)
    client.get("/settings/elderly/on?next=/consultations/")
    assert 'class="elderly"' in client.get("/consultations/").get_data(as_text=True)
    client.get("/settings/elderly/off?next=/consultations/")
    assert 'class="elderly"' not in client.get("/consultations/").get_data(as_text=True)


def test_landmarks_are_named_apart_and_the_contact_field_suggests_no_e_mail_only(app, client, clock, import_seed):
    """Two search landmarks on the search page had one name; the contact field, which takes a telephone too, made
    browsers offer e-mail addresses only."""
    import re

    clock.set(shanghai(2023, 4, 20, 9, 0))
    consultation = import_seed("003")
    search = client.get("/search?q=养老").get_data(as_text=True)
    labels = re.findall(r'role="search" aria-label="([^"]+)"', search)
    assert len(labels) == 2 and len(set(labels)) == 2
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    contact = re.search(r'<input[^>]*name="author_contact"[^>]*>', page).group(0)
    assert 'autocomplete="email"' not in contact


def test_chinese_content_is_marked_chinese_on_english_report_pages(app, client, clock, import_seed):
    """A screen reader reads the draft's title and the issuer with a Chinese voice on an English page."""
    clock.set(shanghai(2023, 4, 20, 9, 0))
    consultation = import_seed("003")
    english = {"Accept-Language": "en"}
    statistics = client.get(f"/consultations/{consultation.id}/statistics", headers=english).get_data(as_text=True)
    assert '<html lang="en">' in statistics
    assert f'lang="zh-CN">{consultation.title}</a>' in statistics
    poster = client.get(f"/consultations/{consultation.id}/poster", headers=english).get_data(as_text=True)
    assert f'<span lang="zh-CN">{consultation.issuer}</span>' in poster


def test_the_table_of_contents_says_what_its_numbers_count(app, client, clock, import_seed):
    """"一、总体要求 (2)" left an elderly reader to guess what the 2 was: it says "(2 条意见)", "(2 comments)"."""
    from portal.comments.services import approve_comment, submit_comment
    from portal.extensions import db

    clock.set(shanghai(2023, 4, 20, 9, 0))
    consultation = import_seed("003")
    section = next(s for s in consultation.current_draft.sections if s.level == 1)
    for body in ("第一条意见。", "第二条意见。"):
        approve_comment(submit_comment(consultation, body, "suggest", section=section))
    db.session.commit()
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    toc = page[page.index('class="toc"'):page.index('class="draft"')]
    assert f'href="#{section.anchor}"' in toc and '<span class="count">(2 条意见)</span>' in toc
    client.get("/settings/language/en")
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert '<span class="count">(2 comments)</span>' in page


def test_an_item_of_one_sentence_reads_whole_with_its_first_clause_as_heading(app, client, clock, import_seed):
    """Seed 004's item 8 is one sentence ("加大养老服务补贴力度，特别是……"): its title ends with no comma, and its
    page reads the sentence once, whole, its first clause in bold."""
    clock.set(shanghai(2022, 8, 1, 9, 0))
    consultation = import_seed("004", opens=shanghai(2022, 8, 1), deadline=shanghai(2022, 8, 31, 23, 59, 59))
    sections = consultation.current_draft.sections
    item = next(s for s in sections if s.label == "8." and s.level == 3)
    sentence = "加大养老服务补贴力度，特别是对失能失智老年人的政策支持，减轻中低收入群体的养老压力。"
    page = client.get(f"/consultations/{consultation.id}/sections/{item.anchor}").get_data(as_text=True)
    assert re.search(r"<h1[^>]*>8\.加大养老服务补贴力度</h1>", page)
    article = page[page.index('<article class="draft single-section"'):page.index("</article>")]
    assert "<strong>8.加大养老服务补贴力度</strong>，特别是对失能失智老年人的政策支持" in article
    assert re.sub(r"<[^>]+>", "", article).count(sentence) == 1
    # the item before it leads to it by the same title
    before = sections[sections.index(item) - 1]
    page = client.get(f"/consultations/{consultation.id}/sections/{before.anchor}").get_data(as_text=True)
    assert re.search(r'rel="next"[^>]*>8\.加大养老服务补贴力度 ›</a>', page)
    assert "补贴力度，</strong>" not in client.get(f"/consultations/{consultation.id}").get_data(as_text=True)


def test_the_notices_headline_is_not_read_again_under_the_title(app, client, clock, import_seed):
    """Seeds 000 and 004 open with their notice's headline ("X关于印发《title》的通知"): the page shows the title as
    its heading and X as its issuer; the notice's text begins with its first real paragraph, not the headline."""
    clock.set(shanghai(2022, 8, 1, 9, 0))
    period = {"opens": shanghai(2022, 8, 1), "deadline": shanghai(2022, 8, 31, 23, 59, 59)}
    title = "台州市推进高质量发展建设“浙里康养”实施方案（2022—2025年）"
    consultation = import_seed("004", **period)
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert f'<h1 lang="zh-CN">{title}</h1>' in page
    assert "<dd lang=\"zh-CN\">“浙里康养”台州专班办公室</dd>" in page  # 发布单位
    assert "关于印发《" + title not in page and "关于 印发《" not in page
    notice = page[page.index('<details class="notice-text">'):]
    notice = notice[:notice.index("</details>")]
    paragraphs = re.findall(r"<p>(.*?)</p>", notice)
    assert paragraphs == ["“浙里康养”台州专班各成员单位、其他有关单位：",
                          f"现将《{title}》印发给你们，请结合单位工作职责与分工抓好贯彻落实。"]
    # seed 000's notice is its headline only: nothing of it is shown a second time, no empty notice either
    consultation = import_seed("000", **period)
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    title = "临海市公共服务优质共享行动老有康养专项实施方案(2023—2025年)"
    assert f'<h1 lang="zh-CN">{title}</h1>' in page
    assert "<dd lang=\"zh-CN\">台州市临海市公共服务优质共享行动专班办公室</dd>" in page
    assert "关于印发《" + title not in page and 'class="notice-text"' not in page
