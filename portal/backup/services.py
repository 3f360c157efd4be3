"""Back up and restore the database: SQLite with its online backup API, PostgreSQL with pg_dump/pg_restore.

SQLite's backup API copies the database page by page under its own locks, so a copy taken while the
portal runs is consistent (a snapshot at one moment), and a restore writes into the live file the same
way: workers that stay connected see the restored content at their next transaction.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL

SQLITE_PAGES_PER_STEP = 1024  # copy in steps, so that writers are not held up for the whole copy


class BackupError(RuntimeError):
    pass


@dataclass
class BackupSummary:
    path: Path
    comments: int
    tables: int


def sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("内存数据库无法备份。")
    return Path(url.database)


def backup_sqlite(database: Path, target: Path) -> BackupSummary:
    """Copy the live database into ``target`` (written next to it, then renamed: never half a file)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".partial")
    os.close(handle)
    try:
        source = sqlite3.connect(database)
        copy = sqlite3.connect(partial)
        try:
            with copy:
                source.backup(copy, pages=SQLITE_PAGES_PER_STEP)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            summary = _check(copy, target)
        finally:
            copy.close()
            source.close()
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return summary


def restore_sqlite(backup: Path, database: Path) -> BackupSummary:
    """Replace the content of the live database with the backup's (online: under SQLite's locks)."""
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        summary = _check(source, backup)
        live = sqlite3.connect(database, timeout=30)
        try:
            with live:
                source.backup(live, pages=SQLITE_PAGES_PER_STEP)
        finally:
            live.close()
    finally:
        source.close()
    return summary


def _check(connection: sqlite3.Connection, path: Path) -> BackupSummary:
    try:
        ok = connection.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} 不是可用的 SQLite 数据库：{error}") from error
    if ok != "ok":
        raise BackupError(f"{path} 已损坏：{ok}")
    if "alembic_version" not in tables or "comments" not in tables:
        raise BackupError(f"{path} 不是本平台的数据库备份。")
    comments = connection.execute("SELECT count(*) FROM comments").fetchone()[0]
    return BackupSummary(path, comments, len(tables))


# --- PostgreSQL ---------------------------------------------------------------------------------

def libpq_url(url: URL) -> str:
    """The URL pg_dump understands (no SQLAlchemy driver name, no ``options`` parameter)."""
    plain = url.set(drivername="postgresql", query={k: v for k, v in url.query.items() if k != "options"})
    return plain.render_as_string(hide_password=False)


def search_path_schema(url: URL) -> str | None:
    """The schema named by ``options=-csearch_path=…`` in the URL (the tests' own schemas), if any."""
    options = url.query.get("options")
    if isinstance(options, tuple):
        options = " ".join(options)
    for part in (options or "").split():
        if part.startswith("-csearch_path="):
            return part.split("=", 1)[1].split(",")[0]
    return None


def pg_dump_command(url: URL, target: Path) -> list[str]:
    command = ["pg_dump", "--format=custom", "--no-owner", f"--file={target}"]
    if schema := search_path_schema(url):
        command.append(f"--schema={schema}")
    return command + [f"--dbname={libpq_url(url)}"]


def pg_restore_command(url: URL, backup: Path) -> list[str]:
    return ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
            f"--dbname={libpq_url(url)}", str(backup)]


def run_tool(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"没有找到 {command[0]}（PostgreSQL 客户端工具）。请安装后运行：{shown(command)}")
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} 失败：{result.stderr.strip()[:2000]}")


def shown(command: list[str]) -> str:
    """The command as one shell line, with any password in the URL hidden."""
    return " ".join(shlex.quote(re.sub(r"(://[^:/@]+:)[^@]+@", r"\1***@", part)) for part in command)

