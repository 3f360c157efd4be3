"""Export jobs: above PORTAL_EXPORT_INLINE_MAX comments the office's digest and archive (and above as many comments
with files, or their bytes, the ZIP of the commenters' files) are built by a worker; the office waits on a page that
refreshes itself, then downloads the file as it was when built; only its own office may; two workers build a job once,
a killed worker's job is taken again, a failure is told plainly (its reason on the administrators' status page) and
can be asked again, the file is deleted after the retention."""
import hashlib
import io
import logging
import os
import re
import stat
import threading
import zipfile

import openpyxl
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.comments.models import CommentAttachment
from portal.comments.services import submit_comment
from portal.digests.exports import INLINE_BYTES_PER_COMMENT, build_exports, claim_next, request_export, take, \
    too_many_files
from portal.digests.models import ExportJob
from portal.extensions import db
from portal.operations.models import JobRun
from tests.helpers import csrf_token


def job_page(client, consultation, response) -> str:
    assert response.status_code == 303, response.status_code
    location = response.headers["Location"]
    assert location.startswith(f"/office/consultations/{consultation.id}/exports/")
    return location


def run_worker(app) -> str:
    result = app.test_cli_runner().invoke(args=["digests", "export"])
    assert result.exit_code == 0, result.output
    return result.output


def ask_digest(client, url: str):
    """The office asks for a large consultation's digest: its link opens a page (nothing queued), whose button
    queues it."""
    count = db.session.scalar(select(func.count()).select_from(ExportJob))
    page = client.get(url)
    assert page.status_code == 200 and "开始生成" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ExportJob)) == count  # a GET queues nothing
    return client.post(url, data={"csrf_token": csrf_token(client, url)})


def download(client, page: str):
    return client.post(f"{page}/download", data={"csrf_token": csrf_token(client, "/login")})


def test_a_small_consultation_downloads_at_once_as_before(app, client, login, office_consultation):
    consultation, _comments = office_consultation  # 4 comments received, the default threshold 5,000
    login("office@example.gov.cn")
    response = client.get(f"/office/consultations/{consultation.id}/digest.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    page = client.get(f"/office/consultations/{consultation.id}/responses").get_data(as_text=True)
    assert "要在后台生成" not in page
    assert db.session.scalar(select(ExportJob.id)) is None


def test_a_large_digest_is_queued_built_by_the_worker_and_downloaded_as_it_was(
        app, client, clock, login, office_consultation):
    consultation, _comments = office_consultation
    app.config["EXPORT_INLINE_MAX"] = 3  # 4 comments received: too many to build in the request
    login("office@example.gov.cn")
    assert "要在后台生成" in client.get(f"/office/consultations/{consultation.id}/responses").get_data(as_text=True)

    page = job_page(client, consultation, ask_digest(client, f"/office/consultations/{consultation.id}/digest.xlsx"))
    waiting = client.get(page).get_data(as_text=True)
    assert "文件正在准备中，请稍候。" in waiting and "现在正在排队。" in waiting
    assert '<meta http-equiv="refresh" content="10">' in waiting  # no script: the CSP forbids inline ones
    assert "下载（" not in waiting
    # asked again (a second press, another colleague) while it waits: the same job
    xlsx = f"/office/consultations/{consultation.id}/digest.xlsx"
    assert job_page(client, consultation, ask_digest(client, xlsx)) == page
    assert download(client, page).status_code == 303  # nothing to download yet

    built_at = clock.now()
    assert run_worker(app).strip() == "生成 1 个文件，0 个没有生成成功。"
    assert db.session.get(JobRun, "exports").outcome == "ok"  # from cron: the status page knows it runs
    job = db.session.scalar(select(ExportJob))
    assert (job.status, job.kind, job.comments, job.attempts) == ("ready", "xlsx", 4, 1)
    path = os.path.join(app.instance_path, "exports", job.path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700

    clock.advance(hours=2)  # a comment received after the file was built is not in it, and the page says so
    submit_comment(consultation, "后来的意见：增加助餐点。", "suggest", None, author_name="赵六")
    db.session.commit()
    ready = client.get(page).get_data(as_text=True)
    assert "文件已准备好。" in ready and "refresh" not in ready
    assert f"文件内容截至 {built_at.year}年5月1日 09:00" in ready and "共 4 条意见。" in ready
    responses = client.get(f"/office/consultations/{consultation.id}/responses").get_data(as_text=True)
    assert f'href="{page}">意见汇总（Excel 表格）</a>' in responses  # found again later, without asking again
    assert f"已准备好，内容截至 {built_at.year}年5月1日 09:00" in responses
    response = download(client, page)
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    assert response.headers["Content-Disposition"].startswith("attachment;")
    sheets = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    cells = [str(c) for s in sheets.worksheets for row in s.iter_rows(values_only=True) for c in row if c]
    assert "建议明确养老服务中心的建设标准。" in cells and not any("后来的意见" in c for c in cells)
    assert "138 0013 8000" not in cells  # no contacts

    # asked again with the data of now: a new job
    again = client.post(f"{page}/again", data={"csrf_token": csrf_token(client, "/login")})
    assert job_page(client, consultation, again) != page
    run_worker(app)
    assert db.session.scalars(select(ExportJob.comments).order_by(ExportJob.id)).all() == [4, 5]


def test_the_archive_is_for_its_office_only_and_its_download_audited(
        app, client, clock, login, make_user, office_consultation):
    consultation, _comments = office_consultation
    app.config["EXPORT_INLINE_MAX"] = 3
    login("office@example.gov.cn")
    response = client.post(f"/office/consultations/{consultation.id}/archive.zip",
                           data={"csrf_token": csrf_token(client, "/login")})
    page = job_page(client, consultation, response)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export_archive")) is None
    output = app.test_cli_runner().invoke(args=["jobs", "run"]).output  # the scheduler builds it too
    assert "exports：生成 1 个文件，0 个没有生成成功。" in output
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export_archive")) is None  # not yet

    response = download(client, page)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert "2-意见/意见汇总.xlsx" in names and "说明.txt" in names
    (entry,) = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export_archive")).all()
    job = db.session.scalar(select(ExportJob))
    assert entry.actor_label.endswith("<office@example.gov.cn>")
    assert entry.after == {"files": len(names), "job": job.id, "built_at": job.built_at.isoformat()}

    make_user("office", email="other@example.gov.cn", unit_name="市卫健委")
    login("other@example.gov.cn")  # another unit's office
    assert client.get(page).status_code == 404
    assert download(client, page).status_code == 404
    make_user("moderator", email="mod@example.gov.cn")
    login("mod@example.gov.cn")
    assert client.get(page).status_code == 403
    anonymous = app.test_client()  # a citizen
    assert anonymous.get(page).status_code in (302, 403)
    refused = anonymous.post(f"{page}/download", data={"csrf_token": csrf_token(anonymous, "/login")})
    assert refused.status_code in (302, 400, 403) and refused.mimetype != "application/zip"
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "export_archive",
                                                         AuditEntry.id != entry.id)) is None


