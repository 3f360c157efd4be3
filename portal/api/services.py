"""The public API's data: what the public pages show, as plain dictionaries ready for JSON. Reads only.

Nothing here reads what the public pages never show: no commenter's contact, account, address hash, receipt
number, moderation flags or reasons, no unpublished consultation, no comment that is not approved, no
response before the office publishes it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import url_for
from sqlalchemy import func, select

from portal.consultations.questions import question_choices
from portal.comments.models import CHANNELS, Comment
from portal.comments.services import THREAD_ORDERS, comment_ordering, public_comment_counts
from portal.consultations.models import Consultation, published_consultations
from portal.consultations.services import closing_summary
from portal.core.time import rfc3339
from portal.drafts.models import DraftTable, Section
from portal.drafts.services import load_tree
from portal.extensions import db
from portal.reports.figures import agreed_comments, statistics_figures
from portal.reports.services import feedback_groups
from portal.responses.models import Response
from portal.reports.work_report import OUTCOMES

STATES = ("upcoming", "open", "closed")
COMMENT_ORDERS = THREAD_ORDERS
WHOLE_DRAFT = "whole"  # ?section=whole: the comments on the whole draft (anchors are s-1, appendix-1 …)


def moment(value: datetime | None) -> str | None:
    """RFC 3339 in Asia/Shanghai (+08:00), to the second, as the notices give their dates."""
    return rfc3339(value) if value is not None else None


def day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass
class Page:
    """One page of a list: its items, where it stands, and how many there are in all."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    def as_dict(self, endpoint: str, **values) -> dict:
        def link(page: int) -> str:
            return url_for(endpoint, page=page, per_page=self.per_page, _external=True, **values)

        return {
            "items": self.items,
            "page": self.page,
            "per_page": self.per_page,
            "total": self.total,
            "pages": self.pages,
            "links": {
                "self": link(self.page),
                "next": link(self.page + 1) if self.page < self.pages else None,
                # past the end, back to the last page that has items (page 98 of a list of one page is empty
                # too); none when the list is empty
                "prev": link(min(self.page - 1, self.pages)) if self.page > 1 and self.total else None,
            },
        }


# consultations


def consultation_summary(consultation: Consultation, comment_count: int | None) -> dict:
    """What the list of consultations shows of one."""
    return {
        "id": consultation.id,
        "title": consultation.title,
        "issuer": consultation.issuer,
        "state": consultation.state(),
        "notice_date": day(consultation.notice_date),
        "opens_at": moment(consultation.opens_at),
        "deadline": moment(consultation.deadline),
        "published_at": moment(consultation.published_at),
        "comments": consultation.comment_visibility,
        # approved comments, shown only where comments are public (the pages show none otherwise)
        "public_comment_count": comment_count if consultation.comments_public else None,
        "url": url_for("consultations.show", consultation_id=consultation.id, _external=True),
        "api_url": url_for("api.consultation", consultation_id=consultation.id, _external=True),
    }


def consultation_page(state: str | None, page: int, per_page: int) -> Page:
    """Published consultations, latest deadline first (as the public list), optionally of one state."""
    consultations = db.session.scalars(
        published_consultations().order_by(Consultation.deadline.desc(), Consultation.id.desc())
    ).all()
    # the state follows the clock (ConsultationState), not a column: filter here; there are tens of
    # consultations a year, not thousands
    if state is not None:
        consultations = [c for c in consultations if c.state() == state]
    chosen = consultations[(page - 1) * per_page: page * per_page]
    counts = _approved_counts([c.id for c in chosen])
    items = [consultation_summary(c, counts.get(c.id, 0)) for c in chosen]
    return Page(items, page, per_page, len(consultations))


def _approved_counts(consultation_ids: list[int]) -> dict[int, int]:
    if not consultation_ids:
        return {}
    rows = db.session.execute(
        select(Comment.consultation_id, func.count())
        .where(Comment.consultation_id.in_(consultation_ids), Comment.status == "approved")
        .group_by(Comment.consultation_id)
    )
    return dict(rows.all())


