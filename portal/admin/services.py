"""Manage staff accounts and the directory of units. Recorded in the audit log; flushes, never commits."""
from __future__ import annotations

import json

from flask_babel import lazy_gettext as _l
from sqlalchemy import Text, cast, select

from portal.accounts.models import ROLES, User
from portal.accounts.services import AccountError, create_user
from portal.admin.directory_file import EMAIL, NAME_MAX, DirectoryRow
from portal.audit.services import record_action
from portal.core.flash import chinese_part
from portal.consultations.models import Consultation
from portal.drafts.models import Draft, Section, current_draft_ids
from portal.extensions import db
from portal.units.models import Unit, UnitAlias
from portal.units.services import find_unit, match_unit_names


class AdminError(ValueError):
    """A refused change; ``field`` names the form field, ``message`` is lazy (``_l``): the view flashes it as it is
    (translated on the page that shows it) or shows it at its field with ``shown_now``."""

    def __init__(self, field: str, message):
        super().__init__(message)
        self.field = field
        self.message = message


def add_staff(actor: User, email: str, name: str, password: str, role: str, unit: Unit | None) -> User:
    try:
        user = create_user(email, name, password, role, unit)
    except AccountError as error:
        raise AdminError(error.code, error.message) from error
    record_action(actor, "create_user", user, after={"email": user.email, "role": role,
                                                     "unit": unit.name if unit else None})
    return user


def update_staff(actor: User, user: User, name: str, role: str, unit: Unit | None, active: bool,
                 password: str = "") -> User:
    if role not in ROLES:
        raise AdminError("role", _l("请选择角色。"))
    if role == "office" and unit is None:
        raise AdminError("unit", _l("起草单位工作人员必须属于一个单位。"))
    if user.id == actor.id and (role != "admin" or not active):
        raise AdminError("role", _l("不能取消自己的管理员权限或停用自己的账号。"))
    if password and len(password) < 10:
        raise AdminError("password", _l("密码至少需要 10 个字符。"))
    before = {"name": user.name, "role": user.role, "unit_id": user.unit_id, "active": user.active}
    user.name, user.role, user.unit, user.active = name.strip() or user.name, role, unit, active
    if (before["role"], before["unit_id"], before["active"]) != (role, unit.id if unit else None, active):
        user.end_sessions()  # what the account may do changed: its sessions end (re-activated, none comes back)
    if password:
        user.set_password(password)
    db.session.flush()
    after = {"name": user.name, "role": user.role, "unit_id": user.unit_id, "active": user.active}
    if password:
        after["password"] = "changed"
    record_action(actor, "update_user", user, before=before, after=after)
    return user


def _check_names(unit: Unit | None, name: str, aliases: list[str]) -> None:
    for candidate in [name, *aliases]:
        other = find_unit(candidate)
        if other is not None and other is not unit:
            field = "name" if candidate == name else "aliases"
            raise AdminError(field, _l("「%(name)s」已经是单位「%(unit)s」的名称或别名。", name=chinese_part(candidate),
                                       unit=chinese_part(other.name)))


def save_unit(actor: User, unit: Unit | None, name: str, emails: list[str], parent: Unit | None,
              aliases: list[str], publication_review: bool | None = None) -> Unit:
    """Create (``unit`` None) or change a unit of the directory. ``publication_review``: whether its consultations
    need 审核发布 (None: as the nearest parent unit with a choice, else the deployment's PORTAL_PUBLICATION_REVIEW;
    the units that follow this one change with it, audited here only); audited with the rest."""
    name = name.strip()
    if not name:
        raise AdminError("name", _l("请填写单位名称。"))
    bad = [e for e in emails if not EMAIL.match(e)]
    if bad:
        raise AdminError("emails", _l("电子邮箱「%(email)s」的格式不对。", email=chinese_part(bad[0])))
    aliases = [a for a in dict.fromkeys(a.strip() for a in aliases) if a and a != name]
    if any(len(alias) > NAME_MAX for alias in aliases):
        raise AdminError("aliases", _l("别名太长（最多 %(max)d 个字）。", max=NAME_MAX))
    _check_names(unit, name, aliases)
    ancestor, seen = parent, set()
    while ancestor is not None and ancestor.id not in seen:  # seen: a loop stored before ends the walk
        if unit is not None and ancestor.id == unit.id:
            raise AdminError("parent", _l("上级单位不能是它自己或它的下级单位。"))
        seen.add(ancestor.id)
        ancestor = ancestor.parent
    before = None
    if unit is None:
        unit = Unit(name=name, emails=[])
        db.session.add(unit)
    else:
        stored = unit.emails  # as stored, even a row written by hand (one text, a number) that saving mends
        before = {"name": unit.name, "emails": list(stored) if isinstance(stored, (list, tuple)) else stored,
                  "parent_id": unit.parent_id,
                  "aliases": [a.alias for a in unit.aliases], "publication_review": unit.publication_review}
    unit.name, unit.emails, unit.parent = name, list(emails), parent
    unit.publication_review = publication_review
    unit.aliases = [next((a for a in unit.aliases if a.alias == alias), None) or UnitAlias(alias=alias)
                    for alias in aliases]
    db.session.flush()
    record_action(actor, "save_unit", unit, before=before,
                  after={"name": unit.name, "emails": unit.emails, "parent_id": unit.parent_id, "aliases": aliases,
                         "publication_review": unit.publication_review})
    return unit


