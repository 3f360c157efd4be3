"""The public API (/api/v1): read-only JSON of what the public pages show, described by its OpenAPI document.

Every answer is validated against the document's schemas, which forbid any field they do not name: a field
added to the API without being described, a commenter's contact say, fails here."""
from __future__ import annotations

import json
from datetime import date
import re

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from portal.comments.models import Comment
from portal.comments.services import submit_comment
from portal.consultations.models import Consultation
from portal.extensions import db
from tests.helpers import csrf_token, shanghai

API = "/api/v1"
SPEC_URI = "urn:portal:openapi"


def get_json(client, url: str, status: int = 200, schema: str | None = None):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Set-Cookie" not in response.headers  # no session, no language cookie: nothing to tie requests together
    data = response.get_json()
    if schema is not None:
        validate(client, data, schema)
    return data


def validate(client, data, schema: str) -> None:
    spec = client.get(f"{API}/openapi.json").get_json()
    registry = Registry().with_resource(SPEC_URI, Resource.from_contents(spec, default_specification=DRAFT202012))
    validator = Draft202012Validator({"$ref": f"{SPEC_URI}#/components/schemas/{schema}"}, registry=registry)
    errors = sorted(validator.iter_errors(data), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def all_pages(client, url: str, schema: str) -> list[dict]:
    """Follow the ``next`` links from ``url``; every page validated."""
    items, seen = [], set()
    while url:
        assert url not in seen
        seen.add(url)
        page = get_json(client, url.removeprefix("http://localhost"), schema=schema)
        items += page["items"]
        url = page["links"]["next"]
    return items


@pytest.fixture
def consultation_with_reply(office_consultation, clock):
    consultation, comments = office_consultation
    clock.set(shanghai(2023, 5, 2, 10, 0))
    reply = submit_comment(consultation, "同意楼上，标准要具体。", "support", comments["goals"].section,
                           parent=comments["goals"], author_name="赵六", author_contact="zhao@example.com")
    reply.status = "approved"
    db.session.commit()
    comments["reply"] = reply
    return consultation, comments


def test_a_reader_finds_the_consultations_their_drafts_and_public_comments(client, consultation_with_reply, import_seed):
    consultation, comments = consultation_with_reply
    unpublished = import_seed("001", publish=False)

    index = get_json(client, f"{API}/", schema="Index")
    assert index["consultations"] == f"http://localhost{API}/consultations"
    listing = get_json(client, f"{API}/consultations", schema="ConsultationPage")
    assert [c["id"] for c in listing["items"]] == [consultation.id]  # the unpublished draft is not listed
    assert get_json(client, f"{API}/consultations/{unpublished.id}", 404, "Error")["error"]["code"] == "not_found"
    summary = listing["items"][0]
    assert summary["state"] == "open" and summary["deadline"] == "2023-05-12T23:59:59+08:00"
    assert summary["public_comment_count"] == 4  # goals, formula, whole, the reply: not pending, not spam
    assert get_json(client, f"{API}/consultations?state=closed", schema="ConsultationPage")["items"] == []

    detail = get_json(client, f"{API}/consultations/{consultation.id}", schema="Consultation")
    assert detail["title"] == consultation.title and detail["issuer"] == consultation.issuer
    assert detail["contact"]["phones"] == consultation.contact_phones  # the office's own, as the notice prints it
    assert detail["explanatory_note"] is None
    consultation.explanatory_note = "一、起草背景\n说明。"
    db.session.commit()
    note = get_json(client, f"{API}/consultations/{consultation.id}", schema="Consultation")["explanatory_note"]
    assert note == "一、起草背景\n说明。"
    assert detail["files"] == []
    from portal.consultations.models import ConsultationFile

    published = ConsultationFile(consultation_id=consultation.id, title="修订对照表", filename="对照表.pdf",
                                 content_type="application/pdf", size=15, data=b"%PDF-1.4\n%%EOF\n")
    db.session.add(published)
    db.session.commit()
    (listed,) = get_json(client, f"{API}/consultations/{consultation.id}", schema="Consultation")["files"]
    assert listed == {"title": "修订对照表", "filename": "对照表.pdf", "content_type": "application/pdf", "size": 15,
                      "url": f"http://localhost/consultations/{consultation.id}/files/{published.id}"}
    assert client.get(listed["url"]).data == b"%PDF-1.4\n%%EOF\n"
    sections = detail["draft"]["sections"]
    assert [s["title"] for s in sections] == [s.title for s in consultation.current_draft.top_sections]
    first = sections[0]
    assert first["anchor"] == comments["goals"].section.anchor and first["public_comment_count"] == 2
    assert first["url"].endswith(f"/consultations/{consultation.id}/sections/{first['anchor']}")
    assert detail["whole_draft_comment_count"] == 1
    nested = sections[1]["children"][0]
    assert nested["title"] == "(一)老年友好社会创建提升行动" and nested["public_comment_count"] == 1

    every = all_pages(client, f"{API}/consultations/{consultation.id}/comments?per_page=2", "CommentPage")
    assert [c["id"] for c in every] == [comments[k].id for k in ("goals", "formula", "whole", "reply")]
    by_id = {c["id"]: c for c in every}
    assert by_id[comments["formula"].id]["body"] == '=HYPERLINK("http://evil.example","点我")'  # as written: JSON is data
    reply = by_id[comments["reply"].id]
    assert reply["parent_id"] == comments["goals"].id and reply["author_name"] == "赵六"
    assert reply["section"]["anchor"] == first["anchor"] and reply["created_at"] == "2023-05-02T10:00:00+08:00"
    assert by_id[comments["whole"].id]["section"] is None and by_id[comments["whole"].id]["author_name"] is None
    page = client.get(reply["url"].removeprefix("http://localhost"))  # the comment's own page shows it
    assert page.status_code == 200 and "同意楼上，标准要具体。" in page.get_data(as_text=True)

    on_section = get_json(client, f"{API}/consultations/{consultation.id}/comments?section={first['anchor']}&order=newest",
                          schema="CommentPage")
    assert [c["id"] for c in on_section["items"]] == [comments["reply"].id, comments["goals"].id]
    assert on_section["section"]["title"] == first["title"]
    whole = get_json(client, f"{API}/consultations/{consultation.id}/comments?section=whole", schema="CommentPage")
    assert [c["id"] for c in whole["items"]] == [comments["whole"].id]


def test_nothing_private_is_given(client, consultation_with_reply):
    consultation, comments = consultation_with_reply
    comments["goals"].status = "hidden"  # withheld after it was answered: its reply stays, it goes
    db.session.commit()
    answers = "".join(
        client.get(url).get_data(as_text=True) for url in (
            f"{API}/consultations", f"{API}/consultations/{consultation.id}",
            f"{API}/consultations/{consultation.id}/comments?per_page=100",
        )
    )
    assert "同意楼上" in answers and "整体赞成" in answers  # the public comments are there
    for secret in ("138 0013 8000", "13800138000", "spam@example.com", "zhao@example.com", "社区食堂要多开几家",
                   "广告广告", "建议明确养老服务中心的建设标准", *(c.receipt_number for c in comments.values())):
        assert secret not in answers, secret


def test_private_comments_stay_with_the_office_and_the_feedback_shows_the_published_answers(
        app, client, clock, login, consultation_with_reply):
    consultation, comments = consultation_with_reply
    url = f"/office/consultations/{consultation.id}/responses/{comments['goals'].id}"
    office, client = client, app.test_client()  # the office's staff in one browser, a reader in another
    login("office@example.gov.cn")
    assert office.post(url, data={"csrf_token": csrf_token(office, url), "outcome": "adopted",
                                  "reason": "已补充建设标准。"}).status_code == 302
    assert get_json(client, f"{API}/consultations/{consultation.id}/feedback", 404, "Error")["error"]["code"] == "not_closed"
    goals = get_json(client, f"{API}/consultations/{consultation.id}/comments?per_page=1")["items"][0]
    assert goals["id"] == comments["goals"].id and goals["response"] is None  # drafted, not published

    clock.set(shanghai(2023, 5, 13, 9, 0))
    assert app.test_cli_runner().invoke(args=["consultations", "close-due"]).exit_code == 0
    publish = f"/office/consultations/{consultation.id}/responses/publish"
    assert office.post(publish, data={"csrf_token": csrf_token(office, url)}).status_code == 302
    goals = get_json(client, f"{API}/consultations/{consultation.id}/comments?per_page=1", schema="CommentPage")["items"][0]
    assert goals["response"] == {"outcome": "adopted", "reason": "已补充建设标准。",
                                 "published_at": "2023-05-13T09:00:00+08:00"}
    feedback = get_json(client, f"{API}/consultations/{consultation.id}/feedback", schema="Feedback")
    assert feedback["closing_summary"].startswith("截止到5月12日，共收到社会各界、广大居民群众反馈意见")
    entries = [e for g in feedback["groups"] for e in g["entries"]]
    assert entries[0]["text"] == "建议明确养老服务中心的建设标准。" and entries[0]["response"]["outcome"] == "adopted"
    detail = get_json(client, f"{API}/consultations/{consultation.id}", schema="Consultation")
    assert detail["state"] == "closed" and detail["closing_summary"] == feedback["closing_summary"]

    db.session.get(Consultation, consultation.id).comment_visibility = "private"
    db.session.commit()
    refused = get_json(client, f"{API}/consultations/{consultation.id}/comments", 403, "Error")
    assert refused["error"]["code"] == "comments_not_public"
    detail = get_json(client, f"{API}/consultations/{consultation.id}", schema="Consultation")
    assert detail["public_comment_count"] is None and detail["links"]["comments"] is None
    assert all(s["public_comment_count"] is None for s in detail["draft"]["sections"])
    feedback = json.dumps(get_json(client, f"{API}/consultations/{consultation.id}/feedback", schema="Feedback"),
                          ensure_ascii=False)
    assert "已补充建设标准。" in feedback and "建议明确养老服务中心" not in feedback  # no paraphrase given: no text


@pytest.mark.parametrize("query, parameter", [
    ("page=0", "page"), ("page=x", "page"), ("per_page=101", "per_page"), ("per_page=-1", "per_page"),
    ("order=random", "order"), ("page=99999999999", "page"),
])
def test_bad_parameters_are_explained(client, office_consultation, query, parameter):
    consultation, _comments = office_consultation
    error = get_json(client, f"{API}/consultations/{consultation.id}/comments?{query}", 400, "Error")["error"]
    assert error["code"] == "bad_parameter" and error["parameter"] == parameter and parameter in error["message"]


def test_errors_are_json_in_the_readers_language(app, client, office_consultation):
    consultation, _comments = office_consultation
    assert get_json(client, f"{API}/consultations?state=soon", 400, "Error")["error"]["parameter"] == "state"
    missing = get_json(client, f"{API}/consultations/{consultation.id}/comments?section=s-99", 404, "Error")["error"]
    assert missing == {"status": 404, "code": "section_not_found", "message": "草案中没有这个章节。", "parameter": "section"}
    english = get_json(client, f"{API}/consultations/{consultation.id}/comments?section=s-99&lang=en", 404, "Error")
    assert english["error"]["message"] == "The draft has no such section."
    assert get_json(client, f"{API}/no/such/thing", 404, "Error")["error"]["code"] == "not_found"
    assert get_json(client, f"{API}/consultations/2147483648", 404, "Error")["error"]["code"] == "not_found"
    posted = client.post(f"{API}/consultations")
    assert posted.status_code == 405 and posted.get_json()["error"]["status"] == 405
    assert set(posted.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}  # RFC 9110: a 405 names them
    preflight = client.options(f"{API}/consultations", headers={
        "Origin": "https://data.example.org", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "if-none-match"})
    assert preflight.status_code == 204 and preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    app.config["API_RATE_LIMIT"] = "3/minute"
    answers = [client.get(f"{API}/consultations?n={n}") for n in range(5)]
    assert answers[-1].status_code == 429
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 61  # the window ends within the minute (whole seconds, rounded up)
    assert "Retry-After" in answers[-1].headers["Access-Control-Expose-Headers"]
    assert "ETag" in answers[0].headers["Access-Control-Expose-Headers"]
    refused = client.get(f"{API}/consultations")
    assert refused.get_json()["error"]["code"] == "too_many_requests" and refused.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("url", [
    "/consultations/{id}?x=%00", "/consultations/{id}/comments?section=s-1%00", "/consultations/{id}/feedback?%00=1",
    "/consultations/{id}%00",
])
def test_a_nul_character_is_refused_in_json(client, office_consultation, url):
    consultation, _comments = office_consultation
    url = API + url.format(id=consultation.id)
    error = get_json(client, url, 400, "Error")["error"]
    assert error == {"status": 400, "code": "bad_request", "message": "请求中有无法识别的字符。", "parameter": None}
    english = get_json(client, f"{url}&lang=en" if "?" in url else f"{url}?lang=en", 400, "Error")["error"]
    assert english["message"] == "The request contains characters that cannot be read."
    spec = client.get(f"{API}/openapi.json").get_json()
    assert all("400" in operation["get"]["responses"] for operation in spec["paths"].values())
    # and the document says so of its free text parameter
    section = {p["name"]: p for p in spec["paths"]["/consultations/{consultation_id}/comments"]["get"]["parameters"]}
    pattern = re.compile(section["section"]["schema"]["pattern"])
    assert pattern.search("s-1") and not pattern.search("s-1\x00")


def test_the_documented_bounds_are_the_accepted_ones(client, office_consultation):
    consultation, _comments = office_consultation
    spec = client.get(f"{API}/openapi.json").get_json()
    parameters = {p["name"]: p for p in spec["paths"]["/consultations/{consultation_id}/comments"]["get"]["parameters"]}
    most = parameters["page"]["schema"]["maximum"]
    url = f"{API}/consultations/{consultation.id}/comments"
    assert get_json(client, f"{url}?page={most}", schema="CommentPage")["items"] == []
    assert get_json(client, f"{url}?page={most + 1}", 400, "Error")["error"]["parameter"] == "page"
    assert parameters["consultation_id"]["schema"]["maximum"] == most
    assert get_json(client, f"{API}/consultations/{most + 1}", 404, "Error")["error"]["code"] == "not_found"
    # an empty value is no value (as an HTML form sends it), and the document says so
    empty = "&".join(f"{name}=" for name, parameter in parameters.items() if parameter["in"] == "query")
    assert get_json(client, f"{url}?{empty}", schema="CommentPage")["per_page"] == 20
    assert get_json(client, f"{API}/consultations?state=&page=", schema="ConsultationPage")["page"] == 1
    queries = [p for operation in spec["paths"].values() for p in operation["get"].get("parameters", [])
               if p["in"] == "query"]
    assert queries and all(p["allowEmptyValue"] for p in queries)


def test_answers_can_be_cached_and_revalidated(client, office_consultation):
    consultation, _comments = office_consultation
    first = client.get(f"{API}/consultations/{consultation.id}")
    assert first.headers["Cache-Control"] == "public, max-age=60" and first.headers["ETag"]
    again = client.get(f"{API}/consultations/{consultation.id}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == first.headers["ETag"] and again.headers["Cache-Control"] == "public, max-age=60"
    url = f"{API}/consultations/{consultation.id}"
    for matching in ("*", f"W/{first.headers['ETag']}", f'"other", {first.headers["ETag"]}'):
        assert client.get(url, headers={"If-None-Match": matching}).status_code == 304
    # If-Match: "*" or the current tag lets the answer through; werkzeug's own check refused "*" with a 412
    for current in ("*", first.headers["ETag"]):
        assert client.get(url, headers={"If-Match": current}).status_code == 200
    stale = client.get(f"{API}/consultations/{consultation.id}?lang=en", headers={"If-Match": '"stale"'})
    assert stale.status_code == 412 and stale.headers["Cache-Control"] == "no-store"  # never the answer, never kept
    assert stale.get_json()["error"] == {"status": 412, "code": "precondition_failed", "parameter": None,
                                         "message": "If-Match does not name this answer's current ETag."}
    spec = client.get(f"{API}/openapi.json").get_json()
    assert all({"304", "412"} <= set(operation["get"]["responses"]) for operation in spec["paths"].values())
    consultation.title = "改过的标题"
    db.session.commit()
    changed = client.get(f"{API}/consultations/{consultation.id}", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.get_json()["title"] == "改过的标题"


def test_the_documentation_page_describes_every_operation(client, office_consultation):
    home = client.get("/consultations/").get_data(as_text=True)
    assert 'href="/api/"' in home  # the footer links to it
    page = client.get("/api/").get_data(as_text=True)
    spec = client.get(f"{API}/openapi.json").get_json()
    for path, operations in spec["paths"].items():
        assert f"GET {path}" in page and operations["get"]["summary"] in page
        # every operation answers in the reader's language, and says how to choose it
        assert "lang" in {parameter["name"] for parameter in operations["get"]["parameters"]}, path
    assert "per_page" in page and "openapi.json" in page
    english = client.get("/api/?lang=en").get_data(as_text=True)
    assert "Open data API" in english and "Published consultations" in english
    # each table of parameters is named in the page's language (it was “Parameter：GET /…” on English pages)
    assert 'aria-label="Parameter: GET /consultations"' in english and "：" not in english.split("<main")[1]
    assert client.get(f"{API}/openapi.json?lang=en").get_json()["paths"]["/consultations"]["get"]["summary"] == \
        "Published consultations"


def test_consultations_are_paged_and_filtered_by_state(client, clock, import_seed):
    clock.set(shanghai(2023, 4, 20, 9, 0))
    opened = [import_seed(prefix, deadline=shanghai(2023, 5, day, 17, 0)) for prefix, day in (("001", 10), ("002", 20))]
    upcoming = import_seed("004", opens=shanghai(2023, 6, 1, 9, 0), deadline=shanghai(2023, 7, 1, 17, 0))
    db.session.commit()
    every = all_pages(client, f"{API}/consultations?per_page=1", "ConsultationPage")
    assert sorted(c["id"] for c in every) == sorted(c.id for c in [*opened, upcoming])
    assert [c["id"] for c in every][0] == upcoming.id  # the latest deadline first, as the public list
    only = get_json(client, f"{API}/consultations?state=upcoming", schema="ConsultationPage")
    assert [c["id"] for c in only["items"]] == [upcoming.id] and only["total"] == 1
    assert only["items"][0]["opens_at"] == "2023-06-01T09:00:00+08:00"
    # past the end: back to the last page with items (it linked to page 8, as empty), and none when none has any
    beyond = get_json(client, f"{API}/consultations?page=9", schema="ConsultationPage")
    assert beyond["items"] == [] and beyond["total"] == 3 and beyond["pages"] == 1
    assert beyond["links"]["prev"].endswith("/consultations?page=1&per_page=20") and beyond["links"]["next"] is None
    beyond = get_json(client, f"{API}/consultations?page=99&per_page=2", schema="ConsultationPage")
    assert beyond["items"] == [] and beyond["links"]["prev"].endswith("page=2&per_page=2")
    second = get_json(client, f"{API}/consultations?page=2&per_page=2", schema="ConsultationPage")
    assert len(second["items"]) == 1 and second["links"]["prev"].endswith("page=1&per_page=2")
    none = get_json(client, f"{API}/consultations?state=closed&page=99", schema="ConsultationPage")
    assert none["items"] == [] and none["total"] == 0 and none["links"]["prev"] is None


def test_answers_are_kept_in_memory_until_what_they_show_changes(app, client, clock, office_consultation, monkeypatch):
    from portal.api import services

    consultation, comments = office_consultation
    made = []
    real = services.comment_page
    monkeypatch.setattr(services, "comment_page", lambda *args: made.append(args) or real(*args))
    url = f"{API}/consultations/{consultation.id}/comments"
    first = client.get(url).get_json()
    assert client.get(url).get_json() == first and len(made) == 1  # the second answer came from memory
    client.get(f"{url}?order=newest")
    assert len(made) == 2  # another query string, another answer

    comments["pending"].status = "approved"  # a moderator approves a comment: the comments token changes
    db.session.commit()
    after = client.get(url).get_json()
    assert len(made) == 3 and after["total"] == first["total"] + 1
    assert "社区食堂要多开几家。" in {c["body"] for c in after["items"]}

    clock.set(shanghai(2023, 5, 13, 9, 0))  # closed: responses may be published and edited, no token follows them
    client.get(url)
    client.get(url)
    assert len(made) == 5


def test_the_statistics_count_what_the_statistics_page_counts(client, clock, consultation_with_reply):
    consultation, comments = consultation_with_reply
    url = f"{API}/consultations/{consultation.id}/statistics"
    stats = get_json(client, url, schema="Statistics")
    # received: every comment but spam, the pending one too (as the closing summary counts them)
    # the reply is counted apart, not under the stance it was sent with
    assert stats["total"] == 5 and stats["stances"] == {"support": 1, "oppose": 1, "suggest": 2}
    assert stats["replies"] == 1
    by_section = {(s["section"] or {}).get("anchor"): s["count"] for s in stats["sections"]}
    assert by_section[comments["goals"].section.anchor] == 3 and by_section[None] == 1
    assert sum(by_section.values()) == 5
    days = {d["date"]: d["count"] for d in stats["days"]}
    assert days["2023-04-20"] == 1 and days["2023-05-02"] == 1 and days["2023-04-24"] == 0  # the spam's day
    assert stats["channels"] == {"web": 5, "email": 0, "letter": 0, "fax": 0, "phone": 0, "in_person": 0,
                                  "meeting": 0}
    page = client.get(f"/consultations/{consultation.id}/statistics").get_data(as_text=True)
    assert "共 5 条意见" in page  # the page says the same

    from portal.comments.services import submit_comment

    submit_comment(consultation, "又一条待审核的意见。", "oppose", None)  # waits for a moderator: counted at once
    db.session.commit()
    assert get_json(client, url)["total"] == 6


def test_an_opinion_the_office_typed_in_says_how_it_came(client, clock, consultation_with_reply):
    from portal.comments.services import approve_comment
    from portal.office.services import record_comment

    consultation, _comments = consultation_with_reply
    clock.set(shanghai(2023, 5, 10, 9, 0))
    stored = record_comment(consultation, "cli", channel="letter", received_on=date(2023, 5, 3), section_id=None,
                            body="来信提出的意见。", stance="oppose", author_name="某某协会", author_contact="某市某路1号")
    approve_comment(db.session.get(Comment, stored.id))
    db.session.commit()
    page = get_json(client, f"{API}/consultations/{consultation.id}/comments?section=whole", schema="CommentPage")
    letter = next(c for c in page["items"] if c["body"] == "来信提出的意见。")
    assert letter["channel"] == "letter" and letter["created_at"] == "2023-05-03T12:00:00+08:00"
    assert "某市某路1号" not in json.dumps(page, ensure_ascii=False)
    assert {c["channel"] for c in page["items"] if c is not letter} == {"web"}
    stats = get_json(client, f"{API}/consultations/{consultation.id}/statistics", schema="Statistics")
    assert stats["channels"]["letter"] == 1 and stats["channels"]["web"] == 5



def test_a_signed_in_reader_of_the_api_gets_no_cookie_and_keeps_their_idle_time(client, clock, login, make_user,
                                                                                 office_consultation):
    """A staff member's page reading the API: the session is neither renewed nor its idle time reset."""
    consultation, _comments = office_consultation
    make_user("moderator", email="mod@example.gov.cn")
    assert login("mod@example.gov.cn").status_code == 302
    assert "Set-Cookie" in client.get("/moderation").headers  # a page renews the session, as Flask does
    response = client.get(f"{API}/consultations/{consultation.id}")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers


def test_a_sections_lead_units_are_given_beside_its_responsible_units(client, clock, import_seed):
    """Seed 002 marks its lead units with * ("(带*为牵头单位,下同)"): ``responsible_units`` still lists every unit, as
    before, and ``lead_units`` those of them that lead, as the section page lists them under 牵头单位; a section whose
    units are marked none has none."""
    clock.set(shanghai(2023, 1, 10, 9, 0))
    consultation = import_seed("002", deadline=shanghai(2023, 2, 10, 23, 59))
    detail = get_json(client, f"{API}/consultations/{consultation.id}", schema="Consultation")

    def walk(sections):
        for section in sections:
            yield section
            yield from walk(section["children"])

    by_heading = {s["heading"]: s for s in walk(detail["draft"]["sections"])}
    first = by_heading["做实基本养老服务"]
    assert first["responsible_units"] == ["市民政局", "市卫健委", "市财政局", "市残联", "各县<市、区>政府", "温州海经区管委会"]
    assert first["lead_units"] == ["市民政局", "市卫健委"]
    for section in by_heading.values():  # a part of its responsible units, in their order
        assert section["lead_units"] == [u for u in section["responsible_units"] if u in section["lead_units"]]


def test_a_section_naming_no_unit_gives_the_lead_units_of_the_parent_it_inherits_from(client, clock):
    """（一） names no unit: its responsible units are its parent's, and so are its lead units."""
    from portal.consultations.services import publish_consultation
    from portal.drafts.parser import parse_draft
    from portal.drafts.services import import_draft

    clock.set(shanghai(2023, 1, 10, 9, 0))
    text = ("关于养老服务的实施意见（征求意见稿）\n一、总体要求\n坚持以人为本。\n二、完善服务网络\n"
            "各区建设网络。（*市民政局、市财政局）\n（一）建设中心\n各区建设养老服务中心。\n")
    consultation = import_draft(parse_draft(text).to_dict(), text, "draft.txt")
    publish_consultation(consultation, None, shanghai(2023, 2, 10, 23, 59))
    db.session.commit()
    detail = get_json(client, f"{API}/consultations/{consultation.id}", schema="Consultation")
    network = detail["draft"]["sections"][1]
    (centre,) = network["children"]
    assert network["responsible_units"] == centre["responsible_units"] == ["市民政局", "市财政局"]
    assert network["lead_units"] == centre["lead_units"] == ["市民政局"]
    assert detail["draft"]["sections"][0]["lead_units"] == detail["draft"]["sections"][0]["responsible_units"] == []
