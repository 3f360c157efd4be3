"""The secret key of an installation that set none: made once, kept in the instance folder.

``PORTAL_SECRET_KEY`` signs sessions, CSRF tokens and mail links and seals secrets in the database. A deployment sets
it (README: Deployment). One that does not, a new user's ``./start.sh`` say, must not run under the key written in the
source, which anyone can read and sign an administrator's session with: the portal makes a random key at its first
start, in ``instance/secret_key`` (readable by its owner only), and every later start, worker and command of that
installation reads it. Two processes starting together make one key (the file is created exclusively; the loser
reads the winner's).
"""
from __future__ import annotations

import logging
import os
import secrets
import time
from pathlib import Path

DEVELOPMENT_KEY = "dev-only-change-me"
FILE_NAME = "secret_key"

log = logging.getLogger(__name__)


def installation_key(instance_path: str) -> str:
    """The key kept in ``instance_path``, made now when there is none."""
    path = Path(instance_path) / FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read(path)
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_urlsafe(48))
    log.warning("PORTAL_SECRET_KEY is not set: a random key was made in %s (set PORTAL_SECRET_KEY on every host of "
                "a deployment of several)", path)
    return _read(path)


def _read(path: Path) -> str:
    for _attempt in range(50):  # another process may be writing it this instant
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.02)
    raise RuntimeError(f"{path} is empty: delete it, or set PORTAL_SECRET_KEY")
