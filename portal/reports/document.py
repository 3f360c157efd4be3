"""The feedback report (意见采纳情况反馈) as a Word document in the layout of government documents (GB/T 9704): what
the office publishes on its own website and files with the policy, the same content as the public page. Pure:
no app context; the document's language is Chinese whatever the reader's."""
from __future__ import annotations

from dataclasses import dataclass

from portal.comments.organisations import signed
from portal.core.official_docx import (
    BODY_INDENT, HEADING_FONT, body_paragraph, centred_note, document_bytes, official_document, set_font, signature,
    new_paragraph, title_paragraph,
)
from portal.core.time import chinese_date
from portal.consultations.choices import choices_sentences
from portal.meetings.summary import meetings_sentence
from portal.core.xmltext import xml_text
from portal.drafts.document import file_stem
from portal.drafts.docx_numbering import chinese_number
from portal.reports.services import FeedbackGroup

WHOLE_DRAFT = "对草案整体的意见"  # the heading of the opinions on the whole draft
OUTCOME_NAMES = {"adopted": "采纳", "partly_adopted": "部分采纳", "not_adopted": "不采纳", "explained": "情况说明"}
STANCE_NAMES = {"support": "赞成", "oppose": "反对", "suggest": "建议"}


@dataclass
class ReportFacts:
    title: str
    issuer: str | None
    period: str  # 2023年4月20日至2023年5月12日
    summary: str  # the closing summary
    comments_public: bool
    dated: str  # the day the document is made, as documents write it
    questions: tuple[str, ...] = ()  # the key questions (重点问题), which entries name by number
    meetings: str | None = None  # the meetings held to hear the public (portal/meetings/summary.py)
    choices: tuple[str, ...] = ()  # how readers answered the key questions' choices (portal/consultations/choices.py)


def report_facts(consultation, summary: str, today) -> ReportFacts:
    opens = chinese_date(consultation.opens_at) if consultation.opens_at else ""
    deadline = chinese_date(consultation.deadline)
    return ReportFacts(title=consultation.title, issuer=consultation.issuer,
                       period=f"{opens}至{deadline}" if opens else deadline, summary=summary,
                       comments_public=consultation.comments_public, dated=chinese_date(today),
                       questions=tuple(consultation.questions or ()),
                       meetings=meetings_sentence(consultation, today),
                       choices=tuple(choices_sentences(consultation)))


def report_filename(consultation) -> str:
    return f"{file_stem(consultation)}（意见采纳情况反馈）.docx"


def report_title(title: str) -> str:
    return f"关于《{title}》公开征求意见采纳情况的反馈"


def feedback_document(facts: ReportFacts, groups: list[FeedbackGroup]) -> bytes:
    document = official_document()
    title_paragraph(document, report_title(facts.title))
    centred_note(document, f"征求意见时间：{facts.period}")
    if facts.summary:  # the closing summary, with how the opinions were answered once answers are published
        body_paragraph(document, facts.summary)
    if facts.meetings:
        body_paragraph(document, facts.meetings)
    for sentence in facts.choices:
        body_paragraph(document, sentence)
    if not groups:
        body_paragraph(document, "本次征求意见没有可公开的意见。")
    for number, group in enumerate(groups, start=1):
        heading = new_paragraph(document)
        heading.paragraph_format.first_line_indent = BODY_INDENT
        heading.paragraph_format.keep_with_next = True
        set_font(heading.add_run(xml_text(f"{chinese_number(number)}、关于“{group.heading}”")).font, HEADING_FONT, 16)
        for entry in group.entries:
            who = []
            if facts.comments_public:
                who.append(signed(entry.author_name, entry.organisation))
            who.append("回复" if entry.reply else STANCE_NAMES.get(entry.stance, entry.stance))
            quoted = f"针对问题{entry.question}“{facts.questions[entry.question - 1]}”，" if entry.question else ""
            quoted += f"针对“{entry.quote}”，" if entry.quote else ""
            if entry.proposal:
                quoted += f"{'建议修改为' if entry.quote else '建议增加或修改为'}“{entry.proposal}”，"
            copies = f"（同文意见，另有{entry.copies}份，答复相同）" if entry.copies else ""
            copies += f"（{entry.agreements}人赞同）" if entry.agreements else ""
            body_paragraph(document, f"（{'，'.join(who)}）{quoted}{entry.text or '（意见内容不公开）'}{copies}",
                           f"{entry.number}. 意见：", keep_with_next=True)
            if entry.response is not None:
                outcome = OUTCOME_NAMES.get(entry.response.outcome, "")
                body_paragraph(document, f"{outcome}。{entry.response.reason}", "答复：")
            else:
                body_paragraph(document, "起草单位尚未公布答复。", "答复：")
    signature(document, facts.issuer, facts.dated)
    return document_bytes(document)

