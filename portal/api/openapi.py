"""The public API's description (OpenAPI 3.1), served at /api/v1/openapi.json and shown as the page /api/.

Its schemas name every field the API gives and forbid any other (``additionalProperties: false``): the tests
validate every answer against them, so a field added without being described here, say a commenter's contact,
fails them. Texts are lazy: the document is served in the reader's language.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.comments.models import CHANNELS
from portal.meetings.models import MEETING_KINDS
from portal.comments.organisations import ORGANISATION_KINDS
from portal.core.web import MAX_ID
from portal.reports.work_report import FIRST_YEAR, LAST_YEAR, OUTCOMES

VERSION = "1.0.0"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict) -> dict:
    if "$ref" in schema:
        return {"oneOf": [schema, {"type": "null"}]}
    return {**schema, "type": [schema["type"], "null"]}


def _object(properties: dict, description=None) -> dict:
    schema = {"type": "object", "required": list(properties), "properties": properties, "additionalProperties": False}
    if description is not None:
        schema["description"] = description
    return schema


def _count(description) -> dict:
    return {"type": "integer", "minimum": 0, "description": description}


def _text(description=None, **more) -> dict:
    return {"type": "string", **({"description": description} if description is not None else {}), **more}


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
MOMENT = _text(_l("ISO 8601 时间，北京时间（+08:00）"), format="date-time")
URL = _text(format="uri")
STANCE = {"type": "string", "enum": ["support", "oppose", "suggest"],
          "description": _l("态度：support 赞成，oppose 反对，suggest 建议")}
CHANNEL = {"type": "string", "enum": list(CHANNELS),
           "description": _l("收到方式：web 网上提交；email 电子邮件，letter 信函，fax 传真，phone 电话，in_person 当面提交，"
                             "meeting 座谈会等会议上提出（由起草单位录入）")}
OUTCOME = {"type": "string", "enum": ["adopted", "partly_adopted", "not_adopted", "explained"],
           "description": _l("答复：adopted 采纳，partly_adopted 部分采纳，not_adopted 不采纳，explained 情况说明")}

CONSULTATION_SUMMARY = {
    "id": INTEGER,
    "title": STRING,
    "issuer": _nullable(_text(_l("发布单位"))),
    "state": {"type": "string", "enum": ["upcoming", "open", "closed"],
              "description": _l("upcoming 尚未开始，open 正在征求意见，closed 已截止")},
    "notice_date": _nullable(_text(_l("发布日期"), format="date")),
    "opens_at": _nullable(MOMENT),
    "deadline": _nullable(MOMENT),
    "published_at": _nullable(MOMENT),
    "comments": {"type": "string", "enum": ["public", "private"],
                 "description": _l("public：意见公开显示；private：意见只提供给起草单位")},
    "public_comment_count": _nullable({"type": "integer", "description": _l("公开显示的意见数（意见不公开时为 null）")}),
    "url": URL,
    "api_url": URL,
}
SECTION_REFERENCE = {
    "anchor": _text(_l("章节在网址中的名称，如 s-1-2、appendix-1")),
    "label": _text(_l("编号，如“一、”“（二）”“第三条”")),
    "heading": STRING,
    "title": _text(_l("目录中显示的标题")),
}

SCHEMAS = {
    "Error": _object({
        "error": _object({
            "status": INTEGER,
            "code": _text(_l("出错原因的代码，如 not_found、bad_parameter、comments_not_public、too_many_requests")),
            "message": _text(_l("给人看的说明，用读者的语言")),
            "parameter": _nullable(_text(_l("出错的查询参数")))
        }),
    }),
    "Links": _object({"self": URL, "next": _nullable(URL), "prev": _nullable(URL)}),
    "ConsultationSummary": _object(CONSULTATION_SUMMARY),
    "ConsultationPage": _object({
        "items": {"type": "array", "items": _ref("ConsultationSummary")},
        "page": INTEGER, "per_page": INTEGER, "total": INTEGER, "pages": INTEGER, "links": _ref("Links"),
    }),
    "Table": _object({
        "title": _nullable(STRING),
        "header": {"type": "array", "items": STRING},
        "rows": {"type": "array", "items": {"type": "array", "items": STRING}},
    }),
    "SectionReference": _object(SECTION_REFERENCE),
    "Section": _object({
        **SECTION_REFERENCE,
        "level": INTEGER,
        "kind": {"type": "string", "enum": ["section", "appendix"]},
        "text": STRING,
        "key_points": _nullable(_text(_l("要点：起草单位对这一部分的通俗说明，不属于草案正文（没有时为 null）"))),
        "responsible_units": {"type": "array", "items": STRING, "description": _l("责任单位")},
        "lead_units": {"type": "array", "items": STRING, "description": _l(
            "责任单位中的牵头单位，按草案的标注（如“*市民政局”“市民政局（牵头）”）；其余为配合单位。草案没有标明牵头单位时为空")},
        "public_comment_count": _nullable(INTEGER),
        "url": URL,
        "tables": {"type": "array", "items": _ref("Table")},
        "children": {"type": "array", "items": _ref("Section")},
    }),
    "Consultation": _object({
        **CONSULTATION_SUMMARY,
        "addressee": _nullable(STRING),
        "terms": {"type": "array", "description": _l("术语解释：起草单位对草案中专业词语的通俗解释"),
                  "items": _object({"term": STRING, "explanation": STRING})},
        "notice_text": _text(_l("通知正文")),
        "explanatory_note": _nullable(_text(_l("起草说明（没有时为 null）"))),
        "files": {"type": "array", "description": _l("和草案一起公布的相关文件"), "items": _object({
            "title": STRING, "filename": STRING, "content_type": STRING, "size": INTEGER, "url": URL,
        })},
        "contact": _object({
            "office": _nullable(STRING), "person": _nullable(STRING),
            "phones": {"type": "array", "items": STRING}, "emails": {"type": "array", "items": STRING},
            "address": _nullable(STRING),
        }, _l("起草单位接收意见的联系方式（通知中公布的）")),
        "extensions": {"type": "array", "description": _l("延长截止时间的记录"), "items": _object({
            "at": MOMENT, "old_deadline": MOMENT, "new_deadline": MOMENT, "reason": STRING,
        })},
        "closing_summary": _nullable(_text(_l("截止后的意见情况说明"))),
        "questions": {"type": "array", "items": STRING, "description": _l("起草单位希望重点听取意见的问题（重点问题），按编号顺序")},
        "question_choices": {"type": "array", "description": _l("每个重点问题给出的选项（选择题），和 questions 一一对应；没有选项为 null"),
                             "items": {"type": ["array", "null"], "items": STRING}},
        "multiple_choice_questions": {"type": "array", "items": {"type": "integer", "minimum": 1}, "description": _l(
            "选项可以多选的重点问题的编号（1 为第一个）")},
        "final_document": _nullable(_object({
            "title": STRING,
            "document_number": _nullable(_text(_l("文号（没有时为 null）"))),
            "issued_on": {"type": "string", "format": "date", "description": _l("印发日期")},
            "note": _nullable(_text(_l("起草单位对吸收采纳意见情况的说明（没有时为 null）"))),
            "sections": {"type": "array", "description": _l("正式文件的各部分，按顺序"), "items": _object({
                "label": STRING, "heading": STRING, "text": STRING, "level": INTEGER,
                "tables": {"type": "array", "items": _ref("Table")}})},
            "url": URL,
        }, _l("征求意见后正式印发的文件（还没有公布时为 null）"))),
        "meetings": {"type": "array", "description": _l("听取意见的座谈会、听证会、论证会，按时间顺序"), "items": _object({
            "kind": {"type": "string", "enum": list(MEETING_KINDS),
                     "description": _l("会议形式：symposium 座谈会，hearing 听证会，panel 论证会")},
            "title": STRING, "starts_at": MOMENT, "ends_at": _nullable(MOMENT), "place": STRING,
            "description": _nullable(STRING),
            "seats": _nullable({"type": "integer", "description": _l("公开报名的名额（不接受报名时为 null）")}),
            "signup_until": _nullable(MOMENT), "cancelled": {"type": "boolean"},
            "cancel_reason": _nullable(STRING),
            "minutes": _nullable(_text(_l("会后公布的会议情况（还没有公布时为 null）"))),
            "url": URL,
        })},
        "rounds": _object({
            "number": {"type": "integer", "minimum": 1, "description": _l("就这份草案第几次征求意见（1 为第一次）")},
            "earlier": {"type": "array", "description": _l("之前各次征求意见，第一次在前"), "items": _ref("RoundReference")},
            "later": {"type": "array", "description": _l("修改后再次征求意见的"), "items": _ref("RoundReference")},
            "changes_url": _nullable(_text(_l("与上一次的征求意见稿相比修改了什么（第一次为 null）"), format="uri")),
        }, _l("再次征求意见：同一份草案的各次征求意见")),
        "whole_draft_comment_count": _nullable(INTEGER),
        "draft": _nullable(_object({
            "version": INTEGER,
            "versions": {"type": "array", "items": _object({
                "version": INTEGER, "created_at": MOMENT, "change_note": _nullable(STRING),
            })},
            "preamble": STRING,
            "sections": {"type": "array", "items": _ref("Section")},
            "tables": {"type": "array", "items": _ref("Table")},
        })),
        "links": _object({"comments": _nullable(URL), "feedback": URL, "statistics": URL}),
    }),
    "RoundReference": _object({"id": INTEGER, "title": STRING, "deadline": _nullable(MOMENT), "url": URL,
                               "api_url": URL}),
    "Response": _object({
        "outcome": OUTCOME,
        "reason": STRING,
        "published_at": MOMENT,
    }, _l("起草单位公布的答复")),
    "Organisation": _object({
        "name": STRING,
        "kind": {"type": "string", "enum": list(ORGANISATION_KINDS), "description": _l(
            "单位类别：企业 enterprise、行业协会商会 association、社会组织 social、机关事业单位 public、其他 other")},
    }, _l("以单位名义提出的意见：单位名称和类别（个人提出的为 null）")),
    "Comment": _object({
        "id": INTEGER,
        "parent_id": _nullable({"type": "integer", "description": _l("所回复的意见")}),
        "section": _nullable(_ref("SectionReference")),
        "quote": _nullable(_text(_l("意见针对的草案原文（引用原文；没有引用为 null）"))),
        "proposal": _nullable(_text(_l("意见建议的修改文字：替换所引用的原文，没有引用原文的为建议增加的文字（没有为 null）"))),
        "body": STRING,
        "stance": STANCE,
        "channel": CHANNEL,
        "author_name": _nullable(_text(_l("署名（未署名为 null）"))),
        "organisation": _nullable(_ref("Organisation")),
        "question": _nullable({"type": "integer", "minimum": 1, "description": _l(
            "意见针对的重点问题的编号（对应征求意见的 questions，1 为第一个；没有选择为 null）")}),
        "language": STRING,
        "created_at": MOMENT,
        "agreements": {"type": "integer", "minimum": 0, "description": _l(
            "赞同这条意见的人数（每个浏览器或账号计一次，不是投票）")},
        "url": URL,
        "response": _nullable(_ref("Response")),
    }),
    "CommentPage": _object({
        "consultation": _object({"id": INTEGER, "title": STRING, "url": URL}),
        "section": _nullable(_ref("SectionReference")),
        "items": {"type": "array", "items": _ref("Comment")},
        "page": INTEGER, "per_page": INTEGER, "total": INTEGER, "pages": INTEGER, "links": _ref("Links"),
    }),
    "Feedback": _object({
        "consultation": _object({"id": INTEGER, "title": STRING, "url": URL}),
        "closing_summary": _nullable(STRING),
        "groups": {"type": "array", "items": _object({
            "heading": STRING,
            "entries": {"type": "array", "items": _object({
                "number": INTEGER,
                "quote": _nullable(_text(_l("意见针对的草案原文（引用原文；没有引用或意见不公开时为 null）"))),
                "proposal": _nullable(_text(_l("意见建议的修改文字（没有或意见不公开时为 null）"))),
                "text": _nullable(_text(_l("意见原文；意见不公开时为起草单位的概括，或 null"))),
                "author_name": _nullable(STRING),
                "organisation": _nullable(_ref("Organisation")),
                "question": _nullable({"type": "integer", "minimum": 1, "description": _l("意见针对的重点问题的编号")}),
                "stance": STANCE,
                "reply": {"type": "boolean", "description": _l("是对别人意见的回复：回复不分态度，stance 不作数")},
                "response": _nullable(_ref("Response")),
                "copies": {"type": "integer", "minimum": 0, "description": _l(
                    "同一份同文意见在同一部分、答复相同的其他份数（不再逐一列出）")},
                "agreements": {"type": "integer", "minimum": 0, "description": _l(
                    "赞同这条意见的读者数（意见不公开时为 0）")},
            })},
        })},
        "page": INTEGER, "per_page": INTEGER, "total": INTEGER, "pages": INTEGER, "links": _ref("Links"),
    }),
    "Statistics": _object({
        "consultation": _object({"id": INTEGER, "title": STRING, "url": URL}),
        "total": {"type": "integer", "description": _l("收到的意见数（不含垃圾信息，含待审核的）")},
        "sections": {"type": "array", "description": _l("各部分收到的意见数（含其下各级章节）；section 为 null：对草案整体的意见"),
                     "items": _object({"section": _nullable(_ref("SectionReference")), "count": INTEGER})},
        "stances": _object({"support": INTEGER, "oppose": INTEGER, "suggest": INTEGER},
                           _l("不是回复的意见中，赞成、反对、建议的各有多少条")),
        "replies": {"type": "integer", "minimum": 0, "description": _l(
            "对别人意见的回复数（回复不分态度，不计入 stances；stances 各项加上 replies 等于 total）")},
        "proposals": {"type": "integer", "minimum": 0, "description": _l("写出了建议修改的文字（建议修改为）的意见数")},
        "commenters": _object({who: INTEGER for who in ("person", *ORGANISATION_KINDS)}, _l(
            "个人（person）和以各类单位名义（企业 enterprise、行业协会商会 association、社会组织 social、机关事业单位 public、"
            "其他 other）提出的意见数")),
        "organisations": {"type": "integer", "minimum": 0, "description": _l("以单位名义提出意见的单位数")},
        "questions": {"type": "array", "description": _l("针对起草单位列出的每个重点问题的意见数"),
                      "items": _object({"number": INTEGER, "question": STRING, "count": INTEGER})},
        "channels": _object({channel: INTEGER for channel in CHANNELS}, _l("各种方式收到的意见数")),
        "days": {"type": "array", "description": _l("每天收到的意见数（北京时间）"),
                 "items": _object({"date": {"type": "string", "format": "date"}, "count": INTEGER})},
        "quoted": {"type": "array",
                   "description": _l("意见引用最多的草案原文（按句统计，最多 10 句）：所在章节、原文、引用它的意见数"),
                   "items": _object({"section": _ref("SectionReference"), "text": STRING, "comments": INTEGER})},
        "agreements": {"type": "integer", "minimum": 0, "description": _l("读者对公开意见点“赞同”的总次数")},
        "agreed": {"type": "array", "description": _l("赞同的人最多的公开意见（最多 10 条；意见不公开时为空）"),
                   "items": _object({"comment_id": INTEGER, "section": _nullable(_ref("SectionReference")),
                                     "agreements": INTEGER, "url": URL})},
        "choices": {"type": "array", "description": _l("读者对重点问题选项的直接选择（表态），截止后公布（截止前为空）"),
                    "items": _object({"number": INTEGER, "question": STRING, "total": INTEGER, "multiple": {
                        "type": "boolean", "description": _l("可多选：total 是表态的人数，各选项人数相加可能更多")},
                                      "choices": {"type": "array", "items": _object({"choice": STRING,
                                                                                      "count": INTEGER})}})},
    }),
    "Index": _object({
        "name": STRING, "version": STRING, "documentation": URL, "openapi": URL, "consultations": URL, "report": URL,
    }),
    "ReportTotals": _object({
        "consultations": _count(_l("截止日期在这段时间内的征求意见次数")),
        "closed": _count(_l("其中已截止的次数")),
        "average_days": _nullable({"type": "number", "description": _l("征求意见时间的平均天数")}),
        "short": _count(_l("征求意见时间少于30天的次数")),
        "extended": _count(_l("延长了截止时间的次数")),
        "received": _count(_l("收到的意见数（不含垃圾信息和撤回的意见）")),
        "offline": _count(_l("其中通过信函、电子邮件、座谈会等其他方式收到的")),
        "organisations": _count(_l("其中以单位名义提出的")),
        "without_comments": _count(_l("已截止而没有收到意见的次数")),
        "closed_with_comments": _count(_l("已截止并收到意见的次数")),
        "with_feedback": _count(_l("其中已公布意见采纳情况的次数")),
        "overdue": _count(_l("其中截止已超过30天仍未公布采纳情况的次数")),
        "issued": _count(_l("已发布正式文件的次数")),
        "outcomes": _ref("Outcomes"),
        "adoption_share": _nullable({"type": "number", "description": _l(
            "采纳和部分采纳的意见占采纳、部分采纳和不采纳的意见之和的比例（0 到 1；情况说明不计入；没有时为 null）")}),
    }),
    "Outcomes": _object({outcome: INTEGER for outcome in OUTCOMES},
                        _l("已公布的答复，按结果计：adopted 采纳，partly_adopted 部分采纳，not_adopted 不采纳，explained 情况说明")),
    "ReportLine": _object({
        "id": INTEGER, "title": STRING, "issuer": _nullable(STRING),
        "opens_at": MOMENT, "deadline": MOMENT,
        "state": {"type": "string", "enum": ["upcoming", "open", "closed"]},
        "days": _count(_l("从开始之日到截止之日的天数")),
        "short": {"type": "boolean", "description": _l("征求意见时间少于30天")},
        "extensions": _count(_l("延长截止时间的次数")),
        "received": INTEGER, "offline": INTEGER, "organisations": INTEGER,
        "outcomes": _ref("Outcomes"),
        "feedback_published_at": _nullable(MOMENT),
        "feedback_days": _nullable(_count(_l("截止之日到首次公布答复之日的天数"))),
        "feedback_overdue": {"type": "boolean", "description": _l("截止已超过30天，收到了意见而没有公布答复")},
        "issued_at": _nullable(MOMENT),
        "url": URL, "api_url": URL,
    }),
    "Report": _object({
        "period": _object({"year": INTEGER, "quarter": _nullable(INTEGER),
                           "from": _text(_l("第一天"), format="date"), "until": _text(_l("最后一天"), format="date")}),
        "totals": _ref("ReportTotals"),
        "groups": {"type": "array", "description": _l("按发布单位分组；issuer 为 null 的是通知没有注明发布单位的"),
                   "items": _object({"issuer": _nullable(STRING), "totals": _ref("ReportTotals"),
                                     "consultations": {"type": "array", "items": _ref("ReportLine")}})},
    }),
}


def _parameter(name: str, description, schema: dict, where: str = "query", required: bool = False) -> dict:
    parameter = {"name": name, "in": where, "required": required, "description": description, "schema": schema}
    if where == "query":
        parameter["allowEmptyValue"] = True  # "?state=" is taken as no state given, as an HTML form sends it
    return parameter


PAGE = _parameter("page", _l("第几页，从 1 开始"), {"type": "integer", "minimum": 1, "maximum": MAX_ID, "default": 1})
PER_PAGE = _parameter("per_page", _l("每页条数，1 到 100"), {"type": "integer", "minimum": 1, "maximum": 100, "default": 20})
CONSULTATION_ID = _parameter("consultation_id", _l("征求意见的编号"), {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                             "path", True)
# the portal refuses a NUL character anywhere in the address (400): a free text parameter can hold none
NO_NUL = {"type": "string", "pattern": "^[^\x00]*$"}
# any operation: messages and headings in English with ?lang=en (else the language cookie, else Accept-Language);
# a language the portal does not have falls back to Chinese, so any value is taken
LANG = _parameter("lang", _l("出错信息和说明的语言：zh_CN（默认）或 en；不填时按 Accept-Language"), NO_NUL)
CACHING = {
    "ETag": {"required": True, "description": _l("回答的版本；再次请求时放在 If-None-Match 中，未改变则答 304"),
             "schema": STRING},
    "Cache-Control": {"required": True, "schema": {"type": "string", "const": "public, max-age=60"}},
}


def _answers(schema: str, description, *errors: int) -> dict:
    answers = {
        "200": {"description": description, "headers": CACHING,
                "content": {"application/json": {"schema": _ref(schema)}}},
        "304": {"description": _l("未改变（请求的 If-None-Match 中有这个回答的 ETag），没有正文"), "headers": CACHING},
    }
    error_descriptions = {
        400: _l("查询参数有误，或网址中有无法识别的字符"), 403: _l("这次征求意见的意见不公开"), 404: _l("不存在，或尚未发布"),
        412: _l("请求的 If-Match 中没有这个回答现在的 ETag"), 429: _l("请求太频繁，请稍后再试"),
    }
    # any address may be refused for a NUL character (400), a stale If-Match (412) or too many requests (429)
    for status in sorted({400, *errors, 412, 429}):
        answers[str(status)] = {"description": error_descriptions[status],
                                "content": {"application/json": {"schema": _ref("Error")}}}
    return answers


PATHS = {
    "/": {"get": {
        "operationId": "index", "summary": _l("接口入口"),
        "parameters": [LANG],
        "responses": _answers("Index", _l("各接口的地址")),
    }},
    "/consultations": {"get": {
        "operationId": "listConsultations", "summary": _l("已发布的征求意见"),
        "description": _l("按截止时间从晚到早排列；可按状态筛选。"),
        "parameters": [
            _parameter("state", _l("只列出某一状态的：upcoming、open 或 closed"),
                       {"type": "string", "enum": ["upcoming", "open", "closed"]}),
            PAGE, PER_PAGE, LANG,
        ],
        "responses": _answers("ConsultationPage", _l("一页征求意见")),
    }},
    "/consultations/{consultation_id}": {"get": {
        "operationId": "getConsultation", "summary": _l("一次征求意见：通知、草案各章节、截止后的情况说明"),
        "parameters": [CONSULTATION_ID, LANG],
        "responses": _answers("Consultation", _l("征求意见的全部公开内容"), 404),
    }},
    "/consultations/{consultation_id}/comments": {"get": {
        "operationId": "listComments", "summary": _l("公开显示的意见（含回复）"),
        "description": _l("只有审核通过、公开显示的意见，附起草单位已公布的答复；不含任何联系方式。"
                          "意见不公开的征求意见答 403。"),
        "parameters": [
            CONSULTATION_ID,
            _parameter("section", _l("只列出对某一章节的意见（章节的 anchor），或 whole：对草案整体的意见"),
                       NO_NUL),
            _parameter("order", _l("oldest：从早到晚（默认）；newest：从晚到早；agreed：赞同的人多的在前"),
                       {"type": "string", "enum": ["oldest", "newest", "agreed"], "default": "oldest"}),
            PAGE, PER_PAGE, LANG,
        ],
        "responses": _answers("CommentPage", _l("一页意见"), 403, 404),
    }},
    "/consultations/{consultation_id}/statistics": {"get": {
        "operationId": "getStatistics", "summary": _l("意见统计"),
        "description": _l("收到的意见数：按部分、按态度、按天，与网站上的统计页相同。"),
        "parameters": [CONSULTATION_ID, LANG],
        "responses": _answers("Statistics", _l("意见统计"), 404),
    }},
    "/report": {"get": {
        "operationId": "getReport", "summary": _l("征求意见情况统计"),
        "description": _l("截止日期在某一年（或某一季度，北京时间）内的每一次公开征求意见：收到的意见数、已公布答复的结果、"
                          "采纳情况公布的时间，按发布单位分组，与网站上的“征求意见情况统计”页相同。"),
        "parameters": [
            _parameter("year", _l("年份，默认今年"), {"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR}),
            _parameter("quarter", _l("季度 1 到 4；不填为全年"), {"type": "integer", "minimum": 1, "maximum": 4}),
            LANG,
        ],
        "responses": _answers("Report", _l("征求意见情况统计")),
    }},
    "/consultations/{consultation_id}/feedback": {"get": {
        "operationId": "getFeedback", "summary": _l("意见采纳情况反馈"),
        "description": _l("截止后公开的意见和起草单位的答复，按章节分组，分页（意见在整个报告中的序号不变）；截止前答 404。"),
        "parameters": [CONSULTATION_ID, PAGE, PER_PAGE, LANG],
        "responses": _answers("Feedback", _l("意见采纳情况反馈"), 404),
    }},
}


def document(server_url: str) -> dict:
    """The OpenAPI document, its texts in the current language (lazy strings become plain ones)."""
    return _plain({
        "openapi": "3.1.0",
        "info": {
            "title": _l("公开征求意见平台开放接口"),
            "version": VERSION,
            "description": _l("只读，无需登录，无需密钥。数据与网站上公开的内容一致：已发布的征求意见、草案、"
                              "公开显示的意见和已公布的答复，不含意见人的联系方式。每个地址每分钟可请求的次数有限。"),
        },
        "servers": [{"url": server_url}],
        "paths": PATHS,
        "components": {"schemas": SCHEMAS},
    })


def _plain(value):
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)  # a lazy string
