"""Background workers give way to the web workers.

During a burst, citizens' submissions are what cannot wait: mail, the search index and form-letter grouping can
catch up a minute later. A worker sharing a host with gunicorn, at the same priority, takes its share of the
processors from the web workers; on 2 cores, with two mail workers at the same priority the web workers took
half as many comments during the reliability scenario as with the mail workers at nice 10 (bench/README.md). So each background worker started with
``--loop`` (as a service) lowers its own CPU priority (``--nice``, 10 by default: any process may do that, and the
work still runs whenever the web workers leave a processor idle); a single pass, from cron or by hand, keeps
the priority it was given. Work is not lost or delayed for good: the queues hold it.
"""
from __future__ import annotations

import functools
import os
import re
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[2]

DEFAULT_NICENESS = 10


def gives_way_to_web(command):
    """For a worker command with ``--loop``: adds ``--nice``; with ``--loop`` the command first lowers its CPU
    priority to it. Every worker first checks that the database is at the code's migration (``schema_problem``)."""
    @functools.wraps(command)
    def run(*args, niceness: int, **kwargs):
        problem = schema_problem()
        if problem:
            raise click.ClickException(problem)
        if kwargs.get("loop"):  # a worker that keeps running (a service beside the web workers)
            yield_to_web(niceness)
        return command(*args, **kwargs)

    return click.option(
        "--nice", "niceness", default=DEFAULT_NICENESS, show_default=True, type=click.IntRange(0, 19),
        help="With --loop: run at this nice value at least (a lower CPU priority than the web workers'); 0 leaves "
             "it as it is.",
    )(run)


def schema_problem() -> str | None:
    """Why a worker cannot work on this database (None: it can): no tables at all (a command run without the
    installation's PORTAL_DATABASE_URL or PORTAL_INSTANCE_PATH had made an empty database and failed on its first
    query), or a migration other than the code's (after an upgrade of the code without ``flask db upgrade``)."""
    from alembic.migration import MigrationContext

    from portal.extensions import db

    heads = code_heads()
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    where = db.engine.url.render_as_string(hide_password=True)
    if not current:
        return (f"数据库 {where} 还没有建立（没有迁移版本）：请确认 PORTAL_DATABASE_URL / PORTAL_INSTANCE_PATH 指向本安装的"
                f"数据库，或先运行 flask --app wsgi db upgrade。")
    if current != heads:
        return (f"数据库 {where} 的迁移版本是 {', '.join(sorted(current))}，本版本的代码需要 {', '.join(sorted(heads))}："
                f"请先运行 flask --app wsgi db upgrade。")
    return None


_REVISION = re.compile(r"""^(down_)?revision\s*=\s*(.*)$""", re.MULTILINE)
_QUOTED = re.compile(r"""['"]([^'"]+)['"]""")


def code_heads() -> set[str]:
    """The migrations of the code that none follows, read from their files' ``revision`` and ``down_revision`` lines
    (what Alembic's ScriptDirectory finds, without importing 56 modules at every worker's start)."""
    revisions, followed = set(), set()
    for path in (ROOT / "migrations" / "versions").glob("*.py"):
        for down, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            (followed if down else revisions).update(_QUOTED.findall(value))
    return revisions - followed


def yield_to_web(niceness: int) -> None:
    """Raise this process's nice value to ``niceness`` unless it is already that high (never lowered: only a
    privileged process may)."""
    if not hasattr(os, "nice"):  # not on this platform
        return
    current = os.nice(0)
    if niceness > current:
        os.nice(niceness - current)
