"""When a revised draft no longer holds the words a comment quoted, its author (a confirmed address, not
unsubscribed) is told by mail: once per comment and version, with the changes' link; nobody else is."""
import io
from email.header import decode_header, make_header

from sqlalchemy import select

from portal.comments.models import Comment
from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.mail.services import confirm_address, unsubscribe_address
from portal.mail.worker import deliver_due
from tests.helpers import csrf_token, post_comment, receipt_from, route_new_comments, shanghai

CHANGED = "到2025年底,基础养老服务设施"
KEPT = "坚持以人为本"


def revised(seed_path) -> bytes:
    text = seed_path("003").read_text(encoding="utf-8")
    return text.replace("到2025年底,基础养老服务设施", "到2026年底,基础养老服务设施").encode("utf-8")


def open_with_office(app, clock, import_seed, make_user):
    """Seed 003 open on 2023-04-20, owned by 市民政局 (office@example.gov.cn): the consultation, its section 目标要求,
    that section's page and a citizen's browser."""
    from tests.helpers import Browser

    clock.set(shanghai(2023, 4, 20, 9, 0))
    consultation = import_seed("003")
    office = make_user("office", email="office@example.gov.cn", unit_name="市民政局")
    consultation.owner_unit_id = office.unit_id
    db.session.commit()
    goals = next(s for s in consultation.current_draft.sections if s.heading == "目标要求")
    return consultation, goals, f"/consultations/{consultation.id}/sections/{goals.anchor}", Browser(app)


def test_the_author_of_a_quotation_the_revision_changed_is_told_once(app, client, clock, login, make_user,
                                                                      import_seed, seed_path, smtp_server):
    consultation, goals, url, citizen = open_with_office(app, clock, import_seed, make_user)

    def comment(contact, quote, body="意见。", proposal=None):
        return receipt_from(post_comment(citizen, consultation, url, section_id=goals.id, body=body, quote=quote,
                                         author_contact=contact, proposal=proposal))

    told = comment("wang@example.cn", CHANGED, "年份太晚。", proposal="到2026年底,基础养老服务设施")
    english = comment("li@example.cn", CHANGED, "Too late.")
    comment("zhao@example.cn", KEPT)  # its words are still there
    comment("qian@example.cn", CHANGED)  # never confirmed
    comment("sun@example.cn", CHANGED)  # unsubscribed
    withdrawn_spam = comment("zhou@example.cn", CHANGED)
    route_new_comments()
    for email in ("wang@example.cn", "li@example.cn", "zhao@example.cn", "sun@example.cn", "zhou@example.cn"):
        confirm_address(email)
    unsubscribe_address("sun@example.cn")
    by_number = {c.receipt_number: c for c in db.session.scalars(select(Comment))}
    by_number[english].language = "en"
    by_number[withdrawn_spam].status = "spam"
    db.session.commit()
    deliver_due()
    before = len(smtp_server.received)

    login("office@example.gov.cn")
    revise = f"/office/consultations/{consultation.id}/revise"

    def upload(text: bytes):
        response = client.post(revise, data={"csrf_token": csrf_token(client, revise), "change_note": "年份改为2026年",
                                             "file": (io.BytesIO(text), "修订稿.txt")},
                               content_type="multipart/form-data")
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        deliver_due()

    upload(revised(seed_path))
    mails = {message["To"]: message for _to, message in smtp_server.received[before:]}
    assert sorted(mails) == ["li@example.cn", "wang@example.cn"]
    chinese = mails["wang@example.cn"]
    assert subject_of(chinese) == f"您引用的原文已修改 {told}：{consultation.title}"
    text = chinese.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert f"「{CHANGED}」" in text and "修订稿（第2版）" in text
    assert "修订稿采用了您建议修改的文字：\n「到2026年底,基础养老服务设施」" in text  # the revision took it in
    english_text = mails["li@example.cn"].get_body(("plain",)).get_content()
    assert "wording you proposed" not in english_text  # Li proposed nothing
    assert f"/consultations/{consultation.id}/versions/2/changes" in text
    assert chinese["List-Unsubscribe"]  # a commenter's mail: one-click unsubscribe
    assert subject_of(mails["li@example.cn"]).startswith(f"The words you quoted have been changed {english}")

    # a third version that changes other words: the 2025 words were changed by the second, nobody is told again
    upload(revised(seed_path).replace("坚持以习近平".encode("utf-8"), "坚持以习近平同志".encode("utf-8")))
    keys = sorted(db.session.scalars(select(OutboxMessage.dedup_key).where(OutboxMessage.kind == "quote_changed")))
    # every such mail ever queued: none for the unconfirmed, the unsubscribed, the words kept, the spam
    assert keys == sorted(f"quote_changed:{by_number[n].id}:2" for n in (told, english))


def subject_of(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


ADDED = "每个社区至少设一个老年助餐点。"


def test_the_author_of_a_proposed_addition_the_revision_took_in_is_told(app, client, clock, login, make_user,
                                                                         import_seed, seed_path, smtp_server):
    """A comment quoting nothing proposes words to add (建议增加); a revision adds them: its author is told the revision
    took in their wording (not that their quoted words changed); a later revision tells nobody again."""
    consultation, goals, url, citizen = open_with_office(app, clock, import_seed, make_user)
    number = receipt_from(post_comment(citizen, consultation, url, section_id=goals.id, body="建议增加助餐点的要求。",
                                       author_contact="wang@example.cn", proposal=ADDED))
    other = receipt_from(post_comment(citizen, consultation, url, section_id=goals.id, body="另一条建议。",
                                      author_contact="li@example.cn", proposal="建立长期护理保险制度并全面推开。"))
    route_new_comments()
    confirm_address("wang@example.cn")
    confirm_address("li@example.cn")
    db.session.commit()
    deliver_due()
    before = len(smtp_server.received)

    login("office@example.gov.cn")
    revise = f"/office/consultations/{consultation.id}/revise"
    text = seed_path("003").read_text(encoding="utf-8").replace(CHANGED, ADDED + CHANGED, 1).encode("utf-8")
    response = client.post(revise, data={"csrf_token": csrf_token(client, revise), "change_note": "增加助餐点",
                                         "file": (io.BytesIO(text), "修订稿.txt")}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    deliver_due()
    mails = {message["To"]: message for _to, message in smtp_server.received[before:]}
    assert sorted(mails) == ["wang@example.cn"]  # Li's wording was not taken in
    assert subject_of(mails["wang@example.cn"]) == f"修订稿采用了您的建议 {number}：{consultation.title}"
    body = mails["wang@example.cn"].get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "修订稿采用了您的意见建议的文字。" in body and f"修订稿采用了您建议增加的文字：\n「{ADDED}」" in body
    assert "您引用的原文" not in body and "已经修改" not in body
    assert other  # (its author was not mailed)

    # a third version keeping the addition: nobody is told again
    client.post(revise, data={"csrf_token": csrf_token(client, revise), "change_note": "文字调整",
                              "file": (io.BytesIO(text.replace("坚持以习近平".encode("utf-8"),
                                                               "坚持以习近平同志".encode("utf-8"))), "修订稿.txt")},
                content_type="multipart/form-data")
    keys = sorted(db.session.scalars(select(OutboxMessage.dedup_key).where(OutboxMessage.kind == "quote_changed")))
    wang = db.session.scalar(select(Comment.id).where(Comment.receipt_number == number))
    assert keys == [f"quote_changed:{wang}:2"]
