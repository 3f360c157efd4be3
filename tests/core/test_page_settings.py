"""Language and elderly mode as a reader uses them: the switch in the page, remembered; the browser's language."""
import re

from tests.helpers import post_comment, shanghai


def html_lang(page: str) -> str:
    return re.search(r'<html lang="([^"]+)"', page).group(1)


def test_chinese_by_default_with_chinese_dates(client, open_003):
    page = client.get(f"/consultations/{open_003.id}").get_data(as_text=True)
    assert html_lang(page) == "zh-CN"
    assert "跳到正文" in page and "2023年5月12日 23:59" in page
    assert "最多 5,000 字。" in page


def test_the_english_switch_is_remembered_with_english_dates_and_numbers(client, open_003):
    url = f"/consultations/{open_003.id}"
    switched = client.get(f"/settings/language/en?next={url}")
    assert switched.status_code == 302 and switched.headers["Location"] == url
    page = client.get(url).get_data(as_text=True)  # the cookie, not the query, says English now
    assert html_lang(page) == "en"
    assert "Skip to main content" in page and "跳到正文" not in page
    assert "12 May 2023, 23:59" in page and "Up to 5,000 characters." in page
    assert "Comment on the draft as a whole" in page
    # the draft stays Chinese, and says so to screen readers
    assert re.search(r'<h1 lang="zh-CN">[^<]*征求意见稿', page)
    assert '<article class="draft" aria-labelledby="draft-h" lang="zh-CN">' in page
    assert 'lang="zh-CN" hreflang="zh-CN">中文</a>' in page
    back = client.get(f"/settings/language/zh_CN?next={url}")
    assert back.status_code == 302
    assert html_lang(client.get(url).get_data(as_text=True)) == "zh-CN"


def test_the_browser_language_is_used_when_nothing_was_chosen(client, open_003):
    page = client.get("/consultations/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert html_lang(page) == "en" and "Open for comments" in page
    page = client.get("/consultations/", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert html_lang(page) == "zh-CN" and "正在征求意见" in page
    client.get("/settings/language/zh_CN")
    page = client.get("/consultations/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert html_lang(page) == "zh-CN"  # the reader's own choice wins over the browser


def test_unknown_language_is_not_found(client):
    assert client.get("/settings/language/fr").status_code == 404


def test_english_errors_on_the_comment_form_link_to_their_fields(client, open_003):
    client.get("/settings/language/en")
    section = open_003.current_draft.sections[3]
    url = f"/consultations/{open_003.id}/sections/{section.anchor}"
    response = post_comment(client, open_003, url, section_id=section.id, body="", author_contact="not a phone")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<a href="#body">Enter your comment.</a>' in page
    assert '<a href="#author_contact">Enter a valid mobile number, landline number or email address, such as' in page
    assert re.search(r'<textarea[^>]*aria-describedby="body-hint body-error"[^>]*aria-invalid="true"', page) or \
        re.search(r'<textarea[^>]*aria-invalid="true"[^>]*aria-describedby="body-hint body-error"', page)
    assert 'id="body-error"' in page


def test_refusal_from_the_service_is_translated(app, client, open_003, clock):
    client.get("/settings/language/en")
    section = open_003.current_draft.sections[3]
    url = f"/consultations/{open_003.id}/sections/{section.anchor}"
    from tests.helpers import csrf_token

    token = csrf_token(client, url)
    clock.set(shanghai(2023, 5, 13, 8, 0))
    response = client.post(f"/consultations/{open_003.id}/comments", data={
        "csrf_token": token, "body": "Too late.", "stance": "suggest", "section_id": section.id, "parent_id": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "closed on 12 May 2023, 23:59" in page and "Your comment was not saved." in page


def test_elderly_mode_is_remembered_without_javascript(client, open_003):
    url = f"/consultations/{open_003.id}"
    assert '<body class=""' in client.get(url).get_data(as_text=True)
    switched = client.get(f"/settings/elderly/on?next={url}")
    assert switched.status_code == 302 and "elderly=1" in switched.headers["Set-Cookie"]
    page = client.get(url).get_data(as_text=True)
    assert '<body class="elderly"' in page and "退出长辈模式" in page
    client.get(f"/settings/elderly/off?next={url}")
    assert '<body class=""' in client.get(url).get_data(as_text=True)


def test_settings_never_redirect_off_the_site(client):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.get("/settings/elderly/on", query_string={"next": target})
        assert response.headers["Location"] == "/"


def test_the_settings_links_on_a_refused_comment_come_back_to_the_page_of_the_form(client, open_003):
    """The answer to a refused comment stands at the POST-only address …/comments: its language and elderly-mode
    links come back to the page the form was on (was a bare English "405 Method Not Allowed")."""
    from urllib.parse import parse_qs, urlsplit

    section = open_003.current_draft.sections[2]
    form_page = f"/consultations/{open_003.id}/sections/{section.anchor}"
    from tests.helpers import csrf_token

    refused = client.post(f"/consultations/{open_003.id}/comments",
                          data={"csrf_token": csrf_token(client, form_page), "stance": "suggest", "body": "",
                                "section_id": section.id, "parent_id": ""},
                          headers={"Referer": f"http://localhost{form_page}"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    links = re.findall(r'href="(/settings/(?:language/en|elderly/on)\?[^"]+)"', page)
    assert len(links) == 2
    for link in links:
        back = parse_qs(urlsplit(link.replace("&amp;", "&")).query)["next"][0]
        assert back == form_page
        assert client.get(client.get(link).headers["Location"]).status_code == 200
    # without a Referer (a browser told not to send one): the home page
    refused = client.post(f"/consultations/{open_003.id}/comments",
                          data={"csrf_token": csrf_token(client, form_page), "stance": "suggest", "body": "",
                                "section_id": section.id, "parent_id": ""})
    backs = re.findall(r'href="/settings/[^"?]+\?next=([^"]*)"', refused.get_data(as_text=True))
    assert len(backs) == 2 and set(backs) <= {"/", "%2F"}, backs


def test_opening_an_address_that_only_takes_a_form_says_so_in_the_readers_language(client, open_003):
    url = f"/consultations/{open_003.id}/comments"
    page = client.get(url)
    assert page.status_code == 405 and "POST" in page.headers["Allow"]
    assert "这个地址只用来提交表单，不能直接打开" in page.get_data(as_text=True)
    english = client.get(url, headers={"Accept-Language": "en"})
    assert english.status_code == 405 and "only receives forms" in english.get_data(as_text=True)


def test_pages_and_the_feed_say_they_follow_the_browsers_language(client, open_003):
    """A shared cache must not give one reader's language to another (the feed's titles follow it too)."""
    for url in (f"/consultations/{open_003.id}", "/consultations/feed.atom"):
        english = client.get(url, headers={"Accept-Language": "en"})
        assert "Accept-Language" in english.headers.get("Vary", ""), url
