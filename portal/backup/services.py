"""Back up and restore the database: SQLite with its online backup API, PostgreSQL with pg_dump/pg_restore.

SQLite's backup API copies the database page by page under its own locks, so a copy taken while the
portal runs is consistent (a snapshot at one moment), and a restore writes into the live file the same
way: workers that stay connected see the restored content at their next transaction.

A restore first reads the backup's migration revision (alembic_version) and compares it with the migrations
of the code: a file that is no backup of the portal, or one at a revision the code does not know (made by a
newer version, or by something else), is refused before anything is touched. A backup of an older revision
is upgraded to the code's head before it replaces the live database (SQLite: a scratch copy is migrated,
then copied in; PostgreSQL: the restore and the migrations run in one transaction), so the database is
never left at a revision the code cannot serve, and a failure leaves it as it was.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import contextmanager
from copy import copy as shallow_copy
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool, StaticPool

SQLITE_PAGES_PER_STEP = 1024  # copy in steps, so that writers are not held up for the whole copy


class BackupError(RuntimeError):
    pass


@dataclass
class BackupSummary:
    path: Path
    comments: int
    tables: int


@dataclass
class Revisions:
    """The backup's migration revision and the code's head: ``upgrade`` when the backup is older."""
    found: str
    head: str

    @property
    def upgrade(self) -> bool:
        return self.found != self.head


@dataclass
class PostgresBackup:
    """What ``pg_restore -l`` and the backup's alembic_version say about a dump, checked against the installation."""
    path: Path
    schema: str  # the live schema, which the dump's tables are in
    creates_schema: bool  # the dump holds CREATE SCHEMA (made with --schema): not created again before it
    revisions: Revisions


def private_folder(folder: Path, own: bool = False) -> None:
    """Create ``folder`` (and missing parents) owner-only (0700); ``own``: the portal's own folder, made 0700 even
    when it exists (a backup holds every commenter's contact)."""
    missing = [parent for parent in [folder, *folder.parents] if not parent.exists()]
    for parent in reversed(missing):
        parent.mkdir(mode=0o700, exist_ok=True)
        os.chmod(parent, 0o700)  # mkdir's mode is cut by the umask
    if own:
        os.chmod(folder, 0o700)


def code_revisions():
    """The migrations known to the code (Alembic's ScriptDirectory of the app's Migrate configuration)."""
    from alembic.script import ScriptDirectory
    from flask import current_app

    return ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())


def check_revision(found: list[str], path: Path, script=None) -> Revisions:
    """Refuse a backup without a revision or at one the code does not know; say whether it needs upgrading."""
    script = script or code_revisions()
    heads = script.get_heads()
    head = ", ".join(heads)
    if not found:
        raise BackupError(f"{path} 不是本平台的数据库备份：其中没有迁移版本（alembic_version 为空）。数据库未作任何改动。")
    known = {revision.revision for revision in script.walk_revisions()}
    if len(found) != 1 or found[0] not in known or len(heads) != 1:
        raise BackupError(
            f"{path} 的数据库版本是 {', '.join(found)}，本安装的代码不认识这个版本（本安装的最新版本：{head}）："
            f"备份来自更新版本的平台或其他程序。请用生成该备份的平台版本恢复。数据库未作任何改动。")
    return Revisions(found[0], heads[0])


@contextmanager
def _migrations_on(engine: sa.Engine):
    """The app's Alembic configuration, its env.py pointed at ``engine`` instead of the app's engine."""
    from flask import current_app

    extensions = current_app.extensions
    original = extensions["migrate"]
    stand_in = shallow_copy(original)
    stand_in.db = SimpleNamespace(engine=engine, metadata=original.db.metadata, metadatas=original.db.metadatas)
    # the migrations in the restore's one transaction (env.py commits each on its own otherwise, on PostgreSQL)
    stand_in.configure_args = {**original.configure_args, "transaction_per_migration": False}
    extensions["migrate"] = stand_in
    try:
        yield original.migrate.get_config()
    finally:
        extensions["migrate"] = original


