"""Responsible units' advice (处理建议) on answering a comment, and a unit's list of every comment it was sent.

A comment reaches the units the draft makes responsible for its section by mail (portal/routing). The drafting
office answers it, but often only after asking those units what they think, by phone or by mail. So each comment
mail to a unit carries a link of its own (signed: the comment, the address; valid ADVICE_MAX_AGE): there the unit
proposes an outcome and a reason, without an account, and may change it later from the same link. The office
sees each unit's advice beside the comment and takes it over with one press. Once the office has published its
answer, the link only shows it. A unit sent many comments also gets, in each mail, a link to the list of all of
them (本单位收到的意见: signed, the consultation and the address), each with its advice given or not and its own
advice link, so that it works through them in one place. A link forwarded to someone who should not have it is
stopped by renewing the unit's links (更换链接): every link mailed to its addresses before then is refused, and each
address is mailed a new list link. Services flush, never commit.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.comments.models import NOT_RECEIVED, Comment
from portal.core.time import now
from portal.core.web import secret_keys
from portal.extensions import db
from portal.responses.models import OUTCOMES, AdviceLinkRenewal, Response, UnitAdvice

SALT = "unit-advice"
ADVICE_MAX_AGE = 180 * 24 * 3600  # a consultation and the office's answers take months


def link_generation(consultation_id: int, recipient: str) -> int:
    """How many times the links of ``recipient`` for the consultation were renewed (更换链接): the generation the links
    made now carry, and the only one that opens."""
    return db.session.scalar(select(AdviceLinkRenewal.generation).where(
        AdviceLinkRenewal.consultation_id == consultation_id,
        AdviceLinkRenewal.recipient == str(recipient).lower())) or 0


def _payload(key: int, recipient: str, generation: int) -> list:
    return [key, recipient.lower()] + ([generation] if generation else [])  # links of generation 0 as before


def _loaded(token: str, salt: str) -> tuple[int, str, int] | None:
    """(comment or consultation id, address, generation) of a link; None when forged, expired or malformed."""
    try:
        key, recipient, *rest = URLSafeTimedSerializer(list(secret_keys()), salt=salt).loads(
            token, max_age=ADVICE_MAX_AGE)
    except (BadSignature, SignatureExpired, ValueError, TypeError):
        return None
    generation = rest[0] if rest else 0
    if not isinstance(key, int) or not isinstance(recipient, str) or not isinstance(generation, int) or len(rest) > 1:
        return None
    return key, recipient, generation


def _opened(token: str, salt: str, model, usable) -> tuple[object, str, int] | None:
    """The comment or consultation (``model``) a link ``token`` signed with ``salt`` opens, with its address and
    generation; None when forged, expired or malformed, when it is gone or not ``usable(it)``, or when the address's
    links were renewed since (更换链接)."""
    if (loaded := _loaded(token, salt)) is None:
        return None
    key, recipient, generation = loaded
    found = db.session.get(model, key)
    if found is None or not usable(found):
        return None
    consultation_id = found.consultation_id if isinstance(found, Comment) else found.id
    if generation != link_generation(consultation_id, recipient):
        return None
    return found, recipient, generation


def advice_token(comment: Comment, recipient: str, generation: int | None = None) -> str:
    """``generation``: the address's links' (link_generation), when the caller has it."""
    if generation is None:
        generation = link_generation(comment.consultation_id, recipient)
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT).dumps(_payload(comment.id, recipient, generation))


def advice_url(comment: Comment, recipient: str, base: str | None = None, generation: int | None = None) -> str:
    """The advice link of ``comment`` for the unit at ``recipient`` (its mail, its digest)."""
    from portal.mail.links import external_url

    return external_url("advice.advice", base=base, token=advice_token(comment, recipient, generation))


def units_reached(comment: Comment, address: str) -> list[str]:
    """The names of the units responsible for the comment's section that ``address`` (lower case) stands for; the
    consultation's contact is none of them (it answers in the portal itself)."""
    from portal.routing.services import route_section

    return [r.name for r in route_section(comment.consultation, comment.section).recipients
            if r.key != "contact" and address in (email.lower() for email in r.emails)]


