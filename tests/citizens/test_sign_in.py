"""A citizen signs in with a link sent by e-mail (real SMTP server on loopback), follows "my comments", comments
signed in, changes settings, signs out, signs out everywhere, deletes the account."""
import re

import pytest
from sqlalchemy import func, select

from portal.citizens.models import Citizen, SignInLink
from portal.comments.models import Comment
from portal.extensions import db
from portal.mail.models import CommenterAddress, OutboxMessage
from portal.mail.worker import deliver_due
from tests.helpers import csrf_token, post_comment, receipt_from

BASE = "https://portal.example.gov.cn"
ADDRESS = "li.ayi@example.cn"


def ask_for_link(client, email=ADDRESS, next_path=None):
    url = "/account/sign-in" + (f"?next={next_path}" if next_path else "")
    token = csrf_token(client, url)
    return client.post(url, data={"csrf_token": token, "email": email, "next": next_path or ""})


def sign_in_mails(smtp_server, email=ADDRESS) -> list:
    return [m for m in smtp_server.to(email) if "/account/sign-in/" in m.get_body(("plain",)).get_content()]


def link_in_mail(smtp_server, email=ADDRESS, index=-1) -> str:
    """The sign-in link in the ``index``th sign-in mail to ``email``, as a path."""
    mail = sign_in_mails(smtp_server, email)[index]
    text = mail.get_body(("plain",)).get_content()
    match = re.search(rf"{re.escape(BASE)}(/account/sign-in/[A-Za-z0-9._-]+)", text)
    assert match, text
    html = mail.get_body(("html",)).get_content()
    assert f'href="{BASE}{match.group(1)}"' in html
    return match.group(1)


def sign_in(client, smtp_server, email=ADDRESS, next_path=None):
    """The whole way: ask, get the mail, open the link, press the button. Returns the final response."""
    asked = ask_for_link(client, email, next_path)
    assert asked.status_code == 303, asked.get_data(as_text=True)
    deliver_due()
    path = link_in_mail(smtp_server, email)
    return client.post(path, data={"csrf_token": csrf_token(client, path)})


def test_sign_in_by_mail_shows_my_comments_made_before_with_that_address(app, client, open_003, smtp_server):
    page_url = f"/consultations/{open_003.id}"
    earlier = receipt_from(post_comment(client, open_003, page_url, body="以前提的意见：增加助餐点。",
                                        author_contact="Li.Ayi@Example.cn"))
    other = receipt_from(post_comment(client, open_003, page_url, body="别人的意见。", author_contact="other@example.cn"))

    asked = ask_for_link(client, "  Li.Ayi@Example.CN ")
    assert asked.status_code == 303
    sent_page = client.get(asked.headers["Location"]).get_data(as_text=True)
    assert ADDRESS in sent_page and "30 分钟" in sent_page
    deliver_due()
    mails = sign_in_mails(smtp_server)
    assert len(mails) == 1 and mails[0]["Subject"] == "登录公开征求意见平台的链接"
    path = link_in_mail(smtp_server)

    # The outbox keeps the mail without the link: an administrator reading it cannot sign in as the citizen.
    stored = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "sign_in")).one()
    assert stored.status == "sent" and stored.body_text and "链接已隐去" in stored.body_text
    token = path.rsplit("/", 1)[1]
    assert token not in stored.body_text and token not in (stored.body_html or "")
    assert "/account/sign-in/" not in stored.body_text

    # Opening the link only asks (a mail scanner fetching it signs nobody in).
    opened = client.get(path)
    assert opened.status_code == 200 and ADDRESS in opened.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Citizen)) == 0
    assert client.get("/account/").status_code == 302

    done = client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert done.status_code == 303 and done.headers["Location"] == "/account/"
    mine = client.get("/account/")
    page = mine.get_data(as_text=True)
    assert mine.status_code == 200 and mine.headers["Cache-Control"] == "no-store"
    assert earlier in page and "以前提的意见：增加助餐点。" in page and "等待审核" in page
    assert f'lang="zh-CN">{open_003.title}</a>' in page  # the draft's title is marked Chinese on every page
    assert other not in page and "别人的意见" not in page
    # Signing in proved the address: it counts as confirmed.
    assert db.session.scalar(select(CommenterAddress.confirmed_at).where(CommenterAddress.email == ADDRESS))

    # The link works once.
    again = client.post(path, data={"csrf_token": csrf_token(client, "/account/settings")})
    assert again.status_code == 410 and "已经用过" in again.get_data(as_text=True)
    assert client.get(path).status_code == 410