def upgrade_to_head(engine: sa.Engine, path: Path, revisions: Revisions) -> None:
    from alembic import command

    try:
        with _migrations_on(engine) as config:
            command.upgrade(config, "head")
    except Exception as error:  # any failure of a migration: nothing was replaced
        raise BackupError(f"把 {path} 从版本 {revisions.found} 升级到 {revisions.head} 失败，数据库未作任何改动："
                          f"{error.__class__.__name__}: {str(error).strip()[:1000]}") from error


def sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("内存数据库无法备份。")
    return Path(url.database)


def backup_sqlite(database: Path, target: Path) -> BackupSummary:
    """Copy the live database into ``target`` (written next to it, then renamed: never half a file; owner-only)."""
    private_folder(target.parent)
    handle, partial = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".partial")  # 0600
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
        os.chmod(partial, 0o600)
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return summary


def inspect_sqlite(backup: Path) -> Revisions:
    """The backup checked (a sound SQLite file of the portal, at a revision the code knows), nothing touched."""
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        _check(source, backup)
        return check_revision(_sqlite_revisions(source), backup)
    finally:
        source.close()


def restore_sqlite(backup: Path, database: Path) -> tuple[BackupSummary, Revisions]:
    """Replace the content of the live database with the backup's (online: under SQLite's locks). A backup of an
    older revision is copied to a scratch file beside the database and migrated there first: the live file is
    only ever replaced by a database at the code's head."""
    revisions = inspect_sqlite(backup)
    with tempfile.TemporaryDirectory(dir=database.parent, prefix=".restore-") as scratch:  # 0700
        source_path = backup
        if revisions.upgrade:
            source_path = Path(scratch) / "restore.db"
            _sqlite_copy(backup, source_path)
            engine = sa.create_engine(f"sqlite:///{source_path}", poolclass=NullPool)
            try:
                upgrade_to_head(engine, backup, revisions)
            finally:
                engine.dispose()
        source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
        try:
            summary = _check(source, backup)
            if _sqlite_revisions(source) != [revisions.head]:
                raise BackupError(f"{backup} 升级后不在版本 {revisions.head}：数据库未作任何改动。")
            live = sqlite3.connect(database, timeout=30)
            try:
                with live:
                    source.backup(live, pages=SQLITE_PAGES_PER_STEP)
            finally:
                live.close()
        finally:
            source.close()
    return summary, revisions


def _sqlite_copy(source_path: Path, target: Path) -> None:
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy, pages=SQLITE_PAGES_PER_STEP)
        copy.execute("PRAGMA journal_mode=DELETE")
    finally:
        copy.close()
        source.close()


def _sqlite_revisions(connection: sqlite3.Connection) -> list[str]:
    try:
        return sorted(row[0] for row in connection.execute("SELECT version_num FROM alembic_version"))
    except sqlite3.DatabaseError as error:
        raise BackupError(f"无法读出迁移版本（alembic_version）：{error}。数据库未作任何改动。") from error


def _check(connection: sqlite3.Connection, path: Path) -> BackupSummary:
    try:
        ok = connection.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} 不是可用的 SQLite 数据库：{error}") from error
    if ok != "ok":
        raise BackupError(f"{path} 已损坏：{ok}")
    if "alembic_version" not in tables or "comments" not in tables:
        raise BackupError(f"{path} 不是本平台的数据库备份（其中没有 alembic_version 和 comments 表）。数据库未作任何改动。")
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


def pg_dump_to(command: list[str], target: Path) -> None:
    """Run pg_dump into a file made owner-only (0600) beside ``target``, renamed when complete: never half a dump, and
    never a moment readable by others (a backup holds every commenter's contact)."""
    private_folder(target.parent)
    handle, partial = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".partial")  # 0600
    os.close(handle)
    try:
        run_tool([part if not part.startswith("--file=") else f"--file={partial}" for part in command])
        os.chmod(partial, 0o600)
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)