@dataclass
class AdviceRequest:
    """What a valid link is for: the comment, the address it was mailed to and the units that address stands for."""

    comment: Comment
    recipient: str
    unit_names: list[str]
    advice: UnitAdvice | None  # given earlier from this link
    response: Response | None  # the office's answer, once published


def advice_request(token: str) -> AdviceRequest | None:
    """The request a link ``token`` makes; None when forged, expired, or the comment is gone or withdrawn, or the
    address is no longer one of the units responsible for its section."""
    if (opened := _opened(token, SALT, Comment, lambda comment: comment.status not in NOT_RECEIVED)) is None:
        return None
    comment, recipient, _generation = opened
    names = units_reached(comment, recipient)
    if not names:
        return None
    advice = db.session.scalar(select(UnitAdvice).where(UnitAdvice.comment_id == comment.id,
                                                        UnitAdvice.recipient == recipient))
    response = db.session.scalar(select(Response).where(Response.comment_id == comment.id,
                                                        Response.published_at.is_not(None)))
    return AdviceRequest(comment, recipient, names, advice, response)


def give_advice(request: AdviceRequest, outcome: str, reason: str, author_name: str) -> UnitAdvice:
    """Store the unit's advice (replacing its earlier one) and record it in the audit log."""
    from portal.audit.services import record_action

    if outcome not in OUTCOMES:
        raise ValueError(outcome)
    advice = request.advice
    before = _audit(advice) if advice else None
    if advice is None:
        advice = UnitAdvice(comment_id=request.comment.id, consultation_id=request.comment.consultation_id,
                            recipient=request.recipient, created_at=now())
        db.session.add(advice)
    advice.unit_names = request.unit_names
    advice.outcome, advice.reason, advice.author_name = outcome, reason.strip(), author_name.strip()
    advice.updated_at = now()
    db.session.flush()
    record_action(f"{'、'.join(request.unit_names)} <{request.recipient}>", "unit_advice", advice,
                  consultation_id=request.comment.consultation_id, before=before,
                  after=_audit(advice) | {"comment_id": request.comment.id})
    return advice


def _audit(advice: UnitAdvice) -> dict:
    return {"outcome": advice.outcome, "reason": advice.reason, "author_name": advice.author_name}


def advice_for(comment_ids) -> dict[int, list[UnitAdvice]]:
    """The units' advice on each of ``comment_ids``, oldest first; one query."""
    ids = list(comment_ids)
    found: dict[int, list[UnitAdvice]] = {}
    if ids:
        for advice in db.session.scalars(select(UnitAdvice).where(UnitAdvice.comment_id.in_(ids))
                                         .order_by(UnitAdvice.comment_id, UnitAdvice.created_at, UnitAdvice.id)):
            found.setdefault(advice.comment_id, []).append(advice)
    return found


def advice_link(comment: Comment, recipient: str, base: str | None = None) -> str | None:
    """The link for the comment's mail to ``recipient``, when that address is one of a responsible unit's (the
    consultation's contact answers in the portal itself); None otherwise."""
    address = recipient.lower()
    return advice_url(comment, address, base) if units_reached(comment, address) else None


LIST_SALT = "unit-comments"
LIST_PAGE = 100


def unit_list_url(consultation_id: int, recipient: str, base: str | None = None) -> str:
    """The link to every comment of consultation ``consultation_id`` sent to the unit at ``recipient``."""
    from portal.mail.links import external_url

    token = URLSafeTimedSerializer(current_app.secret_key, salt=LIST_SALT).dumps(
        _payload(consultation_id, recipient, link_generation(consultation_id, recipient)))
    return external_url("advice.unit_comments", base=base, token=token)


