"""A comment form sent twice (an answer lost on the way and the form sent again, a second press after the page's
guard, a browser retrying) stores one comment: the form carries a one-use key, and the second sending gets the
first one's receipt. Two readers who send the same words (a form letter's copies) are still two comments."""
import re
import threading

from flask import g
from sqlalchemy import func, select

from portal.comments.models import Comment, CommentAttachment
from portal.comments.withdrawal import COOKIE
from portal.extensions import db
from portal.routing.models import RoutingQueueItem
from tests.helpers import receipt_from


def section_url(consultation, section):
    return f"/consultations/{consultation.id}/sections/{section.anchor}"


def form_of(client, url: str) -> dict:
    """The hidden fields of the comment form a reader gets on ``url``."""
    page = client.get(url).get_data(as_text=True)
    form = page[page.index('id="comment-form"'):]
    form = form[:form.index("</form>")]
    return dict(re.findall(r'<input[^>]*name="(csrf_token|section_id|parent_id|submission_key)"[^>]*value="([^"]*)"',
                           form))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_same_form_sent_again_stores_one_comment_and_gives_its_receipt(client, open_003):
    section = open_003.current_draft.sections[3]
    fields = form_of(client, section_url(open_003, section))
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", fields["submission_key"])
    fields.update(body="建议增加社区食堂的数量。", stance="suggest", author_contact="13800138000")
    first = client.post(f"/consultations/{open_003.id}/comments", data=fields)
    number = receipt_from(first)
    client.delete_cookie(COOKIE)  # the first answer never reached the browser
    again = client.post(f"/consultations/{open_003.id}/comments", data=fields)
    assert receipt_from(again) == number
    assert COOKIE in again.headers.get("Set-Cookie", "")  # the key to withdraw it comes with the second answer
    assert count(Comment) == 1 and count(RoutingQueueItem) == 1  # one comment, routed once
    page = client.get(f"/receipts/{number}").get_data(as_text=True)
    assert "建议增加社区食堂的数量。" in page and "撤回" in page


def test_a_reply_sent_twice_is_one_reply(app, client, open_003):
    section = open_003.current_draft.sections[5]
    fields = form_of(client, section_url(open_003, section))
    parent_number = receipt_from(client.post(f"/consultations/{open_003.id}/comments",
                                             data={**fields, "body": "第一条意见。"}))
    assert app.test_cli_runner().invoke(args=["comments", "approve", parent_number]).exit_code == 0
    parent = db.session.scalar(select(Comment).where(Comment.receipt_number == parent_number))
    reply_url = f"/consultations/{open_003.id}/comments/{parent.id}/reply"
    reply = form_of(client, reply_url)
    assert reply["submission_key"] != fields["submission_key"]
    reply.update(body="同意楼上。")
    numbers = {receipt_from(client.post(f"/consultations/{open_003.id}/comments", data=reply)) for _ in range(3)}
    assert len(numbers) == 1 and count(Comment) == 2


def test_the_form_brought_back_and_changed_is_a_new_comment(client, open_003):
    """The browser's Back button shows the form as it was sent, with its key: other words are another comment."""
    section = open_003.current_draft.sections[3]
    fields = form_of(client, section_url(open_003, section))
    first = receipt_from(client.post(f"/consultations/{open_003.id}/comments", data={**fields, "body": "第一条。"}))
    second = receipt_from(client.post(f"/consultations/{open_003.id}/comments", data={**fields, "body": "第二条。"}))
    assert first != second
    other_section = open_003.current_draft.sections[4]
    third = receipt_from(client.post(f"/consultations/{open_003.id}/comments",
                                     data={**fields, "section_id": str(other_section.id), "body": "第一条。"}))
    assert third not in (first, second)
    stored = dict(db.session.execute(select(Comment.receipt_number, Comment.body)).all())
    assert stored == {first: "第一条。", second: "第二条。", third: "第一条。"}


def test_two_readers_sending_the_same_words_are_two_comments(client, app, open_003):
    """A form letter's copies: each reader's form has a key of its own, the page kept for every reader too."""
    section = open_003.current_draft.sections[3]
    url = section_url(open_003, section)
    readers = [client, app.test_client(), app.test_client()]
    forms = []
    for reader in readers:  # the second and third are served from the kept page
        # the test's app context outlives a request (a server's does not): the new reader's token made anew
        g.pop("csrf_token", None)
        forms.append(form_of(reader, url))
    keys = [form["submission_key"] for form in forms]
    assert len(set(keys)) == 3 and all(re.fullmatch(r"[A-Za-z0-9_-]{32}", key) for key in keys)
    numbers = {receipt_from(reader.post(f"/consultations/{open_003.id}/comments",
                                        data={**form, "body": "坚决反对取消公交线路。", "stance": "oppose"}))
               for reader, form in zip(readers, forms)}
    assert len(numbers) == 3 and count(Comment) == 3


def test_a_key_no_form_carries_finds_nothing(client, open_003):
    """A short or made-up key is no key: the comment is stored, and nobody gets another's receipt by guessing."""
    section = open_003.current_draft.sections[3]
    fields = form_of(client, section_url(open_003, section))
    for key in ("1", "submission.key.placeholder", "a" * 21, "a" * 65, "<script>" * 4):
        fields.update(body="同一条意见。", submission_key=key)
        receipt_from(client.post(f"/consultations/{open_003.id}/comments", data=fields))
    assert count(Comment) == 5
    assert db.session.scalars(select(Comment.submission_key)).all() == [None] * 5


def test_a_form_with_files_sent_twice_keeps_the_files_once(client, open_003):
    section = open_003.current_draft.sections[3]
    fields = form_of(client, section_url(open_003, section))
    fields.update(body="意见见附件。")

    def send():
        from io import BytesIO
        return client.post(f"/consultations/{open_003.id}/comments", content_type="multipart/form-data",
                           data={**fields, "attachments": (BytesIO("附件内容".encode()), "意见.txt")})

    assert receipt_from(send()) == receipt_from(send())
    assert count(Comment) == 1 and count(CommentAttachment) == 1


def test_the_same_form_sent_twice_at_once_stores_one_comment(app, client, open_003):
    """Two sendings of one form in flight together (two threads, each its own connection): the unique key lets one
    in; the other finds it and answers with its receipt."""
    section = open_003.current_draft.sections[3]
    fields = form_of(client, section_url(open_003, section))
    fields.update(body="两次同时发出的意见。")
    session_cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    barrier, answers = threading.Barrier(2), []

    def send():
        browser = app.test_client()
        browser.set_cookie(session_cookie.key, session_cookie.value)
        with app.app_context():
            barrier.wait()
            try:
                answers.append(browser.post(f"/consultations/{open_003.id}/comments", data=fields))
            finally:
                db.session.remove()

    senders = [threading.Thread(target=send) for _ in range(2)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(timeout=30)
    assert len({receipt_from(answer) for answer in answers}) == 1 and len(answers) == 2
    assert count(Comment) == 1 and count(RoutingQueueItem) == 1
