"""Readers agree with a public comment (赞同) from its thread: once a browser (or account), taken back while the
consultation is open, counted on the threads at once, ordered by, and read by the office (digest, filter) and the API."""
import csv
import io
import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.comments.agreements import agree, voter_hash
from portal.comments.models import Comment, CommentAgreement
from portal.comments.services import approve_comment, submit_comment
from portal.extensions import db
from tests.helpers import Browser, csrf_token, shanghai


@pytest.fixture
def threads(app, clock, open_003):
    """Two approved comments on one section of the open seed 003, a pending one and a reply."""
    section = open_003.current_draft.sections[3]
    first = approve_comment(submit_comment(open_003, "建议每个社区都设老年食堂。", "suggest", section, author_name="王大爷"))
    clock.advance(minutes=5)
    second = approve_comment(submit_comment(open_003, "建议延长日间照料中心的开放时间。", "suggest", section))
    pending = submit_comment(open_003, "还在等待审核的意见。", "suggest", section)
    db.session.commit()
    return open_003, section, first, second, pending


def section_url(consultation, section, query=""):
    return f"/consultations/{consultation.id}/sections/{section.anchor}{query}"


def agree_url(consultation, comment):
    return f"/consultations/{consultation.id}/comments/{comment.id}/agree"


def press(browser, consultation, comment, action=None, **headers):
    url = agree_url(consultation, comment)
    data = {"csrf_token": csrf_token(browser, url)}
    if action:
        data["action"] = action
    return browser.post(url, data=data, headers=headers)


def count_of(comment) -> int:
    db.session.expire_all()
    return db.session.get(Comment, comment.id).agreement_count


