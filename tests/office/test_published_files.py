"""Files the office publishes beside the draft (相关文件): checked by their content, listed on the consultation's page
(its cached copy renewed), downloaded by anyone once published, taken away again; audited."""
import re

from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.consultations.models import ConsultationFile
from portal.extensions import db
from tests.helpers import Browser, csrf_token, docx_of

PDF = b"%PDF-1.4\n% a table of changes\n%%EOF\n"


def files_url(consultation) -> str:
    return f"/office/consultations/{consultation.id}/files"


def test_a_published_file_is_listed_and_downloaded_by_anyone(app, client, consultation, office, submit):
    page_url = f"/consultations/{consultation.id}"
    assert "相关文件" not in client.get(page_url).get_data(as_text=True)  # (the page is cached from here on)

    response = submit(files_url(consultation), title="附件2：修订前后对照表", file=(PDF, "对照表.pdf"))
    assert response.status_code == 302
    submit(files_url(consultation), title="", file=(docx_of(["申请表"]), "申请表.docx"))
    published = db.session.scalars(select(ConsultationFile).order_by(ConsultationFile.position)).all()
    assert [(f.title, f.filename, f.content_type) for f in published] == [
        ("附件2：修订前后对照表", "对照表.pdf", "application/pdf"),
        ("申请表", "申请表.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ]

    page = client.get(page_url).get_data(as_text=True)  # the cached copy was renewed with the files
    link = f"/consultations/{consultation.id}/files/{published[0].id}"
    assert f'href="{link}"' in page and "附件2：修订前后对照表" in page and "（PDF，1 KB）" in page
    english = Browser(app)
    english.get("/settings/language/en")
    assert "<span class=\"hint\"> (PDF, 1 KB)</span>" in english.get(page_url).get_data(as_text=True)
    download = Browser(app).get(link)  # anyone may download it
    assert download.status_code == 200 and download.data == PDF and "attachment" in download.headers["Content-Disposition"]
    fallback = f"filename=consultation-{consultation.id}-file-{published[0].id}.pdf;"  # beside filename*=…对照表.pdf
    assert fallback in download.headers["Content-Disposition"]
    assert "sandbox" in download.headers["Content-Security-Policy"]
    assert client.get(f"/consultations/{consultation.id + 1}/files/{published[0].id}").status_code == 404


def test_taking_a_file_away_and_the_audit(client, consultation, office, submit):
    submit(files_url(consultation), title="地图", file=(b"\x89PNG\r\n\x1a\n" + b"\x00" * 30, "map.png"))
    published = db.session.scalars(select(ConsultationFile)).one()
    delete = f"{files_url(consultation)}/{published.id}/delete"
    response = client.post(delete, data={"csrf_token": csrf_token(client, files_url(consultation))})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(ConsultationFile)) == 0
    assert client.get(f"/consultations/{consultation.id}/files/{published.id}").status_code == 404
    assert "地图" not in client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions[-2:] == ["add_file", "remove_file"]


def test_a_file_that_is_not_what_its_name_says_is_refused(client, consultation, office, submit):
    for fields, message in [
        ({"file": (b"MZ\x90\x00program", "表.pdf")}, "“表.pdf”不是可以公布的文件"),
        ({"file": (b"<html><script>alert(1)</script>", "page.html")}, "“page.html”不是可以公布的文件"),
    ]:
        response = submit(files_url(consultation), title="", **fields)
        text = re.sub(r"<[^>]+>", "", response.get_data(as_text=True))
        assert response.status_code == 422 and message in text, fields
    assert db.session.scalar(select(func.count()).select_from(ConsultationFile)) == 0


def test_files_of_an_unpublished_consultation_are_not_public(app, client, import_seed, office, submit):
    draft = import_seed("001", publish=False)
    draft.owner_unit_id = office.unit_id
    db.session.commit()
    assert submit(files_url(draft), title="", file=(PDF, "a.pdf")).status_code == 302
    published = db.session.scalars(select(ConsultationFile)).one()
    assert Browser(app).get(f"/consultations/{draft.id}/files/{published.id}").status_code == 404


def test_after_the_deadline_the_files_stand_as_commented_on(client, clock, consultation, office, submit):
    """As the explanatory note, terms and questions: what the draft was published with is what was commented on."""
    from tests.helpers import shanghai

    submit(files_url(consultation), title="对照表", file=(PDF, "对照表.pdf"))
    published = db.session.scalars(select(ConsultationFile)).one()
    clock.set(shanghai(2023, 5, 13, 9, 0))  # closed
    added = submit(files_url(consultation), title="新文件", file=(PDF, "新.pdf"))
    assert added.status_code == 422 and "草案附带的文件不能再增删" in added.get_data(as_text=True)
    delete = f"{files_url(consultation)}/{published.id}/delete"
    client.post(delete, data={"csrf_token": csrf_token(client, files_url(consultation))})
    assert [f.title for f in db.session.scalars(select(ConsultationFile))] == ["对照表"]