def test_two_workers_at_once_claim_a_job_once(app, clock, office_consultation):
    consultation, _comments = office_consultation
    job_id = request_export(consultation, "csv", None).id
    db.session.commit()
    claimed: dict[str, int | None] = {}
    barrier = threading.Barrier(3)

    def worker(name):
        with app.app_context():
            barrier.wait()
            job = claim_next(name)
            claimed[name] = job.id if job else None
            db.session.remove()

    threads = [threading.Thread(target=worker, args=(f"host-{n}:1",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed.values(), key=str) == [job_id, None, None]
    (winner,) = [name for name, got in claimed.items() if got]
    job = db.session.get(ExportJob, job_id)
    assert (job.status, job.claimed_by, job.attempts) == ("running", winner, 1)
    # the interleaving threads rarely hit on SQLite: a worker that saw the job waiting, and asks once it is taken
    assert take(job_id, "late:1", clock.now()) is False
    db.session.expire_all()
    assert db.session.get(ExportJob, job_id).claimed_by == winner


def test_a_worker_on_a_host_of_the_same_name_and_pid_does_not_finish_a_job_another_took_over(app, clock, monkeypatch,
                                                                                            office_consultation):
    from portal.digests.exports import build, exports_folder
    from portal.core import workers

    monkeypatch.setattr(workers, "host_and_pid", lambda: ("portal", 1))  # two containers of one image, each pid 1
    monkeypatch.setattr(workers, "_token", None)
    first = workers.runner_id()
    monkeypatch.setattr(workers, "_token", None)
    second = workers.runner_id()
    consultation, _comments = office_consultation
    job_id = request_export(consultation, "csv", None).id
    db.session.commit()
    slow = claim_next(first)  # its build takes longer than STALE_AFTER
    clock.advance(minutes=31)
    assert claim_next(second).id == job_id  # thought gone: taken again
    assert build(slow, first) is True  # the first ends at last: its file is not the job's
    db.session.expire_all()
    job = db.session.get(ExportJob, job_id)
    assert (job.status, job.claimed_by, job.path) == ("running", second, None)
    assert list(exports_folder().iterdir()) == []  # its file deleted
    assert build(job, second) is True
    db.session.expire_all()
    job = db.session.get(ExportJob, job_id)
    assert (job.status, job.claimed_by, job.attempts) == ("ready", second, 2)
    assert [path.name for path in exports_folder().iterdir()] == [job.path]


def test_a_killed_workers_job_is_taken_again_and_a_failure_can_be_asked_again(app, client, clock, login, monkeypatch,
                                                                              office_consultation):
    consultation, _comments = office_consultation
    app.config["EXPORT_INLINE_MAX"] = 3
    job = request_export(consultation, "docx", None)
    db.session.commit()
    assert claim_next("gone:1").id == job.id  # its worker is then killed mid-build
    assert build_exports("host:2") == {"built": 0, "failed": 0}  # still being built, as far as anyone knows
    clock.advance(minutes=31)
    assert build_exports("host:2") == {"built": 1, "failed": 0}
    db.session.expire_all()
    job = db.session.get(ExportJob, job.id)
    assert (job.status, job.claimed_by, job.attempts) == ("ready", "host:2", 2)

    def broken(*args, **kwargs):
        raise RuntimeError("磁盘空间不足")

    monkeypatch.setattr("portal.digests.services.build_digest", broken)
    login("office@example.gov.cn")
    page = job_page(client, consultation, ask_digest(client, f"/office/consultations/{consultation.id}/digest.csv"))
    assert "生成 0 个文件，1 个没有生成成功。" in run_worker(app)
    failed = client.get(page).get_data(as_text=True)
    assert "文件没有生成成功。" in failed and "磁盘空间不足" not in failed and "refresh" not in failed
    assert os.listdir(os.path.join(app.instance_path, "exports")) == [job.path]  # nothing half-written left
    monkeypatch.undo()
    again = client.post(f"{page}/again", data={"csrf_token": csrf_token(client, "/login")})
    page = job_page(client, consultation, again)
    run_worker(app)
    assert "文件已准备好。" in client.get(page).get_data(as_text=True)
    assert download(client, page).data.decode("utf-8-sig").startswith("序号,章节")


def test_expiry_deletes_the_file_after_the_retention(app, client, clock, login, office_consultation):
    consultation, _comments = office_consultation
    app.config["EXPORT_INLINE_MAX"] = 3
    app.config["EXPORT_RETENTION_HOURS"] = 24
    login("office@example.gov.cn")
    page = job_page(client, consultation, ask_digest(client, f"/office/consultations/{consultation.id}/digest.xlsx"))
    run_worker(app)
    job = db.session.scalar(select(ExportJob))
    path = os.path.join(app.instance_path, "exports", job.path)
    assert "文件保存 24 小时，之后自动删除。" in client.get(page).get_data(as_text=True)

    clock.advance(hours=23)
    result = app.test_cli_runner().invoke(args=["digests", "expire-exports"])
    assert "删除 0 个超过保存期限的导出文件" in result.output and os.path.exists(path)
    clock.advance(hours=2)
    result = app.test_cli_runner().invoke(args=["digests", "expire-exports"])
    assert "删除 1 个超过保存期限的导出文件" in result.output and not os.path.exists(path)
    db.session.expire_all()
    assert db.session.get(ExportJob, job.id).status == "expired"
    gone = client.get(page).get_data(as_text=True)
    assert "已超过保存期限，已经删除。" in gone and "按现在的数据重新生成" in gone
    response = download(client, page)
    assert response.status_code == 303
    assert "这个文件已经删除或还没有准备好，请重新生成。" in client.get(page).get_data(as_text=True)


def test_a_large_digest_with_contacts_is_confirmed_queued_and_its_download_audited(
        app, client, login, office_consultation):
    consultation, _comments = office_consultation
    app.config["EXPORT_INLINE_MAX"] = 3
    login("office@example.gov.cn")
    url = f"/office/consultations/{consultation.id}/digest.xlsx?contacts=1"
    token = csrf_token(client, url)
    assert client.post(url, data={"csrf_token": token}).status_code == 422  # not confirmed: nothing queued
    assert db.session.scalar(select(ExportJob.id)) is None
    page = job_page(client, consultation, client.post(url, data={"csrf_token": token, "confirm": "y"}))
    # the digest without contacts is another file: another job
    xlsx = f"/office/consultations/{consultation.id}/digest.xlsx"
    assert job_page(client, consultation, ask_digest(client, xlsx)) != page
    run_worker(app)
    ready = client.get(page).get_data(as_text=True)
    assert "含提出人的联系方式。" in ready and "文件已准备好。" in ready
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "export_contacts")) is None
    response = download(client, page)
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    goals = list(book["一、目标要求"].iter_rows(values_only=True))
    assert goals[0][7] == "联系方式" and goals[1][7] == "138 0013 8000"
    assert "%E5%90%AB%E8%81%94%E7%B3%BB%E6%96%B9%E5%BC%8F" in response.headers["Content-Disposition"]  # 含联系方式
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export_contacts")).one()
    job = db.session.get(ExportJob, int(page.rsplit("/", 1)[1]))
    assert entry.after == {"format": "xlsx", "comments": 4, "job": job.id, "built_at": job.built_at.isoformat()}
    assert entry.actor_label.endswith("<office@example.gov.cn>")
    # made again with the data of now: the contacts are confirmed again first, as the first time
    again = client.post(f"{page}/again", data={"csrf_token": csrf_token(client, "/login")})
    assert again.status_code == 303 and again.headers["Location"] == url
    assert "下载含联系方式的意见汇总" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ExportJob)) == 2  # nothing queued by the press alone


