"""Consulting again (再次征求意见): a consultation on a revised draft names the one it follows; the pages lead from
each to the other, the new one shows what changed since the draft of the round before, and its publication tells
that round's commenters and followers, once each."""
import io
import re
from email.header import decode_header, make_header

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.citizens.models import Citizen, ConsultationFollow
from portal.comments.services import submit_comment
from portal.consultations.models import Consultation
from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.mail.services import address_key, confirm_address
from portal.mail.worker import deliver_due
from tests.helpers import csrf_token, shanghai
from tests.office.conftest import consultation, make_staff, office, submit  # noqa: F401 (fixtures)

BASE = "https://portal.example.gov.cn"
TITLE = "健全基本养老服务体系促进养老服务高质量发展三年行动方案(第二次征求意见稿)"


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


@pytest.fixture
def first_round(consultation, clock):
    """Seed 003 (市民政局) closed, with a comment by a confirmed address on 一、目标要求, one by an address never
    confirmed, and a citizen following it."""
    goals = consultation.current_draft.sections[0]
    clock.set(shanghai(2023, 5, 1, 10, 0))
    submit_comment(consultation, "目标要更具体。", "suggest", goals, author_name="王大爷",
                   author_contact="wang@example.com")
    submit_comment(consultation, "同意。", "support", None, author_contact="silent@example.com")
    confirm_address("wang@example.com")
    follower = Citizen(email="follow@example.com")
    db.session.add(follower)
    db.session.flush()
    db.session.add(ConsultationFollow(citizen_id=follower.id, consultation_id=consultation.id))
    db.session.commit()
    deliver_due()
    clock.set(shanghai(2023, 6, 1, 9, 0))
    return consultation


def revised_seed(seed_path) -> bytes:
    text = seed_path("003").read_text(encoding="utf-8")
    text = text.replace("(征求意见稿)", "(第二次征求意见稿)")
    text = text.replace("坚持以习近平新时代中国特色社会主义思想为指导", "坚持以习近平新时代中国特色社会主义思想为指导，到2025年底实现全覆盖", 1)
    return text.encode("utf-8")


def upload_second(client, seed_path, previous_id: int) -> int:
    page = client.get(f"/office/upload?previous={previous_id}").get_data(as_text=True)
    assert f'<option selected value="{previous_id}">' in page or f'<option value="{previous_id}" selected>' in page
    data = {"csrf_token": csrf_token(client, "/office/upload"), "previous_round": str(previous_id),
            "file": (io.BytesIO(revised_seed(seed_path)), "第二次征求意见稿.txt")}
    response = client.post("/office/upload", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(re.search(r"/office/consultations/(\d+)$", response.headers["Location"]).group(1))


def publish(submit, consultation_id: int):
    response = submit(f"/office/consultations/{consultation_id}/publish", opens="now",
                      deadline_date="2023-07-10", deadline_time="23:59", comment_visibility="public")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]


