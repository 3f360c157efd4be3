"""A worker's loop stopped by its service manager (SIGTERM: systemd, a container, a deploy) ends between two passes.

Killed in the middle of one, a mail worker left the message it had claimed in "sending" until the claim timed out
(10 minutes), and sent it twice if the SMTP server had already taken it. With ``Stopping`` installed, SIGTERM (and
Ctrl-C) asks the loop to end once the pass under way is done; a second signal stops at once.
"""
from __future__ import annotations

import signal
import threading
import time


class Stopping:
    """Install in a worker's loop: ``while not stopping.requested: …; stopping.sleep(interval)``."""

    def __init__(self) -> None:
        self.requested = False
        if threading.current_thread() is threading.main_thread():  # signals reach the main thread only
            for number in (signal.SIGTERM, signal.SIGINT):
                signal.signal(number, self._ask)

    def _ask(self, number, _frame) -> None:
        if self.requested:  # asked twice: now
            signal.signal(number, signal.SIG_DFL)
            raise KeyboardInterrupt
        self.requested = True

    def sleep(self, seconds: float) -> None:
        """Wait, but no longer than until a stop is asked."""
        end = time.monotonic() + seconds
        while not self.requested and time.monotonic() < end:
            time.sleep(min(0.2, max(0.0, end - time.monotonic())))
