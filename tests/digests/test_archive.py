"""The archive of a consultation (归档材料): one ZIP the office files, holding its drafts, digests, files, result and
records, with a manifest whose checksums match; audited; without the commenters' contacts."""
import csv
import hashlib
import io
import zipfile

from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.comments.attachments import Upload, store_uploads
from portal.consultations.services import close_due_consultations
from portal.extensions import db
from tests.helpers import csrf_token, shanghai


def download(client, consultation):
    token = csrf_token(client, "/login")  # the session's token, whoever asks
    return client.post(f"/office/consultations/{consultation.id}/archive.zip", data={"csrf_token": token})


def test_the_archive_holds_everything_with_a_manifest_and_no_contacts(app, client, clock, login, office_consultation):
    consultation, comments = office_consultation
    store_uploads(comments["goals"].id, [Upload("来信.pdf", "application/pdf", b"%PDF-1.4 letter")])
    db.session.commit()
    login("office@example.gov.cn")
    one = f"/office/consultations/{consultation.id}/responses/{comments['goals'].id}"
    assert client.post(one, data={"csrf_token": csrf_token(client, one), "outcome": "adopted",
                                  "reason": "已补充建设标准。"}).status_code == 302
    clock.set(shanghai(2023, 5, 15, 9, 0))
    close_due_consultations(notify=False)
    db.session.commit()
    page = client.get(f"/office/consultations/{consultation.id}/responses").get_data(as_text=True)
    assert "归档材料包（.zip，会记录在案）" in page

    response = download(client, consultation)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "no-store" in response.headers["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    for expected in ("1-草案/第1版-", "2-意见/意见汇总.xlsx", "2-意见/意见汇总.docx", "2-意见/意见汇总.csv",
                     "2-意见/批注版草案.docx", f"2-意见/附件/{comments['goals'].receipt_number}/来信.pdf",
                     "3-结果/结果说明.txt", "3-结果/意见采纳情况反馈.docx", "4-记录/操作记录.csv", "说明.txt"):
        assert any(name.startswith(expected) for name in names), expected
    assert archive.read(f"2-意见/附件/{comments['goals'].receipt_number}/来信.pdf") == b"%PDF-1.4 letter"
    assert "截止到5月12日" in archive.read("3-结果/结果说明.txt").decode()

    manifest = archive.read("说明.txt").decode("utf-8-sig")
    assert consultation.title in manifest and "状态：已截止" in manifest
    listed = {line.split("\t")[0]: line.split("\t")[2] for line in manifest.splitlines() if "\t" in line}
    assert set(listed) == set(names) - {"说明.txt"}
    assert all(hashlib.sha256(archive.read(name)).hexdigest() == digest for name, digest in listed.items())

    everything = b"".join(archive.read(name) for name in names if name.endswith((".csv", ".txt")))
    assert "138 0013 8000".encode() not in everything and b"13800138000" not in everything  # no contacts
    records = list(csv.reader(io.StringIO(archive.read("4-记录/操作记录.csv").decode("utf-8-sig"))))
    assert records[0][:3] == ["时间", "操作人", "操作"]
    assert records[1][1:3] == ["office user <office@example.gov.cn>", "答复意见"] and "已补充建设标准。" in records[1][6]
    digest_csv = archive.read("2-意见/意见汇总.csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in digest_csv  # a formula stays text

    (entry,) = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export_archive")).all()
    assert entry.after == {"files": len(names)} and entry.actor_label.endswith("<office@example.gov.cn>")


def test_an_open_consultation_gives_an_interim_archive_and_others_may_not_have_it(app, client, login, make_user,
                                                                                  office_consultation):
    consultation, _comments = office_consultation
    login("office@example.gov.cn")
    archive = zipfile.ZipFile(io.BytesIO(download(client, consultation).data))
    manifest = archive.read("说明.txt").decode("utf-8-sig")
    assert "尚未截止" in manifest and "未包含：" in manifest and "3-结果/结果说明.txt" not in archive.namelist()
    make_user("office", email="other@example.gov.cn", unit_name="市卫健委")
    login("other@example.gov.cn")
    assert download(client, consultation).status_code in (403, 404)


def test_the_command_line_writes_the_same_archive(app, office_consultation, tmp_path):
    consultation, _comments = office_consultation
    out = tmp_path / "archive.zip"
    result = app.test_cli_runner().invoke(args=["digests", "archive", str(consultation.id), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "已写入归档材料" in result.stdout and "说明.txt" in zipfile.ZipFile(out).namelist()


def test_the_archive_holds_the_policy_as_issued(app, office_consultation, tmp_path, clock, make_user):
    from datetime import date

    from portal.office.services import publish_final_document
    from tests.helpers import docx_of

    consultation, _comments = office_consultation
    clock.set(shanghai(2023, 6, 20, 9, 0))
    office = make_user("office", "office2@example.gov.cn", "市民政局")
    publish_final_document(consultation, office, data=docx_of(["某某方案", "一、总体要求", "到2025年建成。"]),
                           filename="正式文件.docx", title=None, document_number="宿民发〔2023〕12号",
                           issued_on=date(2023, 6, 15), note="采纳了关于助餐点的意见。", max_bytes=5 * 1024 * 1024)
    db.session.commit()
    out = tmp_path / "archive.zip"
    result = app.test_cli_runner().invoke(args=["digests", "archive", str(consultation.id), "--output", str(out)])
    assert result.exit_code == 0, result.output
    archive = zipfile.ZipFile(out)
    text = archive.read("3-结果/正式文件（正式文件.docx）.txt").decode("utf-8-sig")
    assert "文号：宿民发〔2023〕12号" in text and "印发日期：2023年6月15日" in text and "到2025年建成。" in text
    assert "采纳了关于助餐点的意见。" in text


def test_above_the_annotated_drafts_cap_the_archive_says_what_the_download_says(app, client, login, monkeypatch,
                                                                                office_consultation):
    import portal.digests.annotated as annotated

    consultation, _comments = office_consultation
    login("office@example.gov.cn")
    monkeypatch.setattr(annotated, "ANNOTATED_MAX", 3)  # four comments received: one too many
    refused = client.get(f"/office/consultations/{consultation.id}/annotated.docx")
    assert refused.status_code == 302
    said = "有 4 条，批注版草案一次最多放 3 条。"
    assert said in client.get(refused.headers["Location"]).get_data(as_text=True)
    archive = zipfile.ZipFile(io.BytesIO(download(client, consultation).data))
    assert "2-意见/批注版草案.docx" not in archive.namelist()
    left_out = archive.read("说明.txt").decode("utf-8-sig").split("未包含：")[1]
    assert f"批注版草案：意见{said}请在答复页面按章节等条件筛选后分别下载。" in left_out

    monkeypatch.setattr(annotated, "ANNOTATED_MAX", 4)  # all four fit: both give the annotated draft
    assert client.get(f"/office/consultations/{consultation.id}/annotated.docx").status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(download(client, consultation).data))
    assert "2-意见/批注版草案.docx" in archive.namelist()
    assert "批注版草案：" not in archive.read("说明.txt").decode("utf-8-sig")  # nothing left out of it