def add_alias(actor: User, unit: Unit, alias: str) -> UnitAlias:
    """Resolve a name a draft used: it is another name of ``unit``."""
    alias = alias.strip()
    if not alias:
        raise AdminError("alias", _l("没有要添加的名称。"))
    _check_names(unit, unit.name, [alias])
    entry = UnitAlias(unit=unit, alias=alias)
    db.session.add(entry)
    db.session.flush()
    record_action(actor, "add_alias", unit, after={"alias": alias})
    return entry


def import_directory(actor: User, rows: list[DirectoryRow]) -> tuple[int, int]:
    """Create or update units by name; parents may name units in the file or in the directory.

    Everything is checked before anything changes: a file with one bad row changes nothing.
    Returns (created, updated).
    """
    names = {row.name for row in rows}
    for row in rows:
        if row.parent and row.parent not in names and find_unit(row.parent) is None:
            raise AdminError("file", _l("第%(line)d行：上级单位「%(parent)s」既不在文件中，也不在单位目录中。", line=row.line,
                                        parent=chinese_part(row.parent)))
        if row.parent == row.name:
            raise AdminError("file", _l("第%(line)d行：上级单位不能是它自己。", line=row.line))
        for alias in row.aliases:
            other = find_unit(alias)
            if other is not None and other.name != row.name:
                raise AdminError("file", _l("第%(line)d行：别名「%(alias)s」已经是单位「%(unit)s」的名称或别名。", line=row.line,
                                            alias=chinese_part(alias), unit=chinese_part(other.name)))
    _refuse_parent_loops(rows, names)
    created = updated = 0
    units: dict[str, Unit] = {}
    for row in rows:
        unit = db.session.scalar(select(Unit).where(Unit.name == row.name))
        if unit is None:
            unit = Unit(name=row.name, emails=[])
            db.session.add(unit)
            created += 1
        else:
            updated += 1
        if row.emails:
            unit.emails = list(row.emails)
        known = {a.alias for a in unit.aliases}
        unit.aliases.extend(UnitAlias(alias=a) for a in row.aliases if a not in known and a != row.name)
        units[row.name] = unit
    db.session.flush()
    for row in rows:
        if row.parent:
            units[row.name].parent = units.get(row.parent) or find_unit(row.parent)
    db.session.flush()
    record_action(actor, "import_units", actor, after={"created": created, "updated": updated})
    return created, updated


def _refuse_parent_loops(rows: list[DirectoryRow], names: set[str]) -> None:
    """Refuse a file after which a unit would be its own ancestor (甲局 under 乙局 and 乙局 under 甲局, in the file or
    with the directory as it stands): the units' tree would have no top."""
    parent_of = {unit.name: unit.parent.name if unit.parent else None for unit in db.session.scalars(select(Unit))}
    for row in rows:
        if row.parent:
            parent_of[row.name] = row.parent if row.parent in names else find_unit(row.parent).name
    for row in rows:
        ancestor, seen = parent_of.get(row.name), set()
        while ancestor is not None and ancestor not in seen:
            if ancestor == row.name:
                raise AdminError("file", _l("第%(line)d行：上级单位「%(parent)s」是「%(name)s」的下级单位，两个单位不能互为上级。",
                                            line=row.line, parent=chinese_part(row.parent),
                                            name=chinese_part(row.name)))
            seen.add(ancestor)
            ancestor = parent_of.get(ancestor)


def unmatched_unit_names() -> dict[str, list[Consultation]]:
    """Names of responsible units in the current drafts that the directory does not know, with where they occur.

    A thousand consultations hold some 60,000 sections, most naming units, few distinct lists of them: the database
    gives the distinct lists (as text), their names are matched in a few queries (``match_unit_names``), and only the
    consultations whose sections hold a list with an unknown name are read."""
    names_text = cast(Section.unit_names, Text)

    def current(*columns):  # the current drafts' sections that name a unit
        return (
            select(*columns).select_from(Section)
            .join(Draft, Section.draft_id == Draft.id)
            .where(Draft.id.in_(current_draft_ids()), names_text.not_in(["[]", "null"])).distinct()
        )

    lists = {text: json.loads(text) or [] for text in db.session.scalars(current(names_text))}
    _found, unmatched = match_unit_names(list(dict.fromkeys(name for names in lists.values() for name in names)))
    if not unmatched:
        return {}
    unknown = set(unmatched)
    wanted = [text for text, names in lists.items() if unknown.intersection(names)]
    where: dict[str, list[int]] = {name: [] for name in unmatched}
    for consultation_id, text in db.session.execute(
            current(Draft.consultation_id, names_text).where(names_text.in_(wanted)).order_by(Draft.consultation_id)):
        for name in lists[text]:
            if name in unknown and consultation_id not in where[name][-1:]:
                where[name].append(consultation_id)
    ids = {cid for found in where.values() for cid in found}
    consultations = {c.id: c for c in db.session.scalars(select(Consultation).where(Consultation.id.in_(ids)))}
    # newest first: the page shows the first few of each name's consultations, and counts the rest
    found = {name: [consultations[cid] for cid in reversed(where[name])] for name in unmatched}
    return dict(sorted(found.items()))
