#!/usr/bin/env bash
# Install the portal with its test tools into .venv and run the whole test suite.
# PostgreSQL tests run when a server answers at PORTAL_TEST_POSTGRES_URL
# (default postgresql://postgres@127.0.0.1:5432/test); otherwise they skip with the reason.
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -e '.[test]'
exec .venv/bin/python -m pytest "$@"