def test_a_reader_agrees_from_the_thread_and_every_page_shows_it_at_once(app, threads):
    consultation, section, first, second, _pending = threads
    reader = Browser(app)
    page = reader.get(section_url(consultation, section)).get_data(as_text=True)  # the cached list, before
    link = re.search(rf'<a class="agree-link" href="([^"]+)" data-comment="{first.id}"', page)
    assert link and link.group(1) == agree_url(consultation, first)
    assert "赞同<span class=\"visually-hidden\">这条意见</span><span class=\"agree-count\"></span>" in page

    asked = reader.get(link.group(1)).get_data(as_text=True)
    assert "建议每个社区都设老年食堂。" in asked and "还没有人赞同这条意见。" in asked and ">赞同</button>" in asked
    done = press(reader, consultation, first)
    assert done.status_code == 303 and done.headers["Location"].endswith(agree_url(consultation, first))
    shown = reader.get(done.headers["Location"]).get_data(as_text=True)
    assert "您已赞同这条意见" in shown and "共有 1 人赞同这条意见。" in shown and ">取消赞同</button>" in shown
    assert f'href="{section_url(consultation, section)}#comment-{first.id}"' in shown  # back to where it stands

    assert count_of(first) == 1 and count_of(second) == 0
    again = Browser(app).get(section_url(consultation, section)).get_data(as_text=True)
    mine = again[again.index(f'data-comment="{first.id}"'):]
    assert mine.index('<span class="agree-count">（1）</span>') < mine.index("</a>")
    english = Browser(app).get(section_url(consultation, section), headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<span class="agree-count"> (1)</span>' in english and 'data-count-format=" ({n})">Agree<span' in english
    assert (f'data-comment="{second.id}" data-agreed-label="已赞同" data-count-format="（{{n}}）">赞同'
            '<span class="visually-hidden">这条意见</span><span class="agree-count"></span>') in again


def test_one_browser_counts_once_takes_it_back_and_two_browsers_count_two(app, threads):
    consultation, _section, first, _second, _pending = threads
    reader, neighbour = Browser(app), Browser(app)
    press(reader, consultation, first)
    press(reader, consultation, first)
    assert count_of(first) == 1
    assert press(neighbour, consultation, first).status_code == 303
    assert count_of(first) == 2
    assert db.session.scalar(select(func.count(func.distinct(CommentAgreement.voter_hash)))) == 2

    taken = press(reader, consultation, first, action="take-back")
    assert taken.status_code == 303 and count_of(first) == 1
    page = reader.get(taken.headers["Location"]).get_data(as_text=True)
    assert "共有 1 人赞同这条意见。" in page and ">赞同</button>" in page and "您已赞同" not in page
    press(reader, consultation, first, action="take-back")  # nothing left to take back: the count stays
    assert count_of(first) == 1
    stranger = Browser(app)  # never agreed: its taking back changes nothing
    press(stranger, consultation, first, action="take-back")
    assert count_of(first) == 1


def test_the_threads_script_gets_json(app, threads):
    consultation, _section, first, _second, _pending = threads
    reader = Browser(app)
    answer = press(reader, consultation, first, Accept="application/json")
    assert answer.status_code == 200 and answer.json == {"agreed": True, "count": 1, "message": "已赞同这条意见。"}
    back = press(reader, consultation, first, action="take-back", Accept="application/json")
    assert back.json == {"agreed": False, "count": 0, "message": "已取消赞同。"}


def test_without_the_form_token_nothing_is_counted(app, threads):
    consultation, _section, first, _second, _pending = threads
    refused = Browser(app).post(agree_url(consultation, first), data={})
    assert refused.status_code == 400 and count_of(first) == 0


def test_only_public_comments_can_be_agreed_with(app, threads):
    consultation, _section, first, _second, pending = threads
    reader = Browser(app)
    token = csrf_token(reader, agree_url(consultation, first))
    assert reader.get(agree_url(consultation, pending)).status_code == 404
    assert reader.post(agree_url(consultation, pending), data={"csrf_token": token}).status_code == 404
    first.status, first.hidden_reason = "hidden", "abuse"
    db.session.commit()
    assert reader.post(agree_url(consultation, first), data={"csrf_token": token}).status_code == 404
    assert count_of(first) == 0 and db.session.scalar(select(func.count()).select_from(CommentAgreement)) == 0


def test_after_the_deadline_the_count_stays_and_shows_without_the_link(app, clock, threads):
    consultation, section, first, _second, _pending = threads
    reader = Browser(app)
    press(reader, consultation, first)
    token = csrf_token(reader, agree_url(consultation, first))
    clock.set(shanghai(2023, 5, 13, 9, 0))
    late = reader.post(agree_url(consultation, first), data={"csrf_token": token, "action": "take-back"})
    text = late.get_data(as_text=True)
    assert late.status_code == 422 and "征求意见不在进行中，不能再赞同或取消赞同。" in text
    assert count_of(first) == 1
    page = reader.get(section_url(consultation, section)).get_data(as_text=True)
    assert "1 人赞同" in page and 'class="agree-link"' not in page
    json_late = reader.post(agree_url(consultation, first), data={"csrf_token": token},
                            headers={"Accept": "application/json"})
    assert json_late.status_code == 422 and json_late.json["error"].startswith("征求意见不在进行中")

    # the feedback report (page, Word, API) says it beside the comment
    report = reader.get(f"/consultations/{consultation.id}/feedback").get_data(as_text=True)
    entry = report[report.index("建议每个社区都设老年食堂。"):]
    assert entry.index("1 人赞同") < entry.index("建议延长日间照料中心")
    import docx

    document = docx.Document(io.BytesIO(reader.get(f"/consultations/{consultation.id}/feedback.docx").data))
    assert any("建议每个社区都设老年食堂。（1人赞同）" in p.text for p in document.paragraphs)
    entries = [e for g in reader.get(f"/api/v1/consultations/{consultation.id}/feedback").json["groups"]
               for e in g["entries"]]
    assert [(e["text"], e["agreements"]) for e in entries] == [("建议每个社区都设老年食堂。", 1),
                                                              ("建议延长日间照料中心的开放时间。", 0)]


def test_a_signed_in_citizen_counts_once_whatever_the_browser_and_not_on_their_own(app, client, threads, smtp_server):
    from portal.citizens.models import Citizen
    from tests.citizens.test_sign_in import sign_in

    consultation, _section, first, second, _pending = threads
    laptop, phone = Browser(app), Browser(app)
    for browser in (laptop, phone):
        with app.app_context():
            assert sign_in(browser.client, smtp_server).status_code == 303
        press(browser, consultation, first)
    assert count_of(first) == 1

    citizen = db.session.scalar(select(Citizen))
    second.citizen_id = citizen.id  # the citizen's own comment
    db.session.commit()
    page = phone.get(agree_url(consultation, second)).get_data(as_text=True)
    assert "这是您自己提的意见。" in page and ">赞同</button>" not in page
    token = csrf_token(phone, agree_url(consultation, first))
    own = phone.post(agree_url(consultation, second), data={"csrf_token": token})
    assert own.status_code == 422 and "这是您自己提的意见，不用再赞同。" in own.get_data(as_text=True)
    assert count_of(second) == 0


def test_threads_ordered_by_agreements(app, threads):
    consultation, section, first, second, _pending = threads
    for _ in range(2):
        press(Browser(app), consultation, second)
    press(Browser(app), consultation, first)
    page = Browser(app).get(section_url(consultation, section, "?order=agreed")).get_data(as_text=True)
    assert page.index("建议延长日间照料中心") < page.index("建议每个社区都设老年食堂")
    assert "<strong>赞同最多的在前</strong>" in page
    oldest = Browser(app).get(section_url(consultation, section)).get_data(as_text=True)
    assert oldest.index("建议每个社区都设老年食堂") < oldest.index("建议延长日间照料中心")
    assert f'href="{section_url(consultation, section, "?order=agreed")}#comments"' in oldest
    # the agree link carries the list's order, so the page of the button leads back to it
    assert f'href="{agree_url(consultation, second)}?order=agreed"' in page

    api = Browser(app).get(f"/api/v1/consultations/{consultation.id}/comments?order=agreed").json
    assert [(item["id"], item["agreements"]) for item in api["items"]][:2] == [(second.id, 2), (first.id, 1)]


def test_the_office_reads_the_count_in_its_list_and_digest(app, clock, office_consultation):
    from tests.helpers import staff_browser

    consultation, comments = office_consultation
    for _ in range(3):
        press(Browser(app), consultation, comments["goals"])
    office = staff_browser(app, "office@example.gov.cn")
    listed = office.get(f"/office/consultations/{consultation.id}/responses?agreed=1").get_data(as_text=True)
    assert "3 人赞同" in listed and "建议明确养老服务中心的建设标准。" in listed and "整体赞成" not in listed
    # every test browser is 127.0.0.1: the office is told the agreements came from one network address
    assert "3 人赞同（来自 1 个网络地址）" in listed
    url = agree_url(consultation, comments["whole"])
    for n in (1, 2):  # two agreements from two addresses: nothing to say
        reader = Browser(app)
        reader.post(url, data={"csrf_token": csrf_token(reader, url)}, environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})
    whole = office.get(f"/office/consultations/{consultation.id}/responses?agreed=1").get_data(as_text=True)
    assert "2 人赞同</span>" in whole
    # each section's comments, the most agreed with first (a list order, not a filter: the list is not narrowed)
    comments["pending"].status = "approved"  # 社区食堂要多开几家。, in the same section, later
    db.session.commit()
    for _ in range(5):
        press(Browser(app), consultation, comments["pending"])
    responses = f"/office/consultations/{consultation.id}/responses"
    as_came = office.get(responses).get_data(as_text=True)
    assert as_came.index("建议明确养老服务中心的建设标准。") < as_came.index("社区食堂要多开几家。")
    agreed = office.get(responses + "?order=agreed").get_data(as_text=True)
    assert agreed.index("社区食堂要多开几家。") < agreed.index("建议明确养老服务中心的建设标准。")
    assert "筛选出" not in agreed and '<option value="agreed" selected>' in agreed
    rows = list(csv.reader(io.StringIO(
        office.get(f"/office/consultations/{consultation.id}/digest.csv").data.decode("utf-8-sig"))))
    column = rows[0].index("赞同人数")
    counted = {row[rows[0].index("意见")]: row[column] for row in rows[1:]}
    assert counted["建议明确养老服务中心的建设标准。"] == "3" and counted["整体赞成。\n希望尽快实施。"] == "2"


