"""A worker in --loop mode outlives a pass that fails (the database restarting, or locked for longer than its busy
timeout): it rolls back, logs, waits a little longer each time and carries on. Such a pass used to end the worker
(exit code 1), and nothing started it again."""
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from portal.core.stopping import Stopping
from portal.core import workers
from portal.core.workers import PassGuard
from portal.extensions import db
from portal.operations.models import WorkerBeat

NOTHING_TO_SEND = SimpleNamespace(handled=0, released=0, routed=0, sent=[], retrying=[], failed=[], server_down=None,
                                 routing_failures=[])

# command, its module, the name of its pass there, what a pass that did nothing returns, the heartbeat's kind
WORKERS = [
    (["mail", "deliver"], "portal.mail.cli", "deliver_due", NOTHING_TO_SEND, "mail"),
    (["search", "work"], "portal.search.cli", "work_queue", 0, "search"),
    (["moderation", "group"], "portal.moderation.cli", "group_new_comments", 0, "grouping"),
    (["jobs", "run"], "portal.operations.cli", "run_due_jobs", [], "scheduler"),
]


class QuietStopping(Stopping):
    """The loop's own stopping mechanism, without signal handlers, its waits recorded instead of slept."""

    made: list["QuietStopping"] = []

    def __init__(self):
        self.requested = False
        self.waits: list[float] = []
        QuietStopping.made.append(self)

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.mark.parametrize("command, module, name, idle, kind", WORKERS, ids=[w[4] for w in WORKERS])
def test_a_worker_loop_carries_on_after_a_pass_fails(app, monkeypatch, caplog, command, module, name, idle, kind):
    import importlib

    cli = importlib.import_module(module)
    QuietStopping.made = []
    monkeypatch.setattr(workers, "Stopping", QuietStopping)
    passes = []

    def one_pass(*_args, **_kwargs):
        passes.append(1)
        if len(passes) == 1:
            db.session.execute(select(1))  # a transaction under way when the database went away
            raise OperationalError("SELECT …", {}, Exception("server closed the connection unexpectedly"))
        if len(passes) == 3:
            QuietStopping.made[0].requested = True  # as SIGTERM does
        return idle

    monkeypatch.setattr(cli, name, one_pass)
    result = app.test_cli_runner().invoke(args=[*command, "--loop", "--nice", "0", "--interval", "5"])
    assert result.exit_code == 0, (result.output, result.exception)
    assert len(passes) == 3  # the failed pass, then two more
    (stopping,) = QuietStopping.made
    assert stopping.waits[0] == PassGuard.FIRST  # the back-off after the failure
    assert any("a pass failed" in r.getMessage() and r.exc_info for r in caplog.records)
    assert any("working again" in r.getMessage() for r in caplog.records)
    assert db.session.scalars(select(WorkerBeat.kind)).all() == [kind]  # seen alive


def test_a_single_pass_still_fails_with_its_error(app, monkeypatch):
    from portal.mail import cli

    def failing(**_kwargs):
        raise OperationalError("SELECT …", {}, Exception("database is locked"))

    monkeypatch.setattr(cli, "deliver_due", failing)
    result = app.test_cli_runner().invoke(args=["mail", "deliver"])
    assert result.exit_code == 1  # from cron: the failure is the command's


def test_the_back_off_doubles_up_to_a_minute_and_the_heartbeat_waits_for_a_pass_that_works(app):
    beats = []
    stopping = QuietStopping()
    guard = PassGuard("test", stopping, SimpleNamespace(beat=lambda: beats.append(1)))

    def failing():
        raise RuntimeError("one pass's fault")

    for _ in range(8):
        assert guard.attempt(failing) == (False, None)
    assert stopping.waits == [1, 2, 4, 8, 16, 32, 60, 60]
    assert beats == [1]  # before the first failure only: the status page shows the worker gone while it fails
    assert guard.attempt(lambda: "done") == (True, "done")
    assert guard.attempt(lambda: "done") == (True, "done")
    assert beats == [1, 1]  # seen again once a pass worked
    assert not guard.failing


def test_a_loop_says_once_that_its_pass_is_done_then_waits(caplog):
    import logging

    caplog.set_level(logging.DEBUG, logger="portal.core.workers")
    stopping = QuietStopping()
    guard = PassGuard("mail", stopping)
    guard.rest(10)
    guard.rest(2.5)
    assert stopping.waits == [10, 2.5]
    said = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "portal.core.workers"]
    assert said == [("INFO", "mail worker: pass done; next in 10 s"),  # up and working (operators, tests wait for it)
                    ("DEBUG", "mail worker: pass done; next in 2.5 s")]  # not a line a second at INFO
