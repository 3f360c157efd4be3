#!/usr/bin/env bash
# Install the portal with its test tools into .venv and run the whole test suite.
# - PostgreSQL tests run when a server answers at PORTAL_TEST_POSTGRES_URL
#   (default postgresql://postgres@127.0.0.1:5432/test); otherwise they skip with the reason.
# - Browser tests need Debian's chromium and CJK fonts, the mailbox tests Debian's Dovecot (a real IMAP server):
#   installed here with apt when run as root on Debian; otherwise those tests skip with the reason.
# - The tests run in one process per core (pytest-xdist; each test file stays in one process, each process has its
#   own SQLite files and PostgreSQL schema); PORTAL_TEST_WORKERS=0 runs them in this process.
# Arguments go to pytest, e.g. ./test.sh -m "not browser"
set -euo pipefail
cd "$(dirname "$0")"

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium chromium-driver)
  dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
  [ -x /usr/sbin/dovecot ] || missing+=(dovecot-imapd)
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
  fi
fi

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -e '.[test]'
exec .venv/bin/python -m pytest -n "${PORTAL_TEST_WORKERS:-auto}" --dist loadfile "$@"