@dataclass
class UnitList:
    """What a valid list link is for: the consultation, the address, the units it stands for and their sections."""

    consultation: object
    recipient: str
    unit_names: list[str]
    section_ids: set[int]
    generation: int = 0  # of the address's links: the list's advice links are made in it


def unit_list_request(token: str) -> UnitList | None:
    """The list a link ``token`` opens; None when forged or expired, or when the address stands for no unit responsible
    for a section of the consultation's current draft any more."""
    from portal.consultations.models import Consultation

    opened = _opened(token, LIST_SALT, Consultation, lambda consultation: consultation.published_at is not None)
    if opened is None:
        return None
    consultation, recipient, generation = opened
    names: list[str] = []
    sections: set[int] = set()
    for unit, its_sections in units_of_sections(consultation):
        if recipient in (email.lower() for email in unit.emails):
            names.append(unit.name)
            sections |= its_sections
    if not sections:
        return None
    return UnitList(consultation, recipient, names, sections, generation)


def units_of_sections(consultation) -> list[tuple[object, set[int]]]:
    """Each responsible unit the routing sends the current draft's comments to (its Recipient), with the ids of the
    sections it is sent, in the draft's order; sections naming the same units are routed once."""
    from portal.routing.services import route_section
    from portal.units.services import UnitDirectory

    draft = consultation.current_draft
    units: dict[str, tuple[object, set[int]]] = {}
    routes: dict[tuple, list] = {}
    directory = None  # the units read once (two queries), not a query or more for each section's names
    for section in draft.sections if draft is not None else []:
        key = tuple(section.responsible_units)
        if key and key not in routes:
            directory = directory or UnitDirectory()
            routes[key] = [r for r in route_section(consultation, section, directory).recipients
                           if r.key != "contact"]
        for unit in routes.get(key, []):
            units.setdefault(unit.key, (unit, set()))[1].add(section.id)
    return list(units.values())


@dataclass
class UnitListRow:
    comment: Comment
    advice: UnitAdvice | None  # this address's
    answered: Response | None  # the office's published answer


@dataclass
class UnitListPage:
    rows: list[UnitListRow]
    total: int  # the comments sent to the unit
    advised: int  # those it gave advice on
    shown: int  # those the filter leaves
    page: int
    pages: int