def consultation_detail(consultation: Consultation) -> dict:
    """The notice, the current draft's sections (nested, with their tables) and the closing summary."""
    draft = consultation.current_draft
    counts = public_comment_counts(consultation) if consultation.comments_public else {}
    detail = consultation_summary(consultation, sum(counts.values()))
    detail.update({
        "addressee": consultation.addressee,
        "terms": [{"term": t["term"], "explanation": t["explanation"]} for t in consultation.terms or []],
        "notice_text": consultation.notice_text,
        "explanatory_note": consultation.explanatory_note,
        "files": [
            {"title": f.title, "filename": f.filename, "content_type": f.content_type, "size": f.size,
             "url": url_for("consultations.published_file", consultation_id=consultation.id, file_id=f.id,
                            _external=True)}
            for f in consultation.files
        ],
        # the drafting office's own contact for opinions, as printed in the notice (never a commenter's)
        "contact": {
            "office": consultation.contact_office,
            "person": consultation.contact_person,
            "phones": list(consultation.contact_phones or []),
            "emails": list(consultation.contact_emails or []),
            "address": consultation.contact_address,
        },
        "extensions": [
            {"at": moment(e.at), "old_deadline": moment(e.old_deadline), "new_deadline": moment(e.new_deadline),
             "reason": e.reason}
            for e in consultation.extensions
        ],
        "closing_summary": closing_summary(consultation),
        "final_document": _final_document(consultation),
        "questions": list(consultation.questions or []),
        "question_choices": [question_choices(consultation.question_choices, n)
                             for n in range(1, len(consultation.questions or []) + 1)],
        # the numbers of the questions whose choices may be ticked several at once (可多选)
        "multiple_choice_questions": list(consultation.multiple_choice_questions or []),
        "meetings": [_meeting(consultation, m) for m in consultation.meetings],
        "rounds": _rounds(consultation),
        "whole_draft_comment_count": counts.get(None, 0) if consultation.comments_public else None,
        "draft": None,
        "links": {
            "comments": url_for("api.comments", consultation_id=consultation.id, _external=True)
            if consultation.comments_public else None,
            "feedback": url_for("api.feedback", consultation_id=consultation.id, _external=True),
            "statistics": url_for("api.statistics", consultation_id=consultation.id, _external=True),
        },
    })
    if draft is not None:
        sections = load_tree(draft)
        detail["draft"] = {
            "version": draft.version,
            "versions": [{"version": d.version, "created_at": moment(d.created_at), "change_note": d.change_note}
                         for d in consultation.drafts],
            "preamble": draft.preamble,
            "sections": [_section(s, consultation, counts) for s in sections if s.parent_id is None],
            # tables that belong to no section
            "tables": [_table(t) for t in draft.tables if t.section_id is None],
        }
    return detail


def _rounds(consultation: Consultation) -> dict:
    """再次征求意见: this consultation's round and the published ones before and after it."""
    from portal.consultations.rounds import round_links

    links = round_links(consultation)

    def reference(other: Consultation) -> dict:
        return {"id": other.id, "title": other.title, "deadline": moment(other.deadline),
                "url": url_for("consultations.show", consultation_id=other.id, _external=True),
                "api_url": url_for("api.consultation", consultation_id=other.id, _external=True)}

    return {"number": links.number, "earlier": [reference(c) for c in links.earlier],
            "later": [reference(c) for c in links.later],
            "changes_url": url_for("consultations.previous_round", consultation_id=consultation.id, _external=True)
            if links.previous is not None else None}


def _section(section: Section, consultation: Consultation, counts: dict) -> dict:
    return {
        **section_reference(section),
        "level": section.level,
        "kind": section.kind,
        "text": section.text,
        "key_points": section.key_points,  # the office's plain words on it (要点), not part of the draft
        "responsible_units": section.responsible_units,
        "lead_units": section.responsible_lead_units,  # those of them that lead (牵头单位), as the draft marks them
        "public_comment_count": counts.get(section.id, 0) if consultation.comments_public else None,
        "url": url_for("consultations.section", consultation_id=consultation.id, anchor=section.anchor,
                       _external=True),
        "tables": [_table(t) for t in section.tables],
        "children": [_section(child, consultation, counts) for child in section.children],
    }


def section_reference(section: Section | None) -> dict | None:
    if section is None:
        return None
    return {"anchor": section.anchor, "label": section.label, "heading": section.heading, "title": section.title}


def _table(table: DraftTable) -> dict:
    return {"title": table.title, "header": list(table.header or []), "rows": [list(r) for r in table.rows or []]}


# comments


def comment_page(consultation: Consultation, section: Section | None, whole_draft: bool, order: str, page: int,
                 per_page: int) -> Page:
    """Approved comments of a consultation whose comments are public (replies too, with ``parent_id``), on
    one section, on the whole draft or all of them, with the office's published response to each."""
    conditions = [Comment.consultation_id == consultation.id, Comment.status == "approved"]
    if section is not None:
        conditions.append(Comment.section_id == section.id)
    elif whole_draft:
        conditions.append(Comment.section_id.is_(None))
    total = db.session.scalar(select(func.count()).select_from(Comment).where(*conditions)) or 0
    comments = db.session.scalars(
        select(Comment).where(*conditions).order_by(*comment_ordering(order)).limit(per_page).offset((page - 1) * per_page)
    ).all()
    responses = _published_responses([c.id for c in comments])
    sections = _sections_of(comments)
    items = [_comment(c, consultation, sections.get(c.section_id), responses.get(c.id)) for c in comments]
    return Page(items, page, per_page, total)