def test_a_filtered_digest_is_queued_only_when_the_filtered_comments_are_many(
        app, client, login, office_consultation):
    consultation, _comments = office_consultation
    app.config["EXPORT_INLINE_MAX"] = 1
    login("office@example.gov.cn")
    few = client.get(f"/office/consultations/{consultation.id}/digest.csv?stance=oppose")  # one comment: at once
    assert few.status_code == 200 and few.mimetype == "text/csv"
    csv = f"/office/consultations/{consultation.id}/digest.csv"
    page = job_page(client, consultation, ask_digest(client, f"{csv}?stance=suggest&order=agreed"))
    assert job_page(client, consultation,
                    ask_digest(client, f"/office/consultations/{consultation.id}/digest.csv?stance=suggest")) == page
    run_worker(app)
    assert "只含筛选出的意见：态度：建议" in client.get(page).get_data(as_text=True)
    text = download(client, page).data.decode("utf-8-sig")
    assert "建议明确养老服务中心的建设标准。" in text and "社区食堂要多开几家。" in text
    assert "整体赞成" not in text and "HYPERLINK" not in text  # support, oppose: left out
    page_again = job_page(client, consultation, client.post(f"{page}/again",
                                                            data={"csrf_token": csrf_token(client, "/login")}))
    job = db.session.get(ExportJob, int(page_again.rsplit("/", 1)[1]))
    assert job.options == "stance=suggest" and job.status == "pending"


