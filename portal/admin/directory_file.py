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
        aliases = [a.strip() for a in _NAMES.split(get(row, "aliases")) if a.strip()]
        rows.append(DirectoryRow(line, name, emails, get(row, "parent") or None, aliases))
    if errors:
        raise DirectoryFileError(errors)
    return rows
