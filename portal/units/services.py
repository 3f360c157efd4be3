"""Find units by the names drafts use: exact name, then an explicit alias, then a normalised form."""
from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select

from portal.extensions import db
from portal.units.models import Unit, UnitAlias

_SPACES = re.compile(r"\s+")


def normalise_unit_name(name: str) -> str:
    """NFKC, no spaces, no surrounding punctuation: "（市民政局）" and "市民政局 " are the same name."""
    text = unicodedata.normalize("NFKC", name)
    text = _SPACES.sub("", text)
    return text.strip("()（）[]【】,，、;；:：.。")


def find_unit(name: str) -> Unit | None:
    """The unit a name refers to, or None: exact name, explicit alias, then the normalised forms of both."""
    unit = db.session.scalar(select(Unit).where(Unit.name == name))
    if unit is not None:
        return unit
    alias = db.session.scalar(select(UnitAlias).where(UnitAlias.alias == name))
    if alias is not None:
        return alias.unit
    wanted = normalise_unit_name(name)
    for unit in db.session.scalars(select(Unit)):
        if normalise_unit_name(unit.name) == wanted:
            return unit
    for alias in db.session.scalars(select(UnitAlias)):
        if normalise_unit_name(alias.alias) == wanted:
            return alias.unit
    return None


def match_unit_names(names: list[str]) -> tuple[list[Unit], list[str]]:
    """Split names into the units found and the names left for an administrator to resolve.

    The same order of rules as ``find_unit``, in at most four queries whatever the number of names
    (routing calls this for every new comment).
    """
    if not names:
        return [], []
    by_name = {u.name: u for u in db.session.scalars(select(Unit).where(Unit.name.in_(names)))}
    by_alias: dict[str, Unit] = {}
    if missing := [n for n in names if n not in by_name]:
        aliases = db.session.execute(
            select(UnitAlias.alias, Unit).join(Unit, Unit.id == UnitAlias.unit_id).where(UnitAlias.alias.in_(missing))
        )
        by_alias = {alias: unit for alias, unit in aliases}
    by_normalised: dict[str, Unit] = {}
    if any(n not in by_name and n not in by_alias for n in names):
        for unit in db.session.scalars(select(Unit)):
            by_normalised.setdefault(normalise_unit_name(unit.name), unit)
        normalised_aliases: dict[str, Unit] = {}
        for alias, unit in db.session.execute(select(UnitAlias.alias, Unit).join(Unit, Unit.id == UnitAlias.unit_id)):
            normalised_aliases.setdefault(normalise_unit_name(alias), unit)
        for key, unit in normalised_aliases.items():
            by_normalised.setdefault(key, unit)
    return _split(names, by_name, by_alias, by_normalised)


def _split(names: list[str], by_name: dict, by_alias: dict, by_normalised: dict) -> tuple[list[Unit], list[str]]:
    found: list[Unit] = []
    unmatched: list[str] = []
    for name in names:
        unit = by_name.get(name) or by_alias.get(name) or by_normalised.get(normalise_unit_name(name))
        if unit is None:
            unmatched.append(name)
        elif unit not in found:
            found.append(unit)
    return found, unmatched


class UnitDirectory:
    """The units and their aliases read once (two queries), to match many lists of names in memory by the rules
    of ``match_unit_names`` (a page or a batch that matches the names of many sections)."""

    def __init__(self):
        units = list(db.session.scalars(select(Unit)))
        aliases = list(db.session.execute(select(UnitAlias.alias, Unit).join(Unit, Unit.id == UnitAlias.unit_id)))
        self.by_name = {u.name: u for u in units}
        self.by_alias = {alias: unit for alias, unit in aliases}
        self.by_normalised: dict[str, Unit] = {}
        for unit in units:
            self.by_normalised.setdefault(normalise_unit_name(unit.name), unit)
        for alias, unit in aliases:
            self.by_normalised.setdefault(normalise_unit_name(alias), unit)

    def match(self, names: list[str]) -> tuple[list[Unit], list[str]]:
        """As ``match_unit_names(names)``, without a query."""
        return _split(names, self.by_name, self.by_alias, self.by_normalised)