def test_a_comment_made_signed_in_is_prefilled_listed_and_answered(app, client, open_003, smtp_server, login,
                                                                   make_user):
    sign_in(client, smtp_server)
    settings = csrf_token(client, "/account/settings")
    saved = client.post("/account/settings", data={"csrf_token": settings, "name": "李阿姨", "mail": "y"})
    assert saved.status_code == 200 and "设置已保存" in saved.get_data(as_text=True)

    page_url = f"/consultations/{open_003.id}"
    form_page = client.get(page_url).get_data(as_text=True)
    assert 'value="李阿姨"' in form_page and f'value="{ADDRESS}"' in form_page
    assert "这条意见会列在“我的意见”里" in form_page
    # another reader, not signed in, is not given the signed-in page (the page cache keeps anonymous pages only)
    stranger = app.test_client()
    theirs = stranger.get(page_url).get_data(as_text=True)
    assert ADDRESS not in theirs and "李阿姨" not in theirs and "用电子邮箱登录" in theirs
    # … and the signed-in reader is not given the anonymous page either
    assert f'value="{ADDRESS}"' in client.get(page_url).get_data(as_text=True)

    # The citizen changes the contact to a phone number: the comment is still theirs.
    number = receipt_from(post_comment(client, open_003, page_url, body="签名登录后的意见。", author_name="李阿姨",
                                       author_contact="13912345678"))
    comment = db.session.scalars(select(Comment).where(Comment.receipt_number == number)).one()
    citizen = db.session.scalars(select(Citizen)).one()
    assert comment.citizen_id == citizen.id and citizen.name == "李阿姨"
    page = client.get("/account/").get_data(as_text=True)
    assert number in page and "签名登录后的意见。" in page and "尚未公布" in page

    # With the address left in, the receipt goes out at once: signing in confirmed the address.
    with_mail = receipt_from(post_comment(client, open_003, page_url, body="第二条。", author_contact=ADDRESS))
    deliver_due()
    subjects = [m["Subject"] for m in smtp_server.to(ADDRESS)]
    assert any(with_mail in s for s in subjects) and not any("请确认" in s for s in subjects)

    # The office approves and answers; the answer, once published, shows on "my comments".
    from portal.comments.services import approve_comment
    from portal.responses.models import Response
    from portal.core.time import now

    approve_comment(comment)
    db.session.add(Response(comment_id=comment.id, consultation_id=open_003.id, outcome="adopted",
                            reason="已在第三条中增加。", published_at=now()))
    db.session.commit()
    page = client.get("/account/").get_data(as_text=True)
    assert "已审核通过" in page and "采纳" in page and "已在第三条中增加。" in page


def test_link_expires_and_is_not_sent_when_too_old(app, client, open_003, smtp_server, clock):
    ask_for_link(client)
    deliver_due()
    path = link_in_mail(smtp_server)
    clock.advance(minutes=31)
    expired = client.get(path)
    assert expired.status_code == 410 and "已经过期" in expired.get_data(as_text=True)
    assert client.post(path, data={"csrf_token": csrf_token(client, "/account/sign-in")}).status_code == 410
    assert db.session.scalar(select(func.count()).select_from(Citizen)) == 0

    # A mail held up (SMTP down) beyond the link's life is not sent at all.
    ask_for_link(client)
    clock.advance(minutes=31)
    deliver_due()
    late = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "sign_in")
                              .order_by(OutboxMessage.id.desc())).first()
    assert late.status == "failed" and "过期" in late.last_error
    assert len(sign_in_mails(smtp_server)) == 1


