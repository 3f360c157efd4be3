"""A worker stopped by its service manager (SIGTERM) ends between two passes, exit code 0: killed in the middle of
one, a mail worker had left its claimed message in "sending" for 10 minutes (and sent it twice if the SMTP server had
taken it already)."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).with_name("flask")


@pytest.mark.parametrize("command", [["mail", "deliver"], ["search", "work"], ["moderation", "group"], ["jobs", "run"]])
def test_a_worker_asked_to_stop_ends_its_pass_and_exits_cleanly(app, database_url, tmp_path, command):
    from portal.extensions import db

    db.session.remove()  # the worker's own connection may take SQLite's locks
    env = {**os.environ, "FLASK_APP": "wsgi", "PORTAL_DATABASE_URL": database_url, "PORTAL_SECRET_KEY": "test",
           "PORTAL_INSTANCE_PATH": str(tmp_path), "PORTAL_SEARCH_INDEX_DIR": str(tmp_path / "index"),
           "PORTAL_MAIL_SUPPRESS_SEND": "1"}
    worker = subprocess.Popen([str(FLASK), *command, "--loop", "--interval", "30"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(4)  # started, one pass done, now waiting its 30 seconds
        assert worker.poll() is None, worker.communicate()
        started = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        _out, err = worker.communicate(timeout=20)
        assert worker.returncode == 0, err[-2000:]  # not killed by the signal (-15)
        assert time.monotonic() - started < 5  # it did not sit out its interval
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
