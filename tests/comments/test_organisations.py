"""A comment made on behalf of an organisation (以单位名义): its name and kind kept, shown as its signature, screened as
the text is, and counted apart from people's."""
import pytest

from portal.comments.organisations import clean_organisation, kind_from_name, organisation_of, signed
from tests.comments.test_quotes import approve, section_url, stored
from tests.helpers import post_comment, receipt_from


# --- the name and kind, as a unit ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name, kind", [
    ("北京某某科技有限公司", "enterprise"),
    ("某某市养老服务行业协会", "association"),
    ("某某区工商业联合会（总商会）", "association"),
    ("某某市民政局", "public"),
    ("某某街道办事处", "public"),
    ("某某市第一人民医院", "public"),
    ("某某区政务服务中心", "public"),
    ("某某慈善基金会", "social"),
    ("某某社会工作服务中心", "social"),
    ("某某律师事务所", "enterprise"),
    ("金色晚霞合唱团", "other"),
])
def test_the_kind_is_told_from_the_name(name, kind):
    assert kind_from_name(name) == kind


def test_a_name_is_tidied_and_what_forms_write_around_it_left_out():
    assert clean_organisation("  某某 协会（盖章） ") == "某某 协会"
    assert clean_organisation("单位名称：某某公司") == "某某公司"
    assert clean_organisation(" 无 ") is None and clean_organisation("个人") is None and clean_organisation("") is None


def test_a_kind_chosen_is_kept_and_one_without_a_name_means_nothing():
    assert organisation_of("某某有限公司", "association") == ("某某有限公司", "association")  # the commenter knows best
    assert organisation_of("某某有限公司", "") == ("某某有限公司", "enterprise")
    assert organisation_of("某某有限公司", "nonsense") == ("某某有限公司", "enterprise")
    assert organisation_of("  ", "enterprise") == (None, None)


def test_a_documents_signature():
    assert signed("张三", "某某协会") == "某某协会（张三）"
    assert signed(None, "某某协会") == "某某协会"
    assert signed(None, None) == "匿名" and signed("李四", None) == "李四"


# --- through the comment form --------------------------------------------------------------------------------------

def test_an_organisations_comment_is_kept_and_signed_with_its_name_and_kind(app, client, open_003):
    section = open_003.current_draft.sections[0]
    url = section_url(open_003, section)
    form = client.get(url).get_data(as_text=True)
    assert 'name="organisation"' in form and 'name="organisation_kind"' in form
    assert "<summary>以单位名义提意见</summary>" in form  # folded away: most commenters speak for themselves
    number = receipt_from(post_comment(client, open_003, url, section_id=section.id, body="建议放宽准入条件。",
                                       author_name="张三", organisation=" 某某市养老服务行业协会（盖章） "))
    comment = stored()[0]
    assert (comment.organisation, comment.organisation_kind) == ("某某市养老服务行业协会", "association")

    approve(app, number)
    page = client.get(url).get_data(as_text=True)
    shown = page[page.index(f'id="comment-{comment.id}"'):]
    assert '<strong lang="zh-CN">某某市养老服务行业协会</strong>' in shown
    assert '（张三）</span> <span class="tag organisation">行业协会、商会</span>' in shown


def test_a_kind_chosen_is_kept_and_a_person_has_none(app, client, open_003):
    url = f"/consultations/{open_003.id}"
    receipt_from(post_comment(client, open_003, url, body="同意。", organisation="某某研究所", organisation_kind="other"))
    receipt_from(post_comment(client, open_003, url, body="同意。", organisation_kind="enterprise"))
    first, second = stored()
    assert (first.organisation, first.organisation_kind) == ("某某研究所", "other")
    assert (second.organisation, second.organisation_kind) == (None, None)


def test_a_wrong_kind_or_a_name_too_long_is_refused_in_plain_words(app, client, open_003):
    url = f"/consultations/{open_003.id}"
    page = post_comment(client, open_003, url, body="同意。", organisation="某某公司", organisation_kind="bank")
    assert page.status_code == 422  # the form again, with what is wrong
    text = page.get_data(as_text=True)
    assert "请从列表中选择单位类别，也可以不选。" in text
    assert '<details class="organisation-fields" open>' in text  # opened where the mistake is
    assert 'href="#organisation_kind"' in text  # the error summary leads to the field
    page = post_comment(client, open_003, url, body="同意。", organisation="某" * 101)
    assert "单位名称不能超过 100 个字。" in page.get_data(as_text=True)
    assert stored() == []