def test_the_address_hash_goes_with_the_contacts_and_the_agreement_stays(app, clock, threads):
    from portal.comments.retention import erase_old_contacts

    consultation, _section, first, _second, _pending = threads
    press(Browser(app), consultation, first)
    assert db.session.scalar(select(CommentAgreement.client_hash)) is not None
    consultation.finalised_at = clock.now() - timedelta(days=400)
    db.session.commit()
    erase_old_contacts(365)
    db.session.commit()
    assert db.session.scalar(select(CommentAgreement.client_hash)) is None and count_of(first) == 1


def test_two_readers_at_the_same_instant_are_both_counted_and_one_reader_twice_once(app, threads):
    """In threads with sessions of their own: the count is changed in the database (+ 1), never read and written back,
    and the unique index refuses a reader's second agreement stored meanwhile."""
    from portal.consultations.models import Consultation

    consultation, _section, first, _second, _pending = threads
    ids = (consultation.id, first.id)
    outcomes = []

    def run(voters):
        barrier = threading.Barrier(len(voters))

        def one(voter):
            with app.app_context():
                consultation_row, comment = db.session.get(Consultation, ids[0]), db.session.get(Comment, ids[1])
                barrier.wait()
                try:
                    outcomes.append(agree(consultation_row, comment, voter, None))
                    db.session.commit()
                except Exception as error:  # SQLite: the second writer may find the database locked; it retries
                    db.session.rollback()
                    outcomes.append(type(error).__name__)
                finally:
                    db.session.remove()

        workers = [threading.Thread(target=one, args=(voter,)) for voter in voters]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=30)

    run([voter_hash("test", browser_key="a"), voter_hash("test", browser_key="b")])
    assert outcomes == [True, True] and count_of(first) == 2, outcomes
    outcomes.clear()
    run([voter_hash("test", browser_key="c"), voter_hash("test", browser_key="c")])
    assert sorted(map(str, outcomes)) == ["False", "True"] and count_of(first) == 3, outcomes


