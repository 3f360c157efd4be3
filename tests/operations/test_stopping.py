"""A worker stopped by its service manager (SIGTERM) ends between two passes, exit code 0: killed in the middle of
one, a mail worker had left its claimed message in "sending" for 10 minutes (and sent it twice if the SMTP server had
taken it already)."""
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).with_name("flask")


@pytest.mark.parametrize("command", [["mail", "deliver"], ["search", "work"], ["moderation", "group"], ["jobs", "run"],
                                     ["digests", "export"]])
def test_a_worker_asked_to_stop_ends_its_pass_and_exits_cleanly(app, database_url, tmp_path, command):
    from portal.extensions import db

    db.session.remove()  # the worker's own connection may take SQLite's locks
    env = {**os.environ, "FLASK_APP": "wsgi", "PORTAL_DATABASE_URL": database_url, "PORTAL_SECRET_KEY": "test",
           "PORTAL_INSTANCE_PATH": str(tmp_path), "PORTAL_SEARCH_INDEX_DIR": str(tmp_path / "index"),
           "PORTAL_MAIL_SUPPRESS_SEND": "1"}
    worker = subprocess.Popen([str(FLASK), *command, "--loop", "--interval", str(INTERVAL)], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = ReadLines(worker.stderr)
    try:
        # started, one pass done, now waiting its interval (however long the start takes on a loaded machine)
        assert err.wait_for(f"worker: pass done; next in {INTERVAL} s", timeout=READY_WITHIN), err.text()[-2000:]
        assert worker.poll() is None, err.text()[-2000:]
        worker.send_signal(signal.SIGTERM)
        # it ends well before its interval is out (a worker that sat it out would raise TimeoutExpired here); not a
        # tight bound, which a loaded machine can outlast (a 5 s one did, 2026-12-06)
        worker.wait(timeout=STOPPED_WITHIN)
        assert worker.returncode == 0, err.text()[-2000:]  # not killed by the signal (-15)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        err.close()


READY_WITHIN = 60  # seconds: a generous bound for the start and first pass under a full run's load, never waited out
INTERVAL = 900  # seconds between two passes: the worker is stopped in this wait
STOPPED_WITHIN = 60  # seconds: ends long before its interval would, whatever the load


class ReadLines:
    """A subprocess's stream read line by line in a thread (a pipe left unread would block the process once full),
    so that a test can wait for a line that says the process is ready instead of sleeping a guessed time."""

    def __init__(self, stream):
        self.lines: list[str] = []
        self.changed = threading.Condition()
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream) -> None:
        for line in stream:
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()
        with self.changed:
            self.lines.append(None)  # the end of the stream
            self.changed.notify_all()

    def wait_for(self, text: str, timeout: float) -> bool:
        """True once a line holding ``text`` was read; false at the end of the stream or after ``timeout`` s."""
        def seen():
            return any(line is not None and text in line for line in self.lines) or None in self.lines

        with self.changed:
            self.changed.wait_for(seen, timeout=timeout)
            return any(line is not None and text in line for line in self.lines)

    def text(self) -> str:
        with self.changed:
            return "".join(line for line in self.lines if line is not None)

    def close(self) -> None:
        self.thread.join(timeout=10)
