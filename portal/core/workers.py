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
import logging
import os
import re
import secrets
import socket
from pathlib import Path

import click

from portal.core.stopping import Stopping

ROOT = Path(__file__).resolve().parents[2]

DEFAULT_NICENESS = 10

log = logging.getLogger(__name__)


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
            log_to_stderr()
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


def log_to_stderr() -> None:
    """A ``--loop`` worker's own lines (passes done, passes failed: this module's logger) go to stderr from INFO up,
    with the time and level, unless logging was configured for the process already (a handler on the root logger)."""
    if logging.getLogger().handlers or log.handlers:
        return
    handler = logging.StreamHandler()  # stderr: the service manager's log (journald, docker logs)
    handler.setFormatter(logging.Formatter("[%(asctime)s] %(levelname)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False  # not a second time through Flask's handler on the "portal" logger


def yield_to_web(niceness: int) -> None:
    """Raise this process's nice value to ``niceness`` unless it is already that high (never lowered: only a
    privileged process may)."""
    if not hasattr(os, "nice"):  # not on this platform
        return
    current = os.nice(0)
    if niceness > current:
        os.nice(niceness - current)


class PassGuard:
    """A ``--loop`` worker survives a pass that fails: the database restarting, locked for longer than its busy
    timeout, unreachable for a while, or a fault in one pass. Such a failure used to end the worker (exit code 1),
    and nothing started it again: mail, closing at the deadline and the search index stopped without a word.

    ``attempt(one_pass)`` runs the pass; if it raises, the session is rolled back, the error logged (with its
    traceback the first time of a series, one line after) and the loop waits ``FIRST`` seconds, doubling up to
    ``MOST`` while the passes keep failing, before it is tried again. While passes fail the worker's heartbeat is
    not written, so the status page (``/admin/status``) shows the worker gone rather than alive. A single pass
    (without ``--loop``, from cron or by hand) is not guarded: its error ends the command with exit code 1.
    """

    FIRST = 1.0
    MOST = 60.0

    def __init__(self, kind: str, stopping, heartbeat=None) -> None:
        self.kind = kind
        self.stopping = stopping
        self.heartbeat = heartbeat
        self.failures = 0
        self.rested = False  # the first "pass done" line logged

    @property
    def failing(self) -> bool:
        return self.failures > 0

    def attempt(self, one_pass):
        """``(True, result)`` of ``one_pass()`` (the heartbeat written first, unless the last pass failed), or
        ``(False, None)`` once its failure is handled and the back-off waited (cut short by a stop)."""
        from portal.extensions import db

        try:
            if self.heartbeat is not None and not self.failing:
                self.heartbeat.beat()
            result = one_pass()
        except Exception as error:  # noqa: BLE001 - the service must outlive a pass that fails; logged, retried
            self.failures += 1
            _roll_back(db)
            wait = self.backoff()
            if self.failures == 1:
                log.error("%s worker: a pass failed; trying again in %.0f s", self.kind, wait, exc_info=True)
            else:
                first_line = (str(error).strip().splitlines() or [""])[0][:300]
                log.error("%s worker: a pass failed again (%d in a row; %s: %s); trying again in %.0f s",
                          self.kind, self.failures, type(error).__name__, first_line, wait)
            self.stopping.sleep(wait)
            return False, None
        if self.failing:
            log.warning("%s worker: working again after %d failed passes", self.kind, self.failures)
            self.failures = 0  # the heartbeat is written again from the next pass on
        return True, result

    def rest(self, seconds: float) -> None:
        """After a pass that worked: say so, then wait ``seconds`` (cut short by a stop). The first such line is logged
        at INFO (the worker is up and working: operators, and tests, wait for it), the later ones at DEBUG (a worker
        polling every second would fill the log)."""
        log.log(logging.DEBUG if self.rested else logging.INFO, "%s worker: pass done; next in %g s", self.kind,
                seconds)
        self.rested = True
        self.stopping.sleep(seconds)

    def backoff(self) -> float:
        """Seconds to wait after the latest of ``failures`` failed passes in a row: 1, 2, 4 … up to 60."""
        return min(self.MOST, self.FIRST * 2 ** (self.failures - 1))


def _roll_back(db) -> None:
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - a connection that is gone: drop the session, the next pass opens anew
        log.warning("could not roll back after a failed pass", exc_info=True)
        try:
            db.session.remove()
        except Exception:  # noqa: BLE001
            pass


# -- who claims: one id a process for every worker's claims (mail, exports, scheduled jobs) and signs of life -------

def host_and_pid() -> tuple[str, int]:
    return socket.gethostname()[:80], os.getpid()


_token: tuple[int, str] | None = None  # (the pid it was made in, the token): made again in a forked child


def _process_token(pid: int) -> str:
    """A short random token made once per process: host and pid alone are not unique (containers built from one
    image with a fixed hostname each run their worker as pid 1, and would take each other's claims for their own)."""
    global _token
    if _token is None or _token[0] != pid:
        _token = (pid, secrets.token_hex(4))
    return _token[1]


def runner_id() -> str:
    """host:pid:token of this process, as recorded with the outbox messages, runs and export jobs it claims
    (``claimed_by``, String(100)) and in its signs of life (``worker_beats.id``, String(120), kind:host:pid:token); at
    most 80 + 1 + 7 (pid) + 1 + 8 characters. The status page shows the host and the pid from their own columns."""
    host, pid = host_and_pid()
    return f"{host}:{pid}:{_process_token(pid)}"


def worker_passes(kind: str, loop: bool, interval: float, one_pass, *, heartbeat=None, single=None,
                  busy=lambda result: False):
    """The passes of a worker command, each one's result yielded for the command to say what it did. Without
    ``--loop`` (from cron or by hand): one pass (``single``, else ``one_pass``), whose error ends the command.
    With it: ``one_pass`` again and again until SIGTERM (``Stopping``: after the pass under way), each guarded
    (``PassGuard``: a failure rolled back, logged and tried again after a back-off; ``heartbeat`` written before it),
    with a rest of ``interval`` seconds after it unless it was ``busy`` (more is waiting)."""
    if not loop:
        yield (single or one_pass)()
        return
    stopping = Stopping()
    guard = PassGuard(kind, stopping, heartbeat)
    while True:
        done, result = guard.attempt(one_pass)
        if not done:
            if stopping.requested:
                return
            continue
        yield result
        if stopping.requested:
            return
        if not busy(result):
            guard.rest(interval)
