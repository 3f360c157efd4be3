"""An export file built before a comment was taken out of it (withdrawn by its commenter, its personal information
masked) is handed out no more: its page says it is out of date and offers to prepare it again, its download is
refused, the next expire-exports deletes it; a build under way is never marked ready with what it read before the
change, but built again. Hiding and marking spam leave the file (its page says how many since); approving or restoring
a comment outdates nothing (it adds, as a new comment does)."""
import io
import os

import openpyxl
from sqlalchemy import select

from portal.comments.models import Comment
from portal.comments.withdrawal import withdraw_comment, withdrawal_key
from portal.digests.exports import build, claim_next, outdate_exports, request_export
from portal.digests.models import ExportJob
from portal.extensions import db
from tests.digests.test_exports import ask_digest, download, job_page, run_worker
from tests.helpers import Browser, csrf_token
from tests.moderation.conftest import act, queue_items

OUT_OF_DATE = "这个文件已经过时，请重新生成。"


def withdraw_by_mail_link(app, number: str):
    """The commenter opens the receipt mail's link (its key) and withdraws the comment."""
    citizen = Browser(app)
    key = withdrawal_key(number)
    page = citizen.get(f"/receipts/{number}?key={key}").get_data(as_text=True)
    assert "撤回这条意见" in page
    token = csrf_token(citizen, f"/receipts/{number}?key={key}")
    response = citizen.post(f"/receipts/{number}/withdraw", data={"csrf_token": token, "key": key, "confirm": "y"})
    assert response.status_code == 303, response.get_data(as_text=True)


def moderator_browser(app, make_user) -> Browser:
    make_user("moderator", email="mod@example.gov.cn")
    moderator = Browser(app)
    moderator.post("/login", data={"csrf_token": csrf_token(moderator, "/login"), "email": "mod@example.gov.cn",
                                   "password": "correct horse 1"})
    return moderator


def moderate(moderator: Browser, comment: Comment, action: str, view: str, **fields):
    page = moderator.get(f"/moderation?view={view}").get_data(as_text=True)
    item = next(i for i in queue_items(page) if i.startswith(f"c-{comment.id}-"))
    response = act(moderator, [item], action=action, query=f"view={view}", **fields)
    assert response.status_code == 303, response.get_data(as_text=True)


def ready_digest(app, client, consultation) -> str:
    """The office asks for the large consultation's digest (Excel) and the worker builds it: its page."""
    page = job_page(client, consultation, ask_digest(client, f"/office/consultations/{consultation.id}/digest.xlsx"))
    run_worker(app)
    assert "文件已准备好。" in client.get(page).get_data(as_text=True)
    return page


def job_of(page: str) -> ExportJob:
    db.session.expire_all()
    return db.session.get(ExportJob, int(page.rsplit("/", 1)[1]))


def cells(data: bytes) -> list[str]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return [str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c]


def test_a_withdrawn_comment_is_no_longer_handed_out_in_a_file_built_before(
        app, client, clock, login, office_consultation):
    consultation, comments = office_consultation
    app.config["EXPORT_INLINE_MAX"] = 3  # 4 comments received: built by the worker
    login("office@example.gov.cn")
    page = ready_digest(app, client, consultation)
    archive = job_page(client, consultation, client.post(f"/office/consultations/{consultation.id}/archive.zip",
                                                         data={"csrf_token": csrf_token(client, "/login")}))
    run_worker(app)
    assert "建议明确养老服务中心的建设标准。" in cells(download(client, page).data)
    built = job_of(page)
    path = os.path.join(app.instance_path, "exports", built.path)

    clock.advance(hours=1)
    withdraw_by_mail_link(app, comments["goals"].receipt_number)  # the commenter takes it back

    for outdated in (job_of(page), job_of(archive)):  # every file of the consultation that could hold it
        assert (outdated.status, outdated.outdated_at) == ("expired", clock.now())
    shown = client.get(page).get_data(as_text=True)
    assert OUT_OF_DATE in shown and "之后有意见被提出人撤回" in shown
    assert "下载（" not in shown and "已超过保存期限" not in shown
    assert "按现在的数据重新生成" in shown  # the button to ask again
    refused = download(client, page)
    assert refused.status_code == 303 and refused.mimetype != "application/zip"
    assert "这个文件已经删除或还没有准备好，请重新生成。" in client.get(page).get_data(as_text=True)
    responses = client.get(f"/office/consultations/{consultation.id}/responses").get_data(as_text=True)
    assert f'href="{page}"' not in responses  # no longer listed among the files asked for
    english = client.get(page, query_string={"lang": "en"}).get_data(as_text=True)
    assert "This file is out of date. Please prepare it again." in english

    assert os.path.exists(path)  # deleted by the next expire-exports, as after the retention
    result = app.test_cli_runner().invoke(args=["digests", "expire-exports"])
    assert "删除 2 个超过保存期限的导出文件" in result.output and not os.path.exists(path)

    again = job_page(client, consultation, client.post(f"{page}/again",
                                                       data={"csrf_token": csrf_token(client, "/login")}))
    run_worker(app)
    assert job_of(again).comments == 3 and job_of(again).outdated_at is None
    fresh = cells(download(client, again).data)
    assert "建议明确养老服务中心的建设标准。" not in fresh and "社区食堂要多开几家。" in fresh