def _published_responses(comment_ids: list[int]) -> dict[int, Response]:
    if not comment_ids:
        return {}
    responses = db.session.scalars(
        select(Response).where(Response.comment_id.in_(comment_ids), Response.published_at.is_not(None))
    )
    return {r.comment_id: r for r in responses}


def _sections_of(comments: list[Comment]) -> dict[int, Section]:
    ids = {c.section_id for c in comments if c.section_id is not None}
    if not ids:
        return {}
    return {s.id: s for s in db.session.scalars(select(Section).where(Section.id.in_(ids)))}


def _comment(comment: Comment, consultation: Consultation, section: Section | None, response: Response | None) -> dict:
    return {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "section": section_reference(section),
        "quote": comment.quote,  # the words of the draft it is about (引用原文), or None
        "proposal": comment.proposal,  # the wording it proposes instead, or to add (建议修改为), or None
        "body": comment.body,
        "stance": comment.stance,
        "channel": comment.channel,
        "author_name": comment.author_name,
        "question": comment.question,  # the number of the key question (重点问题) it answers, or None
        # on whose behalf it is made (以单位名义), or None
        "organisation": _organisation(comment.organisation, comment.organisation_kind),
        "language": comment.language,
        "created_at": moment(comment.created_at),
        "agreements": comment.agreement_count,  # how many readers agree with it (赞同): browsers or accounts, no vote
        # the comment's own page: it alone, with the form to answer it
        "url": url_for("comments.reply", consultation_id=consultation.id, comment_id=comment.id, _external=True),
        "response": response_dict(response),
    }


def _final_document(consultation: Consultation) -> dict | None:
    """The policy as finally issued (正式文件), or None."""
    final = consultation.issued_policy
    if final is None:
        return None
    return {"title": final.title, "document_number": final.document_number, "issued_on": final.issued_on.isoformat(),
            "note": final.note, "sections": [{**{key: part[key] for key in ("label", "heading", "text", "level")},
                                              "tables": part.get("tables") or []}  # none kept before tables were
                                             for part in final.sections],
            "url": url_for("consultations.final_document", consultation_id=consultation.id, _external=True)}


def _meeting(consultation: Consultation, meeting) -> dict:
    """A meeting held to hear the public (座谈会、听证会), as its public page shows it: never who signed up."""
    return {"kind": meeting.kind, "title": meeting.title, "starts_at": moment(meeting.starts_at),
            "ends_at": moment(meeting.ends_at) if meeting.ends_at else None, "place": meeting.place,
            "description": meeting.description, "seats": meeting.seats,
            "signup_until": moment(meeting.signup_until) if meeting.signup_until else None,
            "cancelled": meeting.is_cancelled, "cancel_reason": meeting.cancel_reason, "minutes": meeting.minutes,
            "url": url_for("meetings.show", consultation_id=consultation.id, meeting_id=meeting.id, _external=True)}


def _organisation(name: str | None, kind: str | None) -> dict | None:
    return {"name": name, "kind": kind or "other"} if name else None


def response_dict(response: Response | None) -> dict | None:
    if response is None or response.published_at is None:
        return None
    return {"outcome": response.outcome, "reason": response.reason, "published_at": moment(response.published_at)}


# the feedback report (意见采纳情况反馈)


def feedback(consultation: Consultation, whole_draft_heading: str, page: int = 1, per_page: int = 20) -> dict:
    """One page of the public feedback report of a closed consultation: section by section, the opinions the public
    may read (the approved ones; where comments are private, the office's paraphrase of those it answered
    publicly, or nothing) and the office's published responses; entries numbered through the whole report."""
    from portal.reports.services import feedback_plan

    plan = feedback_plan(consultation)  # once: its key reads the state of the answers
    total = len(plan)
    groups = [
        {
            "heading": group.heading,
            "entries": [
                {"number": e.number, "quote": e.quote, "proposal": e.proposal, "text": e.text, "author_name": e.author_name,
                 "organisation": _organisation(e.organisation, e.organisation_kind), "question": e.question,
                 "stance": e.stance, "reply": e.reply, "response": response_dict(e.response), "copies": e.copies,
                 "agreements": e.agreements}
                for e in group.entries
            ],
        }
        for group in feedback_groups(consultation, whole_draft_heading, offset=(page - 1) * per_page, limit=per_page,
                                     plan=plan)
    ]
    found = Page(groups, page, per_page, total).as_dict("api.feedback", consultation_id=consultation.id)
    found["groups"] = found.pop("items")
    return {
        "consultation": {"id": consultation.id, "title": consultation.title,
                         "url": url_for("reports.feedback", consultation_id=consultation.id, _external=True)},
        "closing_summary": closing_summary(consultation),
        **found,
    }