def test_forged_and_garbled_links_are_refused(app, client, open_003, smtp_server):
    ask_for_link(client)
    deliver_due()
    path = link_in_mail(smtp_server)
    token = path.rsplit("/", 1)[1]
    assert client.get("/account/sign-in/not-a-token").status_code == 404
    assert client.get(f"/account/sign-in/{token[:-2]}xx").status_code == 404
    # a link signed with another secret key
    from itsdangerous import URLSafeTimedSerializer

    link = db.session.scalars(select(SignInLink)).one()
    forged = URLSafeTimedSerializer("guess", salt="citizen-sign-in").dumps({"link": link.id, "email": ADDRESS})
    assert client.get(f"/account/sign-in/{forged}").status_code == 404
    # without the form token the button signs nobody in
    assert client.post(path, data={}).status_code in (400, 404)
    assert db.session.scalar(select(func.count()).select_from(Citizen)) == 0


def test_bad_addresses_and_too_many_links(app, client, open_003, smtp_server):
    bad = ask_for_link(client, "not an address")
    assert bad.status_code == 422 and "请填写正确的电子邮箱" in bad.get_data(as_text=True)
    empty = ask_for_link(client, "")
    assert empty.status_code == 422 and "请填写您的电子邮箱" in empty.get_data(as_text=True)
    for _ in range(5):
        assert ask_for_link(client).status_code == 303
    refused = ask_for_link(client)
    assert refused.status_code == 429 and "已经收到好几封登录邮件" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SignInLink)) == 5
    deliver_due()
    assert len(sign_in_mails(smtp_server)) == 5
    # Signing in with one link uses them all: an old mail lying in the inbox no longer signs anyone in.
    paths = [link_in_mail(smtp_server, index=i) for i in range(5)]
    assert client.post(paths[-1], data={"csrf_token": csrf_token(client, paths[-1])}).status_code == 303
    assert client.get(paths[0]).status_code == 410


def test_an_address_typed_in_a_chinese_input_method_signs_in_as_the_comment_form_reads_it(app, client, open_003,
                                                                                           smtp_server):
    """"ｌｉ．ａｙｉ＠ｅｘａｍｐｌｅ．ｃｎ" (full-width, as a Chinese input method types it) is taken, as the comment form takes
    it, and the link goes to li.ayi@example.cn: the comments made with that address are the citizen's."""
    asked = ask_for_link(client, " ｌｉ．ａｙｉ＠ｅｘａｍｐｌｅ．ｃｎ ")
    assert asked.status_code == 303, asked.get_data(as_text=True)[:3000]
    deliver_due()
    assert len(sign_in_mails(smtp_server, ADDRESS)) == 1


def test_the_address_limit_is_per_client_address_too(app, client, open_003):
    app.config["CITIZEN_SIGN_IN_RATE_LIMIT"] = "2/hour"
    assert ask_for_link(client, "a@example.cn").status_code == 303
    assert ask_for_link(client, "b@example.cn").status_code == 303
    refused = ask_for_link(client, "c@example.cn")
    assert refused.status_code == 429 and "这台设备（或这个网络）申请登录链接的次数太多" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SignInLink)) == 2


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\t/evil.example"])
def test_next_is_a_path_on_this_site_only(app, client, open_003, smtp_server, target):
    done = sign_in(client, smtp_server, next_path=target)
    assert done.status_code == 303 and done.headers["Location"] == "/account/"


def test_next_brings_the_citizen_back_to_the_section(app, client, open_003, smtp_server):
    section = f"/consultations/{open_003.id}"
    page = client.get(section).get_data(as_text=True)
    assert f"/account/sign-in?next=/consultations/{open_003.id}" in page.replace("%2F", "/")
    done = sign_in(client, smtp_server, next_path=section)
    assert done.headers["Location"] == section


def test_mail_preference_and_signing_in_does_not_resubscribe(app, client, open_003, smtp_server):
    from portal.mail.services import is_unsubscribed, unsubscribe_address

    unsubscribe_address(ADDRESS)
    db.session.commit()
    sign_in(client, smtp_server)  # the sign-in mail is asked for, so it goes out anyway
    assert is_unsubscribed(ADDRESS)
    page = client.get("/account/settings").get_data(as_text=True)
    assert 'id="mail"' in page and "checked" not in page.split('id="mail"')[0][-200:] + page.split('id="mail"')[1][:60]
    token = csrf_token(client, "/account/settings")
    client.post("/account/settings", data={"csrf_token": token, "name": "", "mail": "y"})
    assert not is_unsubscribed(ADDRESS)
    client.post("/account/settings", data={"csrf_token": token, "name": ""})
    assert is_unsubscribed(ADDRESS)
    too_long = client.post("/account/settings", data={"csrf_token": token, "name": "长" * 51})
    assert too_long.status_code == 422 and "不能超过 50 个字" in too_long.get_data(as_text=True)