def unit_list_page(request: UnitList, pending: bool = False, page: int = 1, letter: int | None = None) -> UnitListPage:
    """The comments received on the unit's sections, in the draft's order then oldest first, with the advice this
    address gave; ``pending``: only those still without its advice and without a published answer; ``letter``: only
    the copies of one form letter (同文意见, its key: its first comment's id)."""
    from sqlalchemy import and_, func

    from portal.comments.models import comment_received
    from portal.drafts.models import Section

    # the advice and the published answers of this consultation only (ix_unit_advice_consultation_comment, the
    # responses' consultation index), not every consultation's
    cid = request.consultation.id
    advised = select(UnitAdvice.comment_id).where(UnitAdvice.consultation_id == cid,
                                                  UnitAdvice.recipient == request.recipient)
    published = select(Response.comment_id).where(Response.consultation_id == cid, Response.published_at.is_not(None))
    where = and_(comment_received(cid), Comment.section_id.in_(request.section_ids))
    total = db.session.scalar(select(func.count()).select_from(Comment).where(where)) or 0
    given = db.session.scalar(select(func.count()).select_from(Comment)
                              .where(where, Comment.id.in_(advised))) or 0
    if pending:
        where = and_(where, Comment.id.not_in(advised), Comment.id.not_in(published))
    if letter is not None:
        where = and_(where, func.coalesce(Comment.form_letter_id, Comment.id) == letter)
    shown = db.session.scalar(select(func.count()).select_from(Comment).where(where)) or 0
    pages = max(1, -(-shown // LIST_PAGE))
    page = min(max(page, 1), pages)
    comments = db.session.scalars(
        select(Comment).join(Section, Section.id == Comment.section_id).where(where)
        .order_by(Section.position, Comment.created_at, Comment.id).offset((page - 1) * LIST_PAGE).limit(LIST_PAGE)
    ).all()
    ids = [c.id for c in comments]
    advice = {a.comment_id: a for a in db.session.scalars(
        select(UnitAdvice).where(UnitAdvice.comment_id.in_(ids), UnitAdvice.recipient == request.recipient))}
    answers = {r.comment_id: r for r in db.session.scalars(
        select(Response).where(Response.comment_id.in_(ids), Response.published_at.is_not(None)))}
    return UnitListPage([UnitListRow(c, advice.get(c.id), answers.get(c.id)) for c in comments], total, given, shown,
                        page, pages)


@dataclass
class UnitAdviceSummary:
    """For the office: one responsible unit, how many comments it was sent, how many it advised on, and when last."""

    name: str
    emails: list[str]
    comments: int
    advised: int
    last: object | None  # datetime of its latest advice
    answered: int = 0  # of those it did not advise on, the ones the office has answered (published): owed no more

    @property
    def pending(self) -> int:
        return self.comments - self.advised - self.answered


def advice_by_unit(consultation, counts=None) -> list[UnitAdviceSummary]:
    """Each responsible unit of the current draft (as the routing sends comments to it) with its advice so far, so
    that the office sees whom to ask again; units without comments left out. ``counts``: the consultation's
    filters.ListCounts, when the page counted them already."""
    from portal.comments.models import comment_received
    from portal.responses.filters import list_counts

    units = units_of_sections(consultation)
    if not units:
        return []
    counts = counts or list_counts(consultation, questions=False)
    # each address's advice, by section: (comment id, when, whether its answer is published); read once, not once a
    # unit. Answers published: the unit's advice is no longer asked for on these (counted from the section's
    # published answers, less those it advised on)
    advice: dict[tuple[str, int | None], list] = {}
    for row in db.session.execute(
            select(UnitAdvice.recipient, UnitAdvice.comment_id, UnitAdvice.updated_at, Comment.section_id,
                   Response.published_at.is_not(None))
            .join(Comment, Comment.id == UnitAdvice.comment_id)
            .outerjoin(Response, Response.comment_id == UnitAdvice.comment_id)
            .where(UnitAdvice.consultation_id == consultation.id, comment_received(consultation.id))):
        advice.setdefault((row[0], row[3]), []).append((row[1], row[2], bool(row[4])))
    summaries = []
    for recipient, sections in units:
        comments = sum(counts.sections.get(section_id, (0,))[0] for section_id in sections)
        if not comments:
            continue
        emails = {email.lower() for email in recipient.emails}
        mine = [item for email in emails for section_id in sections for item in advice.get((email, section_id), ())]
        advised = {comment_id for comment_id, _when, _published in mine}
        advised_published = {comment_id for comment_id, _when, published in mine if published}
        published = sum(counts.published_by_section.get(section_id, 0) for section_id in sections)
        summaries.append(UnitAdviceSummary(
            recipient.name, recipient.emails, comments, len(advised),
            max((when for _id, when, _published in mine), default=None), answered=published - len(advised_published)))
    return sorted(summaries, key=lambda s: (1 - s.pending / s.comments, -s.comments, s.name))


def remind_units(consultation, actor) -> tuple[int, int]:
    """Mail each responsible unit that has comments without its advice the link to its list of them (催办), at most
    once a day an address; audited. Returns (units reminded, units already reminded today)."""
    from portal.core.time import local
    from portal.audit.services import record_action
    from portal.mail.services import queue_message

    today = local(now()).date().isoformat()
    reminded = already = 0
    names = []
    for unit in advice_by_unit(consultation):
        waiting = unit.pending
        if waiting <= 0 or not unit.emails:
            continue
        sent_any = False
        for email in unit.emails:
            key = f"advice_reminder:{consultation.id}:{email.lower()}:{today}"[:200]
            try:
                # the outbox's unique key: reminded today already, or by another press at this moment
                with db.session.begin_nested():
                    queue_message("advice_reminder", email, "advice_reminder", "zh_CN",
                                  {"consultation": consultation, "unit_name": unit.name, "waiting": waiting,
                                   "total": unit.comments,
                                   "list_url": unit_list_url(consultation.id, email) + "?pending=1"},
                                  dedup_key=key, consultation_id=consultation.id)
            except IntegrityError:
                continue
            sent_any = True
        if sent_any:
            reminded += 1
            names.append(unit.name)
        else:
            already += 1
    if reminded:
        record_action(actor, "remind_units", consultation, consultation_id=consultation.id, after={"units": names})
    return reminded, already


def renew_unit_links(consultation, unit_name: str, actor) -> list[str]:
    """Refuse every advice and list link mailed to the addresses of the responsible unit ``unit_name`` until now (their
    generation counted up), and mail each address a new list link (更换链接); audited. Returns the addresses (none: no
    such unit of the current draft with an address)."""
    from portal.audit.services import record_action
    from portal.core.statements import insert_for
    from portal.mail.services import queue_message

    unit = next((unit for unit, _sections in units_of_sections(consultation) if unit.name == unit_name), None)
    addresses = sorted({email.lower() for email in unit.emails}) if unit is not None else []
    if not addresses:
        return []
    waiting = next((summary.pending for summary in advice_by_unit(consultation) if summary.name == unit_name), 0)
    renewed = now()
    table = AdviceLinkRenewal.__table__
    for address in addresses:
        upsert = insert_for(db.engine.dialect.name)(table).values(consultation_id=consultation.id, recipient=address,
                                                                  generation=1, renewed_at=renewed)
        db.session.execute(upsert.on_conflict_do_update(  # two presses at once: two generations, both refusing
            index_elements=["consultation_id", "recipient"],
            set_={"generation": table.c.generation + 1, "renewed_at": renewed}))
        queue_message("advice_reminder", address, "advice_reminder", "zh_CN",
                      {"consultation": consultation, "unit_name": unit.name, "renewed": True, "waiting": waiting,
                       "total": None, "list_url": unit_list_url(consultation.id, address)},
                      dedup_key=f"advice_links:{consultation.id}:{address}:{link_generation(consultation.id, address)}"[:200],
                      consultation_id=consultation.id)
    record_action(actor, "renew_advice_links", consultation, consultation_id=consultation.id,
                  after={"unit": unit.name, "addresses": addresses})
    return addresses


def advise_many(request: UnitList, comment_ids, outcome: str, reason: str, author_name: str) -> int:
    """The same advice on several comments of a unit's list at once (the copies of a form letter, say): each one
    it was sent and not yet answered publicly, replacing its earlier advice; each audited as one advice is. Returns
    how many were advised."""
    from portal.comments.models import comment_received

    ids = list(dict.fromkeys(comment_ids))[:LIST_PAGE]
    if not ids:
        return 0
    comments = db.session.scalars(
        select(Comment).where(Comment.id.in_(ids), comment_received(request.consultation.id),
                              Comment.section_id.in_(request.section_ids)).order_by(Comment.id)).all()
    published = set(db.session.scalars(select(Response.comment_id).where(
        Response.comment_id.in_(ids), Response.published_at.is_not(None))))
    earlier = {a.comment_id: a for a in db.session.scalars(select(UnitAdvice).where(
        UnitAdvice.comment_id.in_(ids), UnitAdvice.recipient == request.recipient))}
    names_of: dict[int, list[str]] = {}  # a section's units that the address stands for, found once
    done = 0
    for comment in comments:
        if comment.id in published:
            continue
        if comment.section_id not in names_of:
            names_of[comment.section_id] = units_reached(comment, request.recipient)
        if names_of[comment.section_id]:
            give_advice(AdviceRequest(comment, request.recipient, names_of[comment.section_id],
                                      earlier.get(comment.id), None), outcome, reason, author_name)
            done += 1
    return done