def test_the_statistics_list_the_comments_most_agreed_with(app, threads):
    consultation, section, first, second, _pending = threads
    for _ in range(3):
        press(Browser(app), consultation, second)
    press(Browser(app), consultation, first)
    page = Browser(app).get(f"/consultations/{consultation.id}/statistics").get_data(as_text=True)
    part = page[page.index("赞同的人最多的意见"):]
    assert "共 4 次" in part
    assert part.index("建议延长日间照料中心的开放时间。") < part.index("建议每个社区都设老年食堂。")
    assert f'{section_url(consultation, section)}?order=agreed#comment-{second.id}"' in part
    stats = Browser(app).get(f"/api/v1/consultations/{consultation.id}/statistics").json
    assert stats["agreements"] == 4
    assert [(a["comment_id"], a["agreements"]) for a in stats["agreed"]] == [(second.id, 3), (first.id, 1)]
    assert stats["agreed"][0]["section"]["anchor"] == section.anchor

    consultation.comment_visibility = "private"  # comments shown to the office only: nothing of them here
    db.session.commit()
    assert "赞同的人最多的意见" not in Browser(app).get(f"/consultations/{consultation.id}/statistics").get_data(
        as_text=True)
    assert Browser(app).get(f"/api/v1/consultations/{consultation.id}/statistics").json["agreed"] == []


def test_the_commenter_and_the_comment_s_own_page_see_the_count(app, client, open_003):
    from tests.helpers import post_comment, receipt_from

    page_url = f"/consultations/{open_003.id}"
    number = receipt_from(post_comment(client, open_003, page_url, body="建议在每个街道设一个老年食堂。"))
    comment = db.session.scalar(select(Comment).where(Comment.receipt_number == number))
    approve_comment(comment)
    db.session.commit()
    assert "还没有人赞同这条意见。" in client.get(f"/receipts/{number}").get_data(as_text=True)
    for _ in range(2):
        press(Browser(app), open_003, comment)
    db.session.expire_all()  # the test's client shares its session: what the other browsers wrote
    assert "已有 2 人赞同这条意见" in client.get(f"/receipts/{number}").get_data(as_text=True)
    own = Browser(app).get(f"/consultations/{open_003.id}/comments/{comment.id}/reply").get_data(as_text=True)
    assert f'href="{agree_url(open_003, comment)}" data-comment="{comment.id}"' in own
    assert '<span class="agree-count">（2）</span>' in own


def test_a_reader_who_agreed_then_signs_in_on_that_browser_is_counted_once(app, threads, smtp_server):
    from tests.citizens.test_sign_in import sign_in

    consultation, _section, first, _second, _pending = threads
    browser = Browser(app)
    press(browser, consultation, first)
    with app.app_context():
        assert sign_in(browser.client, smtp_server).status_code == 303
    page = browser.get(agree_url(consultation, first)).get_data(as_text=True)
    assert "您已赞同这条意见" in page
    press(browser, consultation, first)  # signed in now: the browser's agreement counts for the account
    assert count_of(first) == 1
    press(browser, consultation, first, action="take-back")
    assert count_of(first) == 0


def test_two_first_presses_in_flight_together_count_the_reader_once(app, threads):
    """Each of a browser's first presses had drawn a random key of its own (the session did not hold one yet): one
    reader counted twice. The key is now drawn from the session the two presses share."""
    consultation, _section, first, _second, _pending = threads
    reader = Browser(app)
    token = csrf_token(reader, agree_url(consultation, first))
    before = reader.client.get_cookie("session").value  # the session as both presses carry it
    assert reader.post(agree_url(consultation, first), data={"csrf_token": token}).status_code in (302, 303)
    reader.client.set_cookie("session", before)  # the second press left with the same cookie
    reader.post(agree_url(consultation, first), data={"csrf_token": token})
    assert count_of(first) == 1
