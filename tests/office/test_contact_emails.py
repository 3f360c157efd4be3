"""An e-mail address is read the same wherever it is written: in a draft's notice (read at the upload), in the
office's notice form and in a comment's contact field. Full-width letters and ＠ from a Chinese input method and
spaces around it come out as the one plain address; an invisible zero-width space in it too, in the forms (the notice
form had kept it, the comment form not)."""
import re

import pytest
from sqlalchemy import select

from portal.comments.models import Comment
from portal.consultations.models import Consultation
from portal.extensions import db
from tests.helpers import post_comment, receipt_from

TYPED = {
    "full-width": "ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ",
    "spaces": "\u3000 zhang@example.com \u3000",
    "non-breaking space at the @": "zhang\u00a0@ example.com",
    "zero-width space": "zhang\u200b@example.com\u200b",
}
NOTICE_FIELDS = dict(title="某某办法（征求意见稿）", issuer="", notice_date="2023-04-12", addressee="",
                     deadline_date="2023-06-01", deadline_time="18:00", contact_office="", contact_person="",
                     contact_phones="", contact_address="")


@pytest.mark.parametrize("typed", TYPED.values(), ids=TYPED.keys())
def test_an_address_comes_out_the_same_in_the_notice_and_in_a_comment(app, client, open_003, office, submit, typed):
    draft = f"某某办法（征求意见稿）\n请于2023年6月1日前将意见发送至{typed}。\n一、总则\n内容。\n"
    response = submit("/office/upload", file=(draft.encode(), "draft.txt"))
    assert response.status_code == 302
    consultation_id = int(re.search(r"/office/consultations/(\d+)$", response.headers["Location"]).group(1))
    assert db.session.get(Consultation, consultation_id).contact_emails == ["zhang@example.com"]

    response = submit(f"/office/consultations/{consultation_id}/notice", contact_emails=typed, **NOTICE_FIELDS)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Consultation, consultation_id).contact_emails == ["zhang@example.com"]

    receipt_from(post_comment(client, open_003, f"/consultations/{open_003.id}", body="好", author_contact=typed))
    assert db.session.scalars(select(Comment.author_contact)).one() == "zhang@example.com"


@pytest.mark.parametrize("typed", ["zhang\u200b@example.com", "zhang\u00a0@example.com"], ids=["zero-width", "nbsp"])
def test_an_uploaded_notice_with_an_invisible_character_in_its_address_gives_the_plain_address(app, client, office,
                                                                                               submit, typed):
    draft = f"某某办法（征求意见稿）\n请于2023年6月1日前将意见发送至电子邮箱{typed}。\n一、总则\n内容。\n"
    response = submit("/office/upload", file=(draft.encode(), "draft.txt"))
    assert response.status_code == 302
    consultation_id = int(re.search(r"/office/consultations/(\d+)$", response.headers["Location"]).group(1))
    assert db.session.get(Consultation, consultation_id).contact_emails == ["zhang@example.com"]
    page = client.get(f"/office/consultations/{consultation_id}").get_data(as_text=True)
    assert "<dt>电子邮箱</dt><dd>zhang@example.com</dd>" in page