def test_an_organisations_name_is_screened_as_the_text_is(app, client, open_003):
    url = f"/consultations/{open_003.id}"
    receipt_from(post_comment(client, open_003, url, body="同意。", organisation="某某公司 电话13800138000"))
    comment = stored()[0]
    assert "personal" in comment.flag_list and comment.status == "pending"


# --- counted, reported and carried ---------------------------------------------------------------------------------

def test_the_closing_summary_names_people_and_organisations_apart():
    from datetime import date

    from portal.consultations.summary import CommentTally, count_commenters, write_closing_summary

    tally = CommentTally(comments=5, sections=2, people=2, organisations=2)
    assert write_closing_summary(date(2023, 5, 12), "社会各界", tally).startswith(
        "截止到5月12日，共收到社会各界反馈意见5条（2人、2个单位提出）")
    only = CommentTally(comments=2, sections=1, organisations=1)
    assert "反馈意见2条（1个单位提出）" in write_closing_summary(date(2023, 5, 12), "社会各界", only)
    # one organisation however its name is spaced; a person who also speaks for it counts as a person too
    assert count_commenters([("张三", None, "某某协会"), (None, None, "某某 协会"), ("张三", None, None),
                             (None, None, None)]) == (2, 1)


def test_organisations_are_counted_carried_to_the_digest_the_api_and_the_summary(app, client, clock, open_003,
                                                                                  tmp_path):
    import csv

    from portal.consultations.models import Consultation
    from portal.extensions import db
    from tests.helpers import shanghai

    url = f"/consultations/{open_003.id}"
    numbers = [receipt_from(post_comment(client, open_003, url, body=body, author_name=name, organisation=org,
                                         author_contact=contact))
               for body, name, org, contact in [
                   ("个人意见。", "张三", None, "13800138000"),
                   ("协会意见一。", "李四", "某某市养老服务行业协会", None),
                   ("协会意见二。", None, "某某市养老服务 行业协会", None),
                   ("企业意见。", None, "某某康养科技有限公司", None)]]
    approve(app, *numbers)

    page = client.get(f"{url}/statistics").get_data(as_text=True)
    assert "以单位名义提出的意见来自 2 个单位" in page
    table = page[page.index('id="stat-commenters-h"'):]
    assert '<th scope="row">个人</th><td class="number">1</td>' in table
    assert '<th scope="row">企业</th><td class="number">1</td>' in table
    assert '<th scope="row">行业协会、商会</th><td class="number">2</td>' in table
    assert "社会组织" not in table[table.index("<tbody>"):table.index("</table>")]  # kinds nobody spoke for are left out

    stats = client.get(f"/api/v1/consultations/{open_003.id}/statistics").get_json()
    assert stats["commenters"] == {"person": 1, "enterprise": 1, "association": 2, "social": 0, "public": 0, "other": 0}
    assert stats["organisations"] == 2
    comments = client.get(f"/api/v1/consultations/{open_003.id}/comments?order=oldest").get_json()["items"]
    assert comments[0]["organisation"] is None
    assert comments[3]["organisation"] == {"name": "某某康养科技有限公司", "kind": "enterprise"}

    out = tmp_path / "digest.csv"
    result = app.test_cli_runner().invoke(args=["digests", "build", str(open_003.id), "--format", "csv",
                                                "--output", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig", newline="")))
    assert [(r["提出人"], r["提出单位"], r["单位类别"]) for r in rows] == [
        ("张三", "", ""), ("李四", "某某市养老服务行业协会", "行业协会、商会"),
        ("", "某某市养老服务 行业协会", "行业协会、商会"), ("", "某某康养科技有限公司", "企业")]

    clock.set(shanghai(2023, 5, 13, 8, 0))
    assert app.test_cli_runner().invoke(args=["consultations", "close-due"]).exit_code == 0
    summary = db.session.get(Consultation, open_003.id).closing_summary
    assert "反馈意见4条（1人、2个单位提出）" in summary
    report = client.get(f"{url}/feedback").get_data(as_text=True)
    assert '<strong lang="zh-CN">某某康养科技有限公司</strong> <span class="tag organisation">企业</span>' in report


def test_the_office_narrows_its_list_to_people_or_organisations_and_the_digest_follows(app, client, login,
                                                                                      office_consultation):
    import csv
    import io

    from portal.extensions import db

    consultation, comments = office_consultation
    comments["goals"].organisation, comments["goals"].organisation_kind = "某某康养科技有限公司", "enterprise"
    comments["whole"].organisation, comments["whole"].organisation_kind = "某某市养老服务行业协会", "association"
    db.session.commit()
    login("office@example.gov.cn")
    url = f"/office/consultations/{consultation.id}/responses"

    def listed(**query):
        page = client.get(url, query_string=query).get_data(as_text=True)
        return {key for key, c in comments.items() if c.receipt_number in page and key != "spam"}

    assert listed(commenter="organisation") == {"goals", "whole"}
    assert listed(commenter="enterprise") == {"goals"}
    assert listed(commenter="person") == {"formula", "pending"}
    assert listed(commenter="nonsense") == {"goals", "formula", "whole", "pending"}  # ignored, never an error
    assert listed(q="行业协会") == {"whole"}  # the words filter reads the organisation's name
    page = client.get(url, query_string={"commenter": "association"}).get_data(as_text=True)
    assert '<option value="association" selected>单位：行业协会、商会</option>' in page
    rows = list(csv.reader(io.StringIO(client.get(f"/office/consultations/{consultation.id}/digest.csv",
                                                  query_string={"commenter": "organisation"}).data.decode("utf-8-sig"))))
    assert {row[rows[0].index("提出单位")] for row in rows[1:]} == {"某某康养科技有限公司", "某某市养老服务行业协会"}
    assert len(rows) == 3
    word = client.get(f"/office/consultations/{consultation.id}/digest.docx", query_string={"commenter": "person"})
    import docx

    text = "\n".join(p.text for p in docx.Document(io.BytesIO(word.data)).paragraphs)
    assert "本文件只含筛选出的意见（提出者：个人）" in text


def test_the_units_mail_says_on_whose_behalf(app, client, unit_open_003):
    from sqlalchemy import select

    from portal.extensions import db
    from portal.mail.models import OutboxMessage
    from tests.helpers import render_queued, route_new_comments

    consultation = unit_open_003
    section = next(s for s in consultation.current_draft.sections if s.unit_names)
    receipt_from(post_comment(client, consultation, section_url(consultation, section), section_id=section.id,
                              body="请修改。", author_name="张三", organisation="某某市养老服务行业协会"))
    route_new_comments()
    db.session.commit()
    messages = [m for m in db.session.scalars(select(OutboxMessage)) if m.kind == "comment"]
    assert messages
    for message in messages:
        render_queued(message)
        assert "署名：张三\n提出单位：某某市养老服务行业协会（行业协会、商会）\n" in message.body_text
        assert "<th align=\"left\">提出单位</th><td>某某市养老服务行业协会（行业协会、商会）</td>" in message.body_html
    english = messages[0]  # the same mail in English (a recipient who reads English)
    english.language, english.body_text = "en", None
    render_queued(english)
    assert "On behalf of: 某某市养老服务行业协会 (trade association or chamber of commerce)" in english.body_text


def test_search_finds_a_comment_by_its_organisation(app, client, open_003):
    url = f"/consultations/{open_003.id}"
    approve(app, receipt_from(post_comment(client, open_003, url, body="建议提高运营补贴。",
                                           organisation="某某康养科技有限公司")))
    result = app.test_cli_runner().invoke(args=["search", "work"])
    assert result.exit_code == 0, result.output
    page = client.get("/search", query_string={"q": "康养科技", "kind": "comment"}).get_data(as_text=True)
    assert "找到 1 条结果" in page and "<mark>康养科技</mark>" in page