# the statistics page (意见统计)


def statistics(consultation: Consultation) -> dict:
    """What the statistics page charts: the opinions received (all but spam, moderated or not, as the closing
    summary counts them) per top-level section, per stance (replies apart), per way received and per day (Asia/Shanghai); the
    figures computed once until a comment changes (portal/reports/figures.py)."""
    figures = statistics_figures(consultation)
    sections = {section.id: section for section in consultation.current_draft.sections} \
        if consultation.current_draft else {}
    return {
        "consultation": {"id": consultation.id, "title": consultation.title,
                         "url": url_for("reports.statistics", consultation_id=consultation.id, _external=True)},
        "total": figures.total,
        "sections": [{"section": section_reference(sections.get(section_id)), "count": count}
                     for section_id, count in figures.per_section],
        "stances": figures.stances,  # opinions that are not replies
        "replies": figures.replies,  # replies: no stance of their own; with the stances, the total
        "proposals": figures.proposals,
        "commenters": figures.commenters,
        "organisations": figures.organisations,
        "questions": [{"number": number, "question": (consultation.questions or [])[number - 1], "count": count}
                      for number, count in figures.questions.items()],
        "channels": {channel: figures.channels.get(channel, 0) for channel in CHANNELS},
        "days": [{"date": day.isoformat(), "count": count} for day, count in figures.per_day],
        "quoted": [{"section": section_reference(sections[item.passage.section_id]), "text": item.passage.text,
                    "comments": item.comments} for item in figures.quoted],
        # the public comments most agreed with (赞同), and the agreements in all
        "agreements": figures.agreements,
        "agreed": [{"comment_id": c.id, "section": section_reference(c.section), "agreements": c.agreement_count,
                    "url": url_for("comments.reply", consultation_id=consultation.id, comment_id=c.id, _external=True)}
                   for c in agreed_comments(figures)],
        # readers' choices (表态), once the consultation has closed (as the statistics page)
        "choices": [{"number": r.number, "question": r.question, "total": r.total, "multiple": r.multiple,
                     "choices": [{"choice": choice, "count": count} for choice, count in r.counts]}
                    for r in figures.choices],
    }


def _report_totals(totals) -> dict:
    return {
        "consultations": totals.consultations, "closed": totals.closed,
        "average_days": round(totals.average_days, 1) if totals.average_days is not None else None,
        "short": totals.short, "extended": totals.extended, "received": totals.received, "offline": totals.offline,
        "organisations": totals.organisations, "without_comments": totals.without_comments,
        "closed_with_comments": totals.closed_with_comments, "with_feedback": totals.with_feedback,
        "overdue": totals.overdue, "issued": totals.issued, "outcomes": dict(totals.outcomes),
        "adoption_share": round(totals.adoption_share, 4) if totals.adoption_share is not None else None,
    }


def _report_line(line, at: datetime) -> dict:
    return {
        "id": line.id, "title": line.title, "issuer": line.issuer, "opens_at": moment(line.opens_at),
        "deadline": moment(line.deadline), "state": line.state, "days": line.days, "short": line.short,
        "extensions": line.extensions, "received": line.received, "offline": line.offline,
        "organisations": line.organisations, "outcomes": {outcome: line.outcomes.get(outcome, 0) for outcome in OUTCOMES},
        "feedback_published_at": moment(line.feedback_at), "feedback_days": line.feedback_days,
        "feedback_overdue": line.feedback_overdue(at), "issued_at": moment(line.issued_at),
        "url": url_for("consultations.show", consultation_id=line.id, _external=True),
        "api_url": url_for("api.consultation", consultation_id=line.id, _external=True),
    }


def work_report(report) -> dict:
    """The public work report (portal/reports/work_report.py) as the API gives it."""
    return {
        "period": {"year": report.period.year, "quarter": report.period.quarter,
                   "from": day(report.period.first_day), "until": day(report.period.end_day - timedelta(days=1))},
        "totals": _report_totals(report.totals),
        "groups": [{"issuer": group.name, "totals": _report_totals(group.totals),
                    "consultations": [_report_line(line, report.at) for line in group.lines]}
                   for group in report.groups],
    }
