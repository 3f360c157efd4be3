"""``flask backup create [FILE]`` and ``flask backup restore FILE``."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from portal.backup.services import (
    BackupError, backup_sqlite, pg_dump_command, pg_restore_command, restore_sqlite, run_tool, shown, sqlite_path,
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

    SQLite: the online backup API (safe while the portal runs). PostgreSQL: pg_dump --format=custom."""
    url = db.engine.url
    try:
        if url.get_backend_name() == "sqlite":
            if print_only:  # nothing to print: it had written a backup all the same
                raise click.ClickException("--print-only 只用于 PostgreSQL（打印 pg_dump 命令）；SQLite 直接备份，不加此选项。")
            summary = backup_sqlite(sqlite_path(url), file or _default_file(".db"))
            click.echo(f"已备份到 {summary.path}（{summary.tables} 张表，{summary.comments} 条意见）。")
            return
        target = file or _default_file(".dump")
        command = pg_dump_command(url, target)
        if print_only:
            click.echo(shown(command))
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        run_tool(command)
        click.echo(f"已备份到 {target}（pg_dump 自定义格式）。恢复：flask backup restore {target}")
    except BackupError as error:
        raise click.ClickException(str(error)) from error


@backup_cli.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--print-only", is_flag=True, help="PostgreSQL: print the pg_restore command instead of running it.")
def restore_command(file: Path, yes: bool, print_only: bool):
    """Replace everything in the database with the content of FILE (a backup made by ``backup create``)."""
    url = db.engine.url
    sqlite = url.get_backend_name() == "sqlite"
    if print_only and not sqlite:
        click.echo(shown(pg_restore_command(url, file)))
        return
    if not yes:
        click.confirm(f"数据库中的全部内容将被 {file} 替换。继续吗？", abort=True)
    db.session.remove()
    db.engine.dispose()  # no connection of this process holds the database while it is replaced
    try:
        if sqlite:
            summary = restore_sqlite(file, sqlite_path(url))
            click.echo(f"已从 {file} 恢复（{summary.tables} 张表，{summary.comments} 条意见）。")
        else:
            run_tool(pg_restore_command(url, file))
            click.echo(f"已从 {file} 恢复（pg_restore）。")
    except BackupError as error:
        raise click.ClickException(str(error)) from error