def test_a_second_round_links_both_ways_and_tells_the_first_rounds_people(app, client, clock, first_round, seed_path,
                                                                          submit, smtp_server):
    first = first_round
    # the first round's page, kept in memory before the second round exists
    assert "再次征求意见" not in client.get(f"/consultations/{first.id}").get_data(as_text=True)
    second_id = upload_second(client, seed_path, first.id)
    second = db.session.get(Consultation, second_id)
    assert second.previous_round_id == first.id
    assert db.session.scalar(select(AuditEntry.action).where(
        AuditEntry.consultation_id == second_id, AuditEntry.action == "set_previous_round")) is not None
    review = client.get(f"/office/consultations/{second_id}").get_data(as_text=True)
    assert "这是就这份草案第2次征求意见。" in review and f'<option selected value="{first.id}">' in review
    # nothing is told before publication
    assert db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "next_round")).all() == []

    publish(submit, second_id)
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "next_round")).all()
    assert sorted(row.recipient for row in rows) == ["follow@example.com", "wang@example.com"]  # not the unconfirmed
    # the key, kept after the mail's recipient is erased, holds a hash of the address, never the address
    assert sorted(row.dedup_key for row in rows) == sorted(
        f"next_round:{second_id}:{address_key(email)}" for email in ("follow@example.com", "wang@example.com"))
    deliver_due()
    (mail,) = smtp_server.to("wang@example.com")[-1:]
    assert subject(mail) == f"再次征求意见：{TITLE}"
    text = mail.get_body(("plain",)).get_content()
    assert f"{BASE}/consultations/{second_id}/previous-round" in text and f"{BASE}/consultations/{first.id}/feedback" in text
    assert "回执号" in text and "您对“健全基本养老服务体系" in text
    (followed,) = smtp_server.to("follow@example.com")[-1:]
    assert "您关注了征求意见" in followed.get_body(("plain",)).get_content()

    # the pages lead from each to the other
    page = client.get(f"/consultations/{second_id}").get_data(as_text=True)
    assert "这是就这份草案第2次公开征求意见。上一次：" in page
    assert f'href="/consultations/{second_id}/previous-round"' in page
    old = client.get(f"/consultations/{first.id}").get_data(as_text=True)  # renewed: not the page kept before
    assert "这份草案修改后已再次征求意见：" in old and f'href="/consultations/{second_id}"' in old

    # what changed, with the opinions each part drew in the first round
    changes = client.get(f"/consultations/{second_id}/previous-round")
    assert changes.status_code == 200
    html = changes.get_data(as_text=True)
    assert re.search(r"<ins>[^<]*到2025年底实现全覆盖</ins>", html)
    assert "上一次对这一部分提出意见 1 条" in html
    assert "收到意见 2 条" in html
    assert client.get(f"/consultations/{first.id}/previous-round").status_code == 404  # a first round

    # the first round's commenter finds it from the receipt
    number = re.search(r"回执号 (\S+)：", text).group(1)
    page = client.get(f"/receipts/{number}").get_data(as_text=True)
    assert "这份草案修改后已再次征求意见：" in page and f'href="/consultations/{second_id}/previous-round"' in page
    from tests.security.conftest import IsolatedClient  # requests in English, each in an app context of its own

    english = IsolatedClient(app, app.response_class)
    page = english.get(f"/receipts/{number}?lang=en").get_data(as_text=True)
    assert "(deadline: 10 July 2023)" in page and "(closed" not in page
    changes = english.get(f"/consultations/{second_id}/previous-round?lang=en").get_data(as_text=True)
    assert '<span class="tag">Changed</span>' in changes
    # the list and the work report mark it
    listing = client.get("/consultations/").get_data(as_text=True)
    item = listing[listing.index(f'href="/consultations/{second_id}"'):]
    assert item.index("再次征求意见") < item.index("</li>")
    report = client.get("/consultations/report?year=2023").get_data(as_text=True)
    row = report[report.index(f'href="/consultations/{second_id}"'):]
    assert row.index("再次征求意见") < row.index("</th>")
    first_row = report[report.index(f'href="/consultations/{first.id}"'):]
    assert "再次征求意见" not in first_row[:first_row.index("</th>")]
    # the API gives the rounds
    detail = client.get(f"/api/v1/consultations/{second_id}").get_json()
    assert detail["rounds"]["number"] == 2 and [r["id"] for r in detail["rounds"]["earlier"]] == [first.id]
    assert detail["rounds"]["changes_url"] == f"http://localhost/consultations/{second_id}/previous-round"
    assert [r["id"] for r in client.get(f"/api/v1/consultations/{first.id}").get_json()["rounds"]["later"]] == \
        [second_id]


def test_the_round_is_chosen_or_cleared_before_publication_only(app, client, clock, first_round, seed_path, submit):
    first = first_round
    second_id = upload_second(client, seed_path, first.id)
    url = f"/office/consultations/{second_id}/previous-round"
    assert submit("/office/upload", url, previous_round="0").status_code == 302
    assert db.session.get(Consultation, second_id).previous_round_id is None
    # a closed consultation the office does not manage is no choice
    other = Consultation(title="别的单位的", owner_unit_id=None, published_at=first.published_at,
                         opens_at=first.opens_at, deadline=first.deadline, notice_text="", contact_phones=[],
                         contact_emails=[])
    db.session.add(other)
    db.session.commit()
    response = submit("/office/upload", url, previous_round=str(other.id))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Consultation, second_id).previous_round_id is None
    assert submit("/office/upload", url, previous_round=str(first.id)).status_code == 302
    db.session.expire_all()
    assert db.session.get(Consultation, second_id).previous_round_id == first.id
    # once published, it stays
    publish(submit, second_id)
    review = client.get(f"/office/consultations/{second_id}").get_data(as_text=True)
    assert 'name="previous_round"' not in review and "这是就这份草案第2次征求意见。" in review
    submit("/office/upload", url, previous_round="0")
    db.session.expire_all()
    assert db.session.get(Consultation, second_id).previous_round_id == first.id


def test_withdrawing_the_publication_takes_the_mails_back(app, client, clock, first_round, seed_path, submit):
    first = first_round
    second_id = upload_second(client, seed_path, first.id)
    response = submit(f"/office/consultations/{second_id}/publish", opens="later", opens_date="2023-06-10",
                      opens_time="09:00", deadline_date="2023-07-10", deadline_time="23:59", comment_visibility="public")
    assert response.status_code == 302
    assert len(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "next_round")).all()) == 2
    assert "已再次征求意见" in client.get(f"/consultations/{first.id}").get_data(as_text=True)
    response = submit(f"/office/consultations/{second_id}/withdraw", reason="时间定错了")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "next_round")).all() == []
    assert "已再次征求意见" not in client.get(f"/consultations/{first.id}").get_data(as_text=True)


def test_an_open_consultation_cannot_be_followed(app, client, clock, consultation, seed_path):
    page = client.get("/office/upload").get_data(as_text=True)
    assert 'name="previous_round"' not in page  # nothing closed to follow: no question asked
