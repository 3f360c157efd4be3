"""Benchmark: publish a consultation with many citizens subscribed to new consultation alerts.

Prints the time publishing takes (the service, with the outbox rows of every subscriber, and the commit) and
how many INSERT statements wrote them. No asserts: figures go to bench/README.md. A PostgreSQL database is
used when PORTAL_DATABASE_URL names one (its tables must be empty: the citizens are created here).

    .venv/bin/python bench/new_consultation_alerts.py [--subscribers 10000]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, func, insert, select  # noqa: E402

from portal import create_app  # noqa: E402
from portal.citizens.models import Citizen  # noqa: E402
from portal.consultations.services import publish_consultation  # noqa: E402
from portal.drafts.services import import_draft, parse_file  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.mail.models import OutboxMessage  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-alerts-"))
    url = os.environ.get("PORTAL_DATABASE_URL") or f"sqlite:///{workdir / 'bench.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "PORTAL_BASE_URL": "https://portal.example.gov.cn"})
    with app.app_context():
        upgrade()
        at = datetime.now(UTC)
        db.session.execute(insert(Citizen), [
            {"email": f"citizen{n}@example.cn", "created_at": at, "session_epoch": 0, "consultation_alerts": True,
             "alerts_language": "en" if n % 5 == 0 else "zh_CN"} for n in range(args.subscribers)])
        seed = next((ROOT / "samples").glob("003_*.txt"))
        text, parsed = parse_file(seed.read_bytes(), seed.name)
        consultation = import_draft(parsed.to_dict(), text, seed.name)
        db.session.commit()
        statements = []
        event.listen(db.engine, "before_cursor_execute",
                     lambda _c, _cur, statement, *_rest: statements.append(statement.lstrip()[:18].upper()))
        started = time.perf_counter()
        publish_consultation(consultation, at, at + timedelta(days=30))
        db.session.commit()
        seconds = time.perf_counter() - started
        queued = db.session.scalar(select(func.count()).select_from(OutboxMessage))
        inserts = sum(1 for s in statements if s.startswith("INSERT INTO OUTBOX"))
        print(f"{db.engine.dialect.name}: {args.subscribers} subscribers, {queued} alerts queued by {inserts} INSERTs, "
              f"publish + commit {seconds * 1000:.0f} ms ({seconds / max(queued, 1) * 1e6:.0f} µs per alert)")


if __name__ == "__main__":
    main()
