"""Read the directory of units from a CSV or XLSX file. Pure: bytes in, rows or plain-language errors out.

The first row names the columns: 单位名称 (or 名称, name), 电子邮箱 (邮箱, emails), 上级单位 (parent),
别名 (aliases). Several e-mail addresses or aliases in one cell are separated by 、 ， ; or new lines.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

from portal.admin.directory_columns import COLUMNS
from portal.core.spreadsheets import UnreadableTable, read_numbered_table

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LIST = re.compile(r"[、，,；;\n\r]+|\s+")
_NAMES = re.compile(r"[、，,；;\n\r|]+")
NAME_MAX = 200  # the directory's names and aliases (units.name, unit_aliases.alias)


class DirectoryFileError(ValueError):
    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass
class DirectoryRow:
    line: int
    name: str
    emails: list[str] = field(default_factory=list)
    parent: str | None = None
    aliases: list[str] = field(default_factory=list)


def read_directory(data: bytes) -> list[DirectoryRow]:
    try:
        table = read_numbered_table(data)  # each row with its number in the file (blank rows counted)
    except UnreadableTable as error:
        raise DirectoryFileError(error.messages) from error
    header = [h.strip().lower() for h in table[0][1]]
    index: dict[str, int] = {}
    for key, names in COLUMNS.items():
        for position, title in enumerate(header):
            if title in names:
                index[key] = position
                break
    if "name" not in index:
        raise DirectoryFileError([_("第一行必须是列名，并且有“单位名称”一列（另可有“电子邮箱”“上级单位”“别名”）。")])
    rows: list[DirectoryRow] = []
    errors: list[str] = []
    seen: set[str] = set()

    def get(row: list[str], key: str) -> str:
        position = index.get(key)
        return row[position].strip() if position is not None and position < len(row) else ""

    for line, row in table[1:]:
        name = get(row, "name")
        if not name:
            errors.append(_("第%(line)d行：没有单位名称。", line=line))
            continue
        if name in seen:
            errors.append(_("第%(line)d行：单位「%(name)s」在文件中出现了两次。", line=line, name=name))
            continue
        seen.add(name)
        emails = [e for e in _LIST.split(get(row, "emails")) if e]
        bad = [e for e in emails if not EMAIL.match(e)]
        if bad:
            errors.append(_("第%(line)d行：电子邮箱「%(email)s」的格式不对。", line=line, email=bad[0]))
        if len(name) > NAME_MAX:
            errors.append(_("第%(line)d行：单位名称太长（最多 %(max)d 个字）。", line=line, max=NAME_MAX))
        aliases = [a.strip() for a in _NAMES.split(get(row, "aliases")) if a.strip()]
        if any(len(alias) > NAME_MAX for alias in aliases):
            errors.append(_("第%(line)d行：别名太长（最多 %(max)d 个字）。", line=line, max=NAME_MAX))
        rows.append(DirectoryRow(line, name, emails, get(row, "parent") or None, aliases))
    errors += _alias_clashes(rows)
    if not rows and not errors:  # the column names alone (was "导入完成：新增 0 个单位", as if something were done)
        errors.append(_("文件里没有单位：请在第一行的列名下面，每行写一个单位。"))
    if errors:
        raise DirectoryFileError(errors)
    return rows


def _alias_clashes(rows: list[DirectoryRow]) -> list[str]:
    """An alias stands for one unit: not given to two units of the file, nor the name of another unit in it."""
    names = {row.name for row in rows}
    owner: dict[str, str] = {}
    errors: list[str] = []
    for row in rows:
        for alias in row.aliases:
            if alias != row.name and alias in names:
                errors.append(_("第%(line)d行：别名「%(alias)s」在文件中是另一个单位的名称。", line=row.line, alias=alias))
            elif owner.setdefault(alias, row.name) != row.name:
                errors.append(_("第%(line)d行：别名「%(alias)s」在文件中已经是单位「%(unit)s」的别名。",
                                line=row.line, alias=alias, unit=owner[alias]))
    return errors
