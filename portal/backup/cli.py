"""``flask backup create [FILE]`` and ``flask backup restore FILE``."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from portal.backup.services import (
    BackupError, backup_sqlite, inspect_postgres, inspect_sqlite, pg_dump_command, pg_dump_to, pg_restore_by_hand,
    private_folder, restore_postgres, restore_sqlite, shown, sqlite_path,
)
from portal.extensions import db

backup_cli = AppGroup("backup", help="Back up and restore the database.")


def _default_file(suffix: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path(current_app.instance_path) / "backups" / f"portal-{stamp}{suffix}"


@backup_cli.command("create")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--print-only", is_flag=True, help="PostgreSQL: print the pg_dump command instead of running it.")
def create_command(file: Path | None, print_only: bool):
    """Write a consistent copy of the database to FILE (default: instance/backups/portal-<time>.db|.dump).

    SQLite: the online backup API (safe while the portal runs). PostgreSQL: pg_dump --format=custom.
    The file is readable by its owner only (0600), a folder made for it likewise (0700)."""
    url = db.engine.url
    if file is None and not print_only:
        private_folder(Path(current_app.instance_path) / "backups", own=True)  # 0700: backups hold every contact
    try:
        if url.get_backend_name() == "sqlite":
            if print_only:  # nothing to print: it had written a backup all the same
                raise click.ClickException("--print-only 只用于 PostgreSQL（打印 pg_dump 命令）；SQLite 直接备份，不加此选项。")
            summary = backup_sqlite(sqlite_path(url), file or _default_file(".db"))
            click.echo(f"已备份到 {summary.path}（{summary.tables} 张表，{summary.comments} 条意见）。")
            return
        target = file or _default_file(".dump")
        if print_only:
            click.echo(shown(pg_dump_command(url, target)))
            return
        pg_dump_to(pg_dump_command(url, target), target)
        click.echo(f"已备份到 {target}（pg_dump 自定义格式）。恢复：flask backup restore {target}")
    except BackupError as error:
        raise click.ClickException(str(error)) from error


@backup_cli.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--print-only", is_flag=True, help="PostgreSQL: check FILE, then print the restore as shell commands.")
def restore_command(file: Path, yes: bool, print_only: bool):
    """Replace everything in the database with the content of FILE (a backup made by ``backup create``).

    FILE is checked first: a file that is no backup of the portal, or one made at a migration revision this code does
    not know (a newer version of the portal), is refused and nothing is touched. A backup of an older revision is
    migrated to this code's revision as part of the restore; if that fails, the database stays as it was."""
    url = db.engine.url
    sqlite = url.get_backend_name() == "sqlite"
    try:
        if sqlite:
            if print_only:
                raise BackupError("--print-only 只用于 PostgreSQL；SQLite 直接恢复，不加此选项。")
            revisions = inspect_sqlite(file)
        else:
            dump = inspect_postgres(url, file)
            revisions = dump.revisions
            if print_only:
                click.echo(pg_restore_by_hand(url, dump))
                return
        if not yes:
            upgrade = (f"备份的数据库版本为 {revisions.found}，恢复时将升级到本安装的版本 {revisions.head}。"
                       if revisions.upgrade else "")
            click.confirm(f"{upgrade}数据库中的全部内容将被 {file} 替换。继续吗？", abort=True)
        db.session.remove()
        db.engine.dispose()  # no connection of this process holds the database while it is replaced
        if sqlite:
            summary, revisions = restore_sqlite(file, sqlite_path(url))
        else:
            summary = restore_postgres(url, dump)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    upgraded = f"，并从版本 {revisions.found} 升级到 {revisions.head}" if revisions.upgrade else ""
    click.echo(f"已从 {file} 恢复（{summary.tables} 张表，{summary.comments} 条意见{upgraded}）。")
