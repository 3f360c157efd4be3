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

import click

DEFAULT_NICENESS = 10


def gives_way_to_web(command):
    """For a worker command with ``--loop``: adds ``--nice``; with ``--loop`` the command first lowers its CPU
    priority to it."""
    @functools.wraps(command)
    def run(*args, niceness: int, **kwargs):
        if kwargs.get("loop"):  # a worker that keeps running (a service beside the web workers)
            yield_to_web(niceness)
        return command(*args, **kwargs)

    return click.option(
        "--nice", "niceness", default=DEFAULT_NICENESS, show_default=True, type=click.IntRange(0, 19),
        help="With --loop: run at this nice value at least (a lower CPU priority than the web workers'); 0 leaves "
             "it as it is.",
    )(run)


def yield_to_web(niceness: int) -> None:
    """Raise this process's nice value to ``niceness`` unless it is already that high (never lowered: only a
    privileged process may)."""
    if not hasattr(os, "nice"):  # not on this platform
        return
    current = os.nice(0)
    if niceness > current:
        os.nice(niceness - current)
