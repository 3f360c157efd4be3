"""What a reader should know before commenting: the rules, and how personal information is handled, with the
deployment's own retention periods; linked from every footer and from the comment form."""
import re

from portal.moderation.labels import HIDE_REASON_LABELS


def test_the_privacy_page_states_this_deployments_retention_periods(app, client):
    app.config.update(CONTACT_RETENTION_DAYS=365, MAIL_RETENTION_DAYS=180)
    page = client.get("/privacy").get_data(as_text=True)
    assert "联系方式在征求意见结束 365 天后清除" in page and "发出的邮件在 180 天后清除收件人和内容" in page
    app.config.update(CONTACT_RETENTION_DAYS=0, MAIL_RETENTION_DAYS=0)
    page = client.get("/privacy").get_data(as_text=True)
    assert "联系方式按起草单位的档案管理规定保存" in page and "发出邮件的记录按档案管理规定保存" in page
    assert "365 天" not in page


def test_the_pages_are_in_english_for_an_english_reader(app, client):
    app.config.update(CONTACT_RETENTION_DAYS=1)
    client.get("/settings/language/en")
    page = client.get("/privacy").get_data(as_text=True)
    assert "Contacts are erased 1 day after the consultation ends" in page
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    assert not re.search(r"[\u4e00-\u9fff]", main)
    rules = client.get("/rules").get_data(as_text=True).split("<main", 1)[1].split("</main>", 1)[0]
    assert "These comments are not published" in rules and not re.search(r"[\u4e00-\u9fff]", rules)


def test_the_rules_name_every_reason_a_comment_is_withheld(client):
    page = client.get("/rules").get_data(as_text=True)
    for code, label in HIDE_REASON_LABELS.items():
        if code != "other":
            assert str(label) in page, code


def test_the_footer_and_the_comment_form_link_to_both(client, open_003):
    page = client.get(f"/consultations/{open_003.id}").get_data(as_text=True)
    form = page.split('class="comment-form', 1)[1].split("</form>", 1)[0]
    footer = page.split('<footer', 1)[1]
    for part in (form, footer):
        assert 'href="/rules"' in part and 'href="/privacy"' in part


def test_the_accessibility_page_says_what_the_portal_does_and_switches_elderly_mode_on(client):
    page = client.get("/accessibility").get_data(as_text=True)
    assert "无障碍和适老化说明" in page and "长辈模式" in page and "打印纸质意见表" in page
    assert 'href="/settings/elderly/on?next=/accessibility' in page and "现在打开长辈模式" in page
    footer = page.split("<footer", 1)[1]
    assert 'href="/accessibility"' in footer
    client.get("/settings/elderly/on")
    assert "现在打开长辈模式" not in client.get("/accessibility").get_data(as_text=True)
    client.get("/settings/language/en")
    main = client.get("/accessibility").get_data(as_text=True).split("<main", 1)[1].split("</main>", 1)[0]
    assert "Elderly mode" in main and not re.search(r"[\u4e00-\u9fff]", main)


def test_the_site_has_an_icon(client):
    page = client.get("/consultations/").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    asked = client.get("/favicon.ico")  # what browsers and feed readers ask for (was a 404 on every visit)
    assert asked.status_code == 301 and asked.headers["Location"].endswith("/static/favicon.svg")
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data