_TOC_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (?!DATA )(\S+) (\S+) ")


def inspect_postgres(url: URL, backup: Path) -> PostgresBackup:
    """Read the dump's table of contents and its alembic_version (``pg_restore -l``, ``pg_restore -a -t``) and
    check them against the live database: nothing is touched."""
    try:
        toc = run_tool(["pg_restore", "--list", str(backup)])
    except BackupError as error:
        raise BackupError(f"{backup} 不是 pg_dump 自定义格式的备份（backup create 生成的 .dump）：{error}") from error
    tables = {match.groups() for match in map(_TOC_TABLE.match, toc.splitlines()) if match}
    schema = live_schema(url)
    holding = {name: {s for s, table in tables if table == name} for name in ("alembic_version", "comments")}
    if schema not in holding["alembic_version"] or schema not in holding["comments"]:
        elsewhere = holding["alembic_version"] & holding["comments"]
        if elsewhere:
            raise BackupError(f"{backup} 是模式 {', '.join(sorted(elsewhere))} 的备份，本安装使用模式 {schema}：无法恢复。"
                              "数据库未作任何改动。")
        raise BackupError(f"{backup} 不是本平台的数据库备份（其中没有 alembic_version 和 comments 表）。数据库未作任何改动。")
    creates_schema = any(re.match(rf"^\d+; \d+ \d+ SCHEMA - {re.escape(schema)} ", line) for line in toc.splitlines())
    data = run_tool(["pg_restore", "--data-only", f"--schema={schema}", "--table=alembic_version", "--file=-",
                     str(backup)])
    return PostgresBackup(backup, schema, creates_schema, check_revision(_copied_rows(data, "alembic_version"), backup))


def _copied_rows(sql: str, table: str) -> list[str]:
    rows, inside = [], False
    for line in sql.splitlines():
        if inside:
            if line == "\\.":
                break
            rows.append(line)
        elif line.startswith("COPY ") and f".{table} " in line and line.endswith("FROM stdin;"):
            inside = True
    return sorted(rows)


def live_schema(url: URL) -> str:
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            schema = connection.scalar(sa.text("SELECT current_schema()"))
    finally:
        engine.dispose()
    if not schema:
        raise BackupError("数据库的 search_path 中没有已存在的模式：无法确定恢复到哪个模式。")
    return schema


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def restore_postgres(url: URL, dump: PostgresBackup) -> BackupSummary:
    """In ONE transaction: drop the live schema with everything in it (tables added by later migrations too),
    create it again, run the dump's SQL (``pg_restore -f -``), and migrate it to the code's head when it is older;
    committed only when all of it succeeded, so a failure leaves the live database untouched."""
    schema = dump.schema
    engine = sa.create_engine(url, poolclass=StaticPool, pool_reset_on_return=None)  # one connection, never reset
    try:
        with engine.connect() as connection:  # SQLAlchemy's first-connect work (and its rollback) done before ours
            raw = connection.connection.driver_connection
        with tempfile.NamedTemporaryFile("w", prefix="portal-restore-", suffix=".list") as listing:
            toc = run_tool(["pg_restore", "--list", str(dump.path)])
            listing.write("".join(line + "\n" for line in toc.splitlines()
                                  if not re.match(rf"^\d+; \d+ \d+ SCHEMA - {re.escape(schema)} ", line)))
            listing.flush()
            try:
                with raw.cursor() as cursor:
                    cursor.execute(f"DROP SCHEMA IF EXISTS {_quoted(schema)} CASCADE; CREATE SCHEMA {_quoted(schema)}")
                    _run_dump_sql(cursor, ["pg_restore", "--no-owner", f"--use-list={listing.name}", "--file=-",
                                           str(dump.path)])
                    cursor.execute("RESET ALL")  # the dump emptied search_path: back to the connection's own
                if dump.revisions.upgrade:
                    upgrade_to_head(engine, dump.path, dump.revisions)  # on this connection: it commits all
                raw.commit()
            except BaseException as error:
                raw.rollback()
                if isinstance(error, BackupError) and "未作任何改动" not in str(error):
                    raise BackupError(f"恢复 {dump.path} 失败，数据库未作任何改动：{error}") from error
                if isinstance(error, Exception) and not isinstance(error, BackupError):
                    raise BackupError(f"恢复 {dump.path} 失败，数据库未作任何改动：{error.__class__.__name__}: "
                                      f"{str(error).strip()[:2000]}") from error
                raise
        with raw.cursor() as cursor:
            comments = cursor.execute("SELECT count(*) FROM comments").fetchone()[0]
            tables = cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()").fetchone()[0]
        raw.rollback()
    finally:
        engine.dispose()
    return BackupSummary(dump.path, comments, tables)


