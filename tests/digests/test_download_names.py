"""Every download named in Chinese (RFC 6266 filename*) also has an ASCII name saying what the file is, for the
programs that read only filename=: werkzeug's own dropped every Chinese character (consultation-9-.xlsx)."""
import re
from urllib.parse import unquote

import pytest

from tests.helpers import csrf_token


def names(response) -> tuple[str, str]:
    """(the ASCII filename=, the UTF-8 filename*) of a download."""
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;"), disposition
    fallback = re.search(r'(?:^|; )filename="?([^";]+)"?(?:;|$)', disposition).group(1)
    name = unquote(re.search(r"filename\*=UTF-8''([^;]+)", disposition).group(1))
    assert fallback.isascii()
    return fallback, name


@pytest.mark.parametrize("path, fallback, name", [
    ("digest.xlsx", "consultation-{id}-interim-digest.xlsx", "consultation-{id}-中期汇总.xlsx"),
    ("digest.docx", "consultation-{id}-interim-digest.docx", "consultation-{id}-中期汇总.docx"),
    ("digest.csv", "consultation-{id}-interim-digest.csv", "consultation-{id}-中期汇总.csv"),
    ("digest.xlsx?stance=support", "consultation-{id}-interim-digest-filtered.xlsx",
     "consultation-{id}-中期汇总-筛选.xlsx"),
    ("annotated.docx", "consultation-{id}-annotated-draft.docx", "{title}-批注版.docx"),
    ("adopted-wording.docx", "consultation-{id}-adopted-wording.docx", "{title}-采纳建议修订稿.docx"),
])
def test_the_offices_downloads_have_an_ascii_name_saying_what_they_are(
        app, client, login, office_consultation, path, fallback, name):
    consultation, _ = office_consultation
    login("office@example.gov.cn")
    response = client.get(f"/office/consultations/{consultation.id}/{path}")
    assert response.status_code == 200
    assert names(response) == (fallback.format(id=consultation.id),
                               name.format(id=consultation.id, title=consultation.title))


@pytest.mark.parametrize("path, fallback", [("attachments.zip", "attachments"), ("archive.zip", "archive")])
def test_the_zips_have_an_ascii_name_too(app, client, login, office_consultation, path, fallback):
    consultation, _ = office_consultation
    login("office@example.gov.cn")
    token = csrf_token(client, f"/office/consultations/{consultation.id}/responses")
    response = client.post(f"/office/consultations/{consultation.id}/{path}", data={"csrf_token": token})
    assert response.status_code == 200
    assert names(response)[0] == f"consultation-{consultation.id}-{fallback}.zip"


def test_a_digest_with_contacts_says_so_in_ascii(app, client, login, office_consultation):
    consultation, _ = office_consultation
    login("office@example.gov.cn")
    url = f"/office/consultations/{consultation.id}/digest.xlsx?contacts=1"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "confirm": "y"})
    assert response.status_code == 200
    assert names(response) == (f"consultation-{consultation.id}-interim-digest-with-contacts.xlsx",
                               f"consultation-{consultation.id}-中期汇总-含联系方式.xlsx")


def test_the_publics_downloads_have_an_ascii_name_too(app, client, office_consultation):
    consultation, _ = office_consultation
    draft = client.get(f"/consultations/{consultation.id}/versions/1/draft.docx")
    assert names(draft) == (f"consultation-{consultation.id}-draft.docx", f"{consultation.title}.docx")
    form = client.get(f"/consultations/{consultation.id}/feedback-form.xlsx")
    assert names(form) == (f"consultation-{consultation.id}-feedback-form.xlsx", f"{consultation.title}-意见反馈表.xlsx")


def test_an_ascii_name_is_left_as_it_is(app):
    from flask import Response

    from portal.core.web import name_download

    response = Response(headers={"Content-Disposition": 'attachment; filename="meeting-3.ics"'})
    assert name_download(response, "meeting-3.ics", "other.ics").headers["Content-Disposition"] == \
        'attachment; filename="meeting-3.ics"'
    named = name_download(Response(), "报名名单-3.csv", 'meeting-3-"registrations".csv')
    assert names(named) == ("meeting-3-registrations.csv", "报名名单-3.csv")