def test_sign_out_here_and_everywhere(app, client, open_003, smtp_server):
    sign_in(client, smtp_server)
    phone = app.test_client()
    sign_in(phone, smtp_server)
    assert phone.get("/account/").status_code == 200
    token = csrf_token(client, "/account/settings")
    ended = client.post("/account/sign-out-everywhere", data={"csrf_token": token})
    assert ended.status_code == 200 and "其他设备已退出" in ended.get_data(as_text=True)
    assert phone.get("/account/").status_code == 302  # the phone's session ended
    assert "我的意见" not in phone.get(f"/consultations/{open_003.id}").get_data(as_text=True).split("</header>")[0]
    assert client.get("/account/").status_code == 200  # this browser stays signed in
    header = client.get("/consultations/").get_data(as_text=True).split("</header>")[0]
    assert "我的意见" in header
    out = client.post("/account/sign-out", data={"csrf_token": csrf_token(client, "/account/settings")})
    assert out.status_code == 303
    assert client.get("/account/").status_code == 302
    assert "我的意见" not in client.get("/consultations/").get_data(as_text=True).split("</header>")[0]


def test_deleting_the_account_keeps_the_comments(app, client, open_003, smtp_server):
    sign_in(client, smtp_server)
    number = receipt_from(post_comment(client, open_003, f"/consultations/{open_003.id}", body="要保留的意见。"))
    assert "删除账户" in client.get("/account/delete").get_data(as_text=True)
    gone = client.post("/account/delete", data={"csrf_token": csrf_token(client, "/account/delete")})
    assert gone.status_code == 200 and "账户已删除" in gone.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Citizen)) == 0
    assert db.session.scalar(select(func.count()).select_from(SignInLink)) == 0
    comment = db.session.scalars(select(Comment).where(Comment.receipt_number == number)).one()
    assert comment.citizen_id is None and comment.body == "要保留的意见。"
    assert client.get("/account/").status_code == 302
    assert "要保留的意见。" in client.get(f"/receipts/{number}").get_data(as_text=True)
    # Signing in again makes a new account, which finds the comments left with the address again
    # (this one had none: it was made signed in, with the contact left empty).
    sign_in(client, smtp_server)
    assert number not in client.get("/account/").get_data(as_text=True)


def test_english_reader_gets_english_pages_and_mail(app, client, open_003, smtp_server):
    client.get("/settings/language/en")
    page = client.get("/account/sign-in").get_data(as_text=True)
    assert "Sign in with your email address" in page
    sign_in(client, smtp_server)
    mail = sign_in_mails(smtp_server)[0]
    assert mail["Subject"] == "Your link to sign in to the public consultation portal"
    assert "My comments" in client.get("/account/").get_data(as_text=True)


def test_two_requests_with_one_link_sign_in_once(app, client, open_003, smtp_server):
    """Two workers given the same link at the same moment: the UPDATE … WHERE used_at IS NULL lets one through."""
    from portal.citizens.services import link_from_token, use_link

    ask_for_link(client)
    deliver_due()
    token = link_in_mail(smtp_server).rsplit("/", 1)[1]
    first, second = link_from_token(token), link_from_token(token)
    assert isinstance(first, SignInLink) and isinstance(second, SignInLink)
    assert use_link(first) is not None
    assert use_link(second) is None
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Citizen)) == 1


def test_a_link_resent_by_the_administrator_is_rendered_again(app, client, open_003, smtp_server):
    from portal.mail.services import resend_message

    ask_for_link(client)
    deliver_due()
    first = link_in_mail(smtp_server)
    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "sign_in")).one()
    copy = resend_message(message)
    db.session.commit()
    assert copy.body_text is None
    deliver_due()
    second = link_in_mail(smtp_server)
    assert second.startswith("/account/sign-in/")
    assert client.post(second, data={"csrf_token": csrf_token(client, second)}).status_code == 303
    assert client.get(first).status_code == 410