def _run_dump_sql(cursor, command: list[str]) -> None:
    """Run pg_restore's SQL output on ``cursor`` as psql would: statements as they come, COPY data through COPY
    (read as a stream: a dump of many files never held in memory at once)."""
    if shutil.which(command[0]) is None:
        raise BackupError(f"没有找到 {command[0]}（PostgreSQL 客户端工具）。")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    failure = None
    try:
        statements: list[bytes] = []
        lines = iter(process.stdout)
        for line in lines:
            if re.match(rb"^\\(un)?restrict \S+\s*$", line):  # psql's guard against a forged dump (\restrict KEY)
                continue
            if line.startswith(b"COPY ") and line.rstrip().endswith(b"FROM stdin;"):
                if statements:
                    cursor.execute(b"".join(statements))
                    statements = []
                with cursor.copy(line.rstrip().rstrip(b";")) as copy:
                    for data in lines:
                        if data.rstrip(b"\r\n") == b"\\.":
                            break
                        copy.write(data)
                    else:
                        raise BackupError("pg_restore 的输出在 COPY 数据中途结束。")
                continue
            statements.append(line)
        if b"".join(statements).strip():
            cursor.execute(b"".join(statements))
    except BackupError as error:
        failure = error
    finally:
        process.stdout.close()
        error = process.stderr.read().decode(errors="replace")
        process.stderr.close()
        code = process.wait()
    if code != 0:  # pg_restore's own reason (a damaged or cut file) before ours
        raise BackupError(f"pg_restore 失败：{error.strip()[:2000]}")
    if failure:
        raise failure


def pg_restore_by_hand(url: URL, dump: PostgresBackup) -> str:
    """The restore as shell commands (one psql transaction), for ``--print-only``; then the upgrade if needed."""
    schema = _quoted(dump.schema)
    drop = (f"SET client_min_messages = warning; DROP SCHEMA IF EXISTS {schema} CASCADE;"
            + ("" if dump.creates_schema else f" CREATE SCHEMA {schema};"))
    restore = (f"{{ echo {shlex.quote(drop)}; pg_restore --no-owner --file=- {shlex.quote(str(dump.path))}; }} | "
               + shown(["psql", "--single-transaction", "-v", "ON_ERROR_STOP=1", "--quiet", "--output=/dev/null",
                        f"--dbname={libpq_url(url)}"]))
    if dump.revisions.upgrade:
        restore += f"\nflask --app wsgi db upgrade  # {dump.revisions.found} -> {dump.revisions.head}"
    return restore


def run_tool(command: list[str]) -> str:
    if shutil.which(command[0]) is None:
        raise BackupError(f"没有找到 {command[0]}（PostgreSQL 客户端工具）。请安装后运行：{shown(command)}")
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} 失败：{result.stderr.strip()[:2000]}")
    return result.stdout


def shown(command: list[str]) -> str:
    """The command as one shell line, with any password in the URL hidden."""
    return " ".join(shlex.quote(re.sub(r"(://[^:/@]+:)[^@]+@", r"\1***@", part)) for part in command)

