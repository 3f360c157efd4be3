#!/usr/bin/env bash
# Install the portal into .venv, build the database, load the sample drafts and start the portal.
#   ./start.sh                 → http://127.0.0.1:5000 on SQLite (instance/portal.db)
#   PORT=8000 HOST=0.0.0.0 ./start.sh
#   PORTAL_DATABASE_URL=postgresql://user@host/db ./start.sh
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "需要 Python 3.11 或更新版本 / Python 3.11 or newer is required" >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -e .

export FLASK_APP=wsgi
if [ -z "${PORTAL_BASE_URL:-}" ] && [ "${HOST:-127.0.0.1}" = 0.0.0.0 ]; then
  # served to the network: links in mails name this machine's address (never a Host header a request sends)
  address=$(hostname -I 2>/dev/null | awk '{print $1}')
  [ -z "$address" ] || export PORTAL_BASE_URL="http://${address}:${PORT:-5000}/"
fi
if [ -z "${PORTAL_BASE_URL:-}" ]; then
  # mails written by the workers and commands (no request to read a host from) link to this port, not 5000
  export PORTAL_BASE_URL="http://${HOST:-127.0.0.1}:${PORT:-5000}/"
fi
.venv/bin/flask db upgrade
.venv/bin/flask consultations load-samples
.venv/bin/flask search work                 # index the samples for search
.venv/bin/flask search work --loop &        # keep the search index up to date while the portal runs
SEARCH_WORKER=$!
.venv/bin/flask moderation group --loop &   # group form letters (同文意见) as comments arrive
GROUP_WORKER=$!
.venv/bin/flask jobs run --loop &           # scheduled jobs: close at the deadline, digests, erase old data
SCHEDULER=$!
trap 'kill "$SEARCH_WORKER" "$GROUP_WORKER" "$SCHEDULER" 2>/dev/null' EXIT
echo "公开征求意见平台: http://${HOST:-127.0.0.1}:${PORT:-5000}/"
echo "工作人员账号 / staff account: .venv/bin/flask --app wsgi users create --role admin --email … --name …"
.venv/bin/flask run --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}"