def test_a_digest_with_contacts_built_before_the_contacts_were_erased_is_no_longer_given(
        app, client, clock, login, office_consultation):
    """PORTAL_CONTACT_RETENTION_DAYS: once a consultation's contacts are erased, the export file that holds them (built
    within PORTAL_EXPORT_RETENTION_HOURS before) is no longer downloaded, and the next expire-exports deletes it; it
    had been given for up to two days more, contacts and all."""
    from tests.helpers import shanghai

    consultation, _comments = office_consultation
    app.config["EXPORT_INLINE_MAX"] = 3
    clock.set(shanghai(2023, 5, 13, 9, 0))
    assert app.test_cli_runner().invoke(args=["consultations", "close-due"]).exit_code == 0
    clock.set(shanghai(2023, 5, 14, 10, 0))
    login("office@example.gov.cn")
    url = f"/office/consultations/{consultation.id}/digest.xlsx?contacts=1"
    page = job_page(client, consultation, client.post(url, data={"csrf_token": csrf_token(client, url),
                                                                 "confirm": "y"}))
    plain = job_page(client, consultation, ask_digest(client, f"/office/consultations/{consultation.id}/digest.xlsx"))
    assert run_worker(app).strip() == "生成 2 个文件，0 个没有生成成功。"
    with_contacts = db.session.get(ExportJob, int(page.rsplit("/", 1)[1]))
    path = os.path.join(app.instance_path, "exports", with_contacts.path)

    clock.set(shanghai(2023, 5, 14, 10, 30))  # the consultation ended more than a day ago
    result = app.test_cli_runner().invoke(args=["comments", "erase-contacts", "--days", "1"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert "下载（" not in client.get(page).get_data(as_text=True)
    response = download(client, page)
    assert response.status_code == 303
    assert "这个文件已经删除或还没有准备好，请重新生成。" in client.get(page).get_data(as_text=True)
    assert download(client, plain).status_code == 200  # without contacts: kept to its retention
    clock.set(shanghai(2023, 5, 14, 11, 30))
    assert app.test_cli_runner().invoke(args=["digests", "expire-exports"]).exit_code == 0
    assert not os.path.exists(path)


def attach(comment, name: str, data: bytes) -> None:
    """A file sent with ``comment`` (as the comment form stores it)."""
    position = db.session.scalar(select(func.count()).where(CommentAttachment.comment_id == comment.id))
    db.session.add(CommentAttachment(comment_id=comment.id, position=position, filename=name,
                                     content_type="text/plain", size=len(data),
                                     sha256=hashlib.sha256(data).hexdigest(), data=data))
    db.session.flush()


def ask_files(client, consultation):
    return client.post(f"/office/consultations/{consultation.id}/attachments.zip",
                       data={"csrf_token": csrf_token(client, f"/office/consultations/{consultation.id}/responses")})


def test_the_files_of_many_comments_are_zipped_by_the_worker_and_their_download_audited(
        app, client, clock, login, make_user, office_consultation):
    consultation, comments = office_consultation
    attach(comments["goals"], "意见.txt", "第一条意见的附件。".encode())
    attach(comments["goals"], "补充.txt", "补充材料。".encode())
    attach(comments["whole"], "意见.txt", "整体意见的附件。".encode())
    attach(comments["spam"], "广告.txt", "广告".encode())  # spam: never in the ZIP
    db.session.commit()
    app.config["EXPORT_INLINE_MAX"] = 2  # two comments with files (and a few bytes): at once, as before
    login("office@example.gov.cn")
    responses = client.get(f"/office/consultations/{consultation.id}/responses").get_data(as_text=True)
    assert "全部意见附件（3 个文件" in responses and "附件很多，要在后台生成" not in responses
    at_once = ask_files(client, consultation)
    assert at_once.status_code == 200 and at_once.mimetype == "application/zip"
    assert db.session.scalar(select(ExportJob.id)) is None

    app.config["EXPORT_INLINE_MAX"] = 1  # more comments with files than that: the worker zips them
    assert "附件很多，要在后台生成" in client.get(f"/office/consultations/{consultation.id}/responses").get_data(
        as_text=True)
    page = job_page(client, consultation, ask_files(client, consultation))
    waiting = client.get(page).get_data(as_text=True)
    assert "<h1>全部意见附件</h1>" in waiting and "这项征求意见收到的附件很多" in waiting
    assert '<meta http-equiv="refresh" content="10">' in waiting and "下载（" not in waiting
    assert job_page(client, consultation, ask_files(client, consultation)) == page  # pressed twice: one job
    audited = select(AuditEntry).where(AuditEntry.action == "export_attachments")
    assert len(db.session.scalars(audited).all()) == 1  # the download at once only

    built_at = clock.now()
    assert run_worker(app).strip() == "生成 1 个文件，0 个没有生成成功。"
    assert len(db.session.scalars(audited).all()) == 1  # built, not downloaded: not audited yet
    job = db.session.scalar(select(ExportJob))
    assert (job.kind, job.status, job.files, job.options) == ("attachments", "ready", 3, None)
    assert stat.S_IMODE(os.stat(os.path.join(app.instance_path, "exports", job.path)).st_mode) == 0o600
    ready = client.get(page).get_data(as_text=True)
    assert "文件已准备好。" in ready and "共 3 个文件。" in ready and "条意见。" not in ready
    assert f"文件内容截至 {built_at.year}年5月1日 09:00" in ready and "下载会记录在操作日志中" in ready
    assert f'href="{page}">全部意见附件</a>' in client.get(
        f"/office/consultations/{consultation.id}/responses").get_data(as_text=True)

    response = download(client, page)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["Content-Disposition"] == at_once.headers["Content-Disposition"]  # the name as before
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        contents = {name: archive.read(name).decode() for name in archive.namelist()}
    goals, whole = comments["goals"].receipt_number, comments["whole"].receipt_number
    assert contents == {f"{goals}/意见.txt": "第一条意见的附件。", f"{goals}/补充.txt": "补充材料。",
                        f"{whole}/意见.txt": "整体意见的附件。"}
    entry = db.session.scalars(audited.order_by(AuditEntry.id.desc())).first()
    assert entry.actor_label.endswith("<office@example.gov.cn>") and entry.reason == "下载意见附件"
    assert entry.after == {"files": 3, "job": job.id, "built_at": job.built_at.isoformat()}

    make_user("office", email="other@example.gov.cn", unit_name="市卫健委")
    login("other@example.gov.cn")  # another unit's office
    assert client.get(page).status_code == 404 and download(client, page).status_code == 404
    assert client.post(f"/office/consultations/{consultation.id}/attachments.zip",
                       data={"csrf_token": csrf_token(client, "/login")}).status_code == 404
    assert len(db.session.scalars(audited).all()) == 2


def test_files_of_few_comments_but_many_bytes_are_zipped_by_the_worker(app, client, login, office_consultation):
    consultation, comments = office_consultation
    app.config["EXPORT_INLINE_MAX"] = 2
    attach(comments["goals"], "意见.txt", b"x" * 100)
    db.session.commit()
    login("office@example.gov.cn")
    assert ask_files(client, consultation).status_code == 200  # one comment, 100 bytes: at once
    attach(comments["whole"], "扫描件.txt", b"y" * (2 * INLINE_BYTES_PER_COMMENT))  # two comments, but 40 KiB more
    db.session.commit()
    page = job_page(client, consultation, ask_files(client, consultation))
    run_worker(app)
    assert "共 2 个文件。" in client.get(page).get_data(as_text=True)
    assert len(zipfile.ZipFile(io.BytesIO(download(client, page).data)).namelist()) == 2

    # the archive holds every file too: by the worker when the files are that large, however few the comments
    app.config["EXPORT_INLINE_MAX"] = 4  # 4 comments received: the digests at once
    attach(comments["goals"], "大文件.txt", b"z" * (4 * INLINE_BYTES_PER_COMMENT))
    db.session.commit()
    responses = client.get(f"/office/consultations/{consultation.id}/responses").get_data(as_text=True)
    assert "意见很多：意见汇总和归档材料包要在后台生成" not in responses
    assert re.search(r"归档材料包（\.zip，会记录在案）</button></form> <span class=\"hint\">附件很多", responses)
    archive = client.post(f"/office/consultations/{consultation.id}/archive.zip",
                          data={"csrf_token": csrf_token(client, "/login")})
    assert db.session.get(ExportJob, int(job_page(client, consultation, archive).rsplit("/", 1)[1])).kind == "archive"


def test_when_the_files_zip_is_zipped_by_the_worker():
    per = INLINE_BYTES_PER_COMMENT
    assert not too_many_files(5000, 5000 * per, 5000)  # the default: 5,000 comments with 100 MiB of files
    assert too_many_files(5001, 10, 5000)  # more comments with files
    assert too_many_files(3, 5000 * per + 1, 5000)  # few, but large
    assert not too_many_files(0, 0, 0)  # PORTAL_EXPORT_INLINE_MAX=0 and no file: nothing to build
    assert too_many_files(1, 1, 0)  # 0: always by the worker


def test_a_failure_is_told_plainly_and_its_reason_shown_to_administrators_only(
        app, client, caplog, login, make_user, monkeypatch, office_consultation):
    consultation, comments = office_consultation
    attach(comments["goals"], "意见.txt", "附件。".encode())
    db.session.commit()
    app.config["EXPORT_INLINE_MAX"] = 0
    login("office@example.gov.cn")
    page = job_page(client, consultation, ask_files(client, consultation))
    technical = "OSError: [Errno 28] No space left on device: '/srv/portal/instance/exports'"

    def broken(*args, **kwargs):
        raise OSError(technical)

    monkeypatch.setattr("portal.digests.services.write_attachments_zip", broken)
    with caplog.at_level(logging.ERROR):
        assert "生成 0 个文件，1 个没有生成成功。" in run_worker(app)
    job = db.session.scalar(select(ExportJob))
    assert any(f"export job {job.id} failed" in r.getMessage() and technical in str(r.exc_info[1])
               for r in caplog.records if r.exc_info)  # the log keeps it, with its traceback
    assert job.status == "failed" and job.error == technical

    failed = client.get(page).get_data(as_text=True)
    assert "文件没有生成成功。" in failed
    assert "这个文件没能准备好。请点下面的按钮再试一次；如果还是不行，请联系系统管理员。" in failed
    assert "No space" not in failed and "Errno" not in failed and "原因" not in failed
    assert "按现在的数据重新生成" in failed and "refresh" not in failed
    responses = client.get(f"/office/consultations/{consultation.id}/responses").get_data(as_text=True)
    assert "没有生成成功" in responses and "No space" not in responses
    assert client.get("/admin/status").status_code == 403  # the office never sees the status page

    english = client.get(page, query_string={"lang": "en"}).get_data(as_text=True)
    assert "If it still does not work, please contact your system administrator." in english
    assert "No space" not in english
    make_user("admin")
    login("admin@example.gov.cn")
    status = client.get("/admin/status").get_data(as_text=True)
    listed = re.search(rf'<tr id="export-failed-{job.id}">(.*?)</tr>', status, re.S)
    assert listed and "全部意见附件" in listed.group(1) and consultation.title in listed.group(1)
    assert "No space left on device" in listed.group(1)
    assert "最近 7 天有 1 个导出文件没有生成成功。" in status
    printed = app.test_cli_runner().invoke(args=["jobs", "status"]).output  # what the status page shows, too
    assert re.search(r"exports-failed +1  ← 最近 7 天导出文件没有生成成功", printed)


def test_a_link_to_a_large_digest_queues_nothing_until_its_button_is_pressed(app, client, login, office_consultation):
    """A GET (a link, a browser's prefetch, a page of another site) asks for no export: the page it opens has a
    button, a POST with the CSRF token; without the token nothing is queued either."""
    consultation, _comments = office_consultation
    app.config["EXPORT_INLINE_MAX"] = 3
    login("office@example.gov.cn")
    url = f"/office/consultations/{consultation.id}/digest.docx"
    page = client.get(url).get_data(as_text=True)
    assert "意见汇总（Word 文档）" in page and "开始生成" in page and '<form method="post">' in page
    assert client.post(url).status_code == 400  # no CSRF token
    assert db.session.scalar(select(ExportJob.id)) is None
    job_page(client, consultation, client.post(url, data={"csrf_token": csrf_token(client, url)}))
    job = db.session.scalar(select(ExportJob))
    assert job.kind == "docx" and job.status == "pending"
    app.config["EXPORT_INLINE_MAX"] = 5_000  # small again: the digest is written at once, and a POST is refused
    assert client.get(url).mimetype.endswith("wordprocessingml.document")
    assert client.post(url, data={"csrf_token": csrf_token(client, "/login")}).status_code == 405


def test_expiry_deletes_the_jobs_that_ended_a_month_ago_and_keeps_the_recent_ones(
        app, client, clock, login, monkeypatch, office_consultation):
    """An export job expired or failed more than 30 days ago is deleted (its page then not found); the audit log
    keeps who downloaded its file. Those that ended since stay, listed as before."""
    consultation, _comments = office_consultation
    app.config["EXPORT_INLINE_MAX"] = 3
    login("office@example.gov.cn")
    base = f"/office/consultations/{consultation.id}"
    xlsx = job_page(client, consultation, ask_digest(client, f"{base}/digest.xlsx"))
    archive = job_page(client, consultation, client.post(f"{base}/archive.zip",
                                                         data={"csrf_token": csrf_token(client, "/login")}))
    run_worker(app)
    assert download(client, archive).status_code == 200  # audited

    def broken(*args, **kwargs):
        raise RuntimeError("磁盘空间不足")

    monkeypatch.setattr("portal.digests.services.build_digest", broken)
    failed_then = job_page(client, consultation, ask_digest(client, f"{base}/digest.csv"))
    assert "1 个没有生成成功" in run_worker(app)
    clock.advance(days=20)
    failed_since = job_page(client, consultation, ask_digest(client, f"{base}/digest.docx"))
    assert "1 个没有生成成功" in run_worker(app)
    monkeypatch.undo()
    clock.advance(days=8)
    expired_since = job_page(client, consultation, client.post(f"{failed_then}/again",
                                                               data={"csrf_token": csrf_token(client, "/login")}))
    run_worker(app)

    clock.advance(days=3)  # 31 days after the first ones were built or failed
    result = app.test_cli_runner().invoke(args=["digests", "expire-exports"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == ("删除 3 个超过保存期限的导出文件，0 个中断生成留下的文件，"
                                     "3 条 30 天前结束的导出任务记录。")
    db.session.expire_all()
    left = {job.id: job.status for job in db.session.scalars(select(ExportJob))}
    ids = {page: int(page.rsplit("/", 1)[1]) for page in (xlsx, archive, failed_then, failed_since, expired_since)}
    assert left == {ids[failed_since]: "failed", ids[expired_since]: "expired"}
    for gone in (xlsx, archive, failed_then):
        assert client.get(gone).status_code == 404
    assert "文件没有生成成功。" in client.get(failed_since).get_data(as_text=True)
    assert "已超过保存期限，已经删除。" in client.get(expired_since).get_data(as_text=True)
    (entry,) = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export_archive")).all()
    assert entry.after["job"] == ids[archive]  # who downloaded what stays on record
    assert os.listdir(os.path.join(app.instance_path, "exports")) == []
    again = app.test_cli_runner().invoke(args=["digests", "expire-exports"])
    assert "删除 0 个超过保存期限的导出文件" in again.output and "0 条 30 天前结束" in again.output


def test_a_large_annotated_draft_is_built_by_the_worker_and_a_small_one_given_at_once(
        app, client, clock, login, office_consultation):
    import docx

    consultation, comments = office_consultation
    login("office@example.gov.cn")
    url = f"/office/consultations/{consultation.id}/annotated.docx"
    at_once = client.get(url)  # 4 comments, the default threshold 5,000: at once, as before
    assert at_once.status_code == 200 and at_once.mimetype.endswith("wordprocessingml.document")
    assert client.post(url, data={"csrf_token": csrf_token(client, "/login")}).status_code == 405
    assert db.session.scalar(select(ExportJob.id)) is None

    app.config["EXPORT_INLINE_MAX"] = 3
    responses = client.get(f"/office/consultations/{consultation.id}/responses").get_data(as_text=True)
    assert "意见很多，要在后台生成：点击后会打开一个等待页面，准备好后在那里下载。" in responses
    asked = ask_digest(client, url)  # the link (the closing mail's too) opens a page: its button queues it
    assert "<h1>批注版草案</h1>" in client.get(url).get_data(as_text=True)
    page = job_page(client, consultation, asked)
    waiting = client.get(page).get_data(as_text=True)
    assert "<h1>批注版草案</h1>" in waiting and "文件正在准备中，请稍候。" in waiting
    assert job_page(client, consultation, ask_digest(client, url)) == page  # pressed twice: one job

    built_at = clock.now()
    assert run_worker(app).strip() == "生成 1 个文件，0 个没有生成成功。"
    job = db.session.scalar(select(ExportJob))
    assert (job.kind, job.status, job.comments, job.options) == ("annotated", "ready", 4, None)
    ready = client.get(page).get_data(as_text=True)
    assert "文件已准备好。" in ready and "共 4 条意见。" in ready
    assert f"文件内容截至 {built_at.year}年5月1日 09:00" in ready
    response = download(client, page)
    assert response.status_code == 200 and response.mimetype == at_once.mimetype
    assert response.headers["Content-Disposition"] == at_once.headers["Content-Disposition"]  # 批注版.docx
    notes = [c.text for c in docx.Document(io.BytesIO(response.data)).comments]
    assert len(notes) == 4 and any(comments["goals"].body in note for note in notes)
    assert not any("广告广告" in note for note in notes)  # spam: never in it

    # a filtered copy: its own job, of the filtered comments only; withdrawn or hidden since, it is given no more
    app.config["EXPORT_INLINE_MAX"] = 1
    filtered = job_page(client, consultation, ask_digest(client, f"{url}?stance=suggest"))
    run_worker(app)
    assert "只含筛选出的意见：态度：建议" in client.get(filtered).get_data(as_text=True)
    response = download(client, filtered)
    assert "%E7%AD%9B%E9%80%89.docx" in response.headers["Content-Disposition"]  # 批注版-筛选.docx
    notes = [c.text for c in docx.Document(io.BytesIO(response.data)).comments]
    assert len(notes) == 2 and not any("整体赞成" in note for note in notes)
    from portal.digests.exports import outdate_exports

    outdate_exports(consultation.id)
    db.session.commit()
    assert "这个文件已经过时，请重新生成。" in client.get(filtered).get_data(as_text=True)
    again = job_page(client, consultation, client.post(f"{filtered}/again",
                                                       data={"csrf_token": csrf_token(client, "/login")}))
    assert db.session.get(ExportJob, int(again.rsplit("/", 1)[1])).options == "stance=suggest"


def test_an_annotated_draft_grown_past_its_cap_while_it_waited_is_not_built(app, client, login, monkeypatch,
                                                                             office_consultation):
    consultation, _comments = office_consultation
    app.config["EXPORT_INLINE_MAX"] = 3
    login("office@example.gov.cn")
    page = job_page(client, consultation,
                    ask_digest(client, f"/office/consultations/{consultation.id}/annotated.docx"))
    monkeypatch.setattr("portal.digests.annotated.ANNOTATED_MAX", 3)  # as if comments had come in meanwhile
    assert run_worker(app).strip() == "生成 0 个文件，1 个没有生成成功。"
    job = db.session.scalar(select(ExportJob))
    assert job.status == "failed" and job.error == "4 comments: an annotated draft holds at most 3"
    assert "文件没有生成成功。" in client.get(page).get_data(as_text=True)