def test_hidden_and_spam_leave_the_file_whose_page_says_how_many_changed_and_approve_and_restore_do_too(
        app, client, clock, login, make_user, office_consultation):
    """Hiding and marking spam do not throw a file away (moderators do them all day at a large consultation: the
    office would never get one); its page says how many comments were hidden or marked spam since it was built and
    offers to prepare it again, which gives the file of now."""
    consultation, comments = office_consultation
    app.config["EXPORT_INLINE_MAX"] = 2
    login("office@example.gov.cn")
    moderator = moderator_browser(app, make_user)

    page = ready_digest(app, client, consultation)
    assert "又有" not in client.get(page).get_data(as_text=True)
    clock.advance(minutes=1)
    moderate(moderator, comments["whole"], "hide", "approved", reason="abuse")
    clock.advance(minutes=1)
    moderate(moderator, comments["pending"], "spam", "queue")
    job = job_of(page)
    assert (job.status, job.outdated_at) == ("ready", None)
    shown = client.get(page).get_data(as_text=True)
    assert "文件生成后，又有 2 条意见被隐藏或标为垃圾信息" in shown and "按现在的数据重新生成" in shown
    old = cells(download(client, page).data)
    assert "社区食堂要多开几家。" in old  # as it was when built

    again = job_page(client, consultation, client.post(f"{page}/again",
                                                       data={"csrf_token": csrf_token(client, "/login")}))
    run_worker(app)
    fresh = cells(download(client, again).data)
    assert "已隐藏" in fresh  # the office's digest keeps a hidden comment, marked so
    assert "社区食堂要多开几家。" not in fresh  # spam: not received
    assert "又有" not in client.get(again).get_data(as_text=True)

    moderate(moderator, comments["pending"], "restore", "spam")  # back in: as a new comment, nothing outdated
    moderate(moderator, comments["whole"], "restore", "hidden")
    job = job_of(again)
    assert (job.status, job.outdated_at) == ("ready", None)
    assert download(client, again).status_code == 200
    assert "文件已准备好。" in client.get(again).get_data(as_text=True)


def test_masking_personal_information_outdates_the_files(app, client, login, make_user, office_consultation):
    from portal.comments.services import submit_comment

    consultation, _comments = office_consultation
    personal = submit_comment(consultation, "电话13800138000，请回电。", "suggest", None, author_name="钱七")
    db.session.commit()
    app.config["EXPORT_INLINE_MAX"] = 2
    login("office@example.gov.cn")
    page = ready_digest(app, client, consultation)
    assert "电话13800138000，请回电。" in cells(download(client, page).data)
    moderator = moderator_browser(app, make_user)
    listed = moderator.get("/moderation").get_data(as_text=True)
    item = next(i for i in queue_items(listed) if i.startswith(f"c-{personal.id}-"))
    assert act(moderator, [], row=f"mask:{item}").status_code == 303
    assert job_of(page).status == "expired" and OUT_OF_DATE in client.get(page).get_data(as_text=True)


def test_a_build_under_way_when_a_comment_is_withdrawn_is_built_again(app, client, login, monkeypatch,
                                                                        office_consultation):
    """The worker read the comment, then its commenter withdrew it before the file was marked ready: the job goes
    back to the queue (not ready with the withdrawn comment), what was written is deleted, the next pass builds it
    without the comment; the cut build is not counted among its attempts."""
    import portal.digests.services as services

    consultation, comments = office_consultation
    app.config["EXPORT_INLINE_MAX"] = 3
    job = request_export(consultation, "csv", None)
    db.session.commit()
    original = services.build_digest

    def withdrawn_meanwhile(*args, **kwargs):
        written = original(*args, **kwargs)  # the comment is in what was written
        goals = db.session.get(Comment, comments["goals"].id)
        withdraw_comment(goals, withdrawal_key(goals.receipt_number), None)
        db.session.commit()  # the commenter's request, committed while the file is written
        return written

    monkeypatch.setattr(services, "build_digest", withdrawn_meanwhile)
    claimed = claim_next("host:1")
    assert claimed.id == job.id
    assert build(claimed, "host:1") is True
    monkeypatch.undo()
    page = f"/office/consultations/{consultation.id}/exports/{job.id}"
    job = job_of(page)
    assert (job.status, job.claimed_by, job.path, job.attempts) == ("pending", None, None, 0)
    assert os.listdir(os.path.join(app.instance_path, "exports")) == []  # nothing left of the stale build
    login("office@example.gov.cn")
    assert "文件正在准备中，请稍候。" in client.get(page).get_data(as_text=True)

    run_worker(app)
    job = job_of(page)
    assert (job.status, job.comments, job.attempts) == ("ready", 3, 1)
    text = download(client, page).data.decode("utf-8-sig")
    assert "建议明确养老服务中心的建设标准。" not in text and "整体赞成。" in text


def test_outdating_touches_only_that_consultations_jobs(app, import_seed, office_consultation):
    consultation, _comments = office_consultation
    other = import_seed("001", publish=False)
    assert outdate_exports(consultation.id) == 0  # no export job: nothing to do
    mine = request_export(consultation, "xlsx", None)
    theirs = request_export(other, "xlsx", None)
    failed = request_export(consultation, "csv", None)
    db.session.flush()
    failed.status = "failed"
    db.session.commit()
    assert outdate_exports(consultation.id) == 1  # the waiting one, kept waiting; the failed one left as it is
    db.session.commit()
    db.session.expire_all()
    assert [(j.id, j.status) for j in db.session.scalars(select(ExportJob).order_by(ExportJob.id))] == [
        (mine.id, "pending"), (theirs.id, "pending"), (failed.id, "failed")]