def test_old_links_are_deleted_with_their_addresses(app, client, open_003, clock):
    ask_for_link(client, "once@example.cn")
    clock.advance(hours=25)
    ask_for_link(client, "later@example.cn")
    assert db.session.scalars(select(SignInLink.email)).all() == ["later@example.cn"]


def test_my_comments_say_when_a_revision_changed_the_words_i_quoted(app, client, open_003, smtp_server):
    from portal.drafts.revisions import add_revision
    from portal.drafts.services import parse_file
    from tests.conftest import SEEDS

    goals = next(s for s in open_003.current_draft.sections if s.heading == "目标要求")
    url = f"/consultations/{open_003.id}/sections/{goals.anchor}"
    changed = receipt_from(post_comment(client, open_003, url, section_id=goals.id, body="年份太晚。",
                                        quote="到2025年底,基础养老服务设施", author_contact=ADDRESS))
    receipt_from(post_comment(client, open_003, url, section_id=goals.id, body="赞成。", quote="坚持以人为本",
                              author_contact=ADDRESS))
    sign_in(client, smtp_server)
    assert "在修订稿中已经修改" not in client.get("/account/").get_data(as_text=True)

    seed = next(SEEDS.glob("003_*.txt"))
    text = seed.read_text(encoding="utf-8").replace("到2025年底,基础养老服务设施", "到2026年底,基础养老服务设施")
    _, parsed = parse_file(text.encode("utf-8"), "修订稿.txt")
    add_revision(open_003, parsed.to_dict(), text, "修订稿.txt", "目标年份改为2026年")
    db.session.commit()
    page = client.get("/account/").get_data(as_text=True)
    assert page.count("这段原文在修订稿中已经修改。") == 1
    mine = page[page.index(changed):]
    assert mine.index("这段原文在修订稿中已经修改。") < mine.index("年份太晚。")
    assert db.session.scalar(select(Comment.quote).where(Comment.receipt_number == changed)) == "到2025年底,基础养老服务设施"


def test_a_sign_in_mail_never_carries_a_link_made_for_another_address(app, client, open_003, smtp_server):
    """SQLite gives a deleted row's id to the next one. An attacker asked for a link, deleted their account (and the
    link's row) before the mail went, and asked for the victim's: the victim's mail was dropped as a copy of the
    attacker's (same dedup key), and the attacker's mail, made when sent, carried the victim's link."""
    from tests.helpers import Browser

    attacker = Browser(app)
    assert ask_for_link(attacker, "attacker@example.cn").status_code == 303
    first = db.session.scalar(select(SignInLink.id))
    db.session.execute(SignInLink.__table__.delete())  # what deleting the attacker's account does to its links
    db.session.commit()
    assert ask_for_link(attacker, ADDRESS).status_code == 303
    second = db.session.scalar(select(SignInLink.id))
    if db.engine.dialect.name == "sqlite":
        assert second == first  # the id is given again
    deliver_due()
    assert sign_in_mails(smtp_server, "attacker@example.cn") == []  # its link is no longer the attacker's
    path = link_in_mail(smtp_server, ADDRESS)  # the victim's own mail went
    assert client.post(path, data={"csrf_token": csrf_token(client, path)}).status_code == 303


def test_a_deleted_accounts_session_never_signs_in_the_next_account_given_its_id(app, client, open_003, smtp_server):
    """A signed in on a second browser, deletes the account on the first; B's new account gets A's id (SQLite) and
    epoch 0: A's second browser was signed in as B."""
    from tests.helpers import Browser

    other = Browser(app)
    sign_in(client, smtp_server)
    sign_in(other, smtp_server)
    first_id = db.session.scalar(select(Citizen.id))
    client.post("/account/delete", data={"csrf_token": csrf_token(client, "/account/delete")})
    newcomer = Browser(app)
    sign_in(newcomer, smtp_server, email="someone.else@example.cn")
    if db.engine.dialect.name == "sqlite":
        assert db.session.scalar(select(Citizen.id)) == first_id
    assert other.get("/account/").status_code == 302  # signed out, not someone else
    assert "someone.else@example.cn" in newcomer.get("/account/").get_data(as_text=True)
