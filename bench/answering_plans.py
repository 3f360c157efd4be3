"""The answering list's statements and their query plans, and the units' advice (advice_by_unit) timed alone with and
without the index of unit_advice by consultation (migration 0064).

The world of bench/answering_list.py (seed 003, N received comments, 1 in 17 advised on by a unit). On one database:
advice_by_unit asked REPEAT times with ix_unit_advice_consultation_comment dropped, then created again (ANALYZE after
each), the least and median time and CPU time printed with the plan of its statement; with ``--plans``, every
statement of the unfiltered answering page (/office/consultations/ID/responses) with its plan (EXPLAIN QUERY PLAN on
SQLite, EXPLAIN on PostgreSQL), a full scan of a table marked.
Run: .venv/bin/python bench/answering_plans.py [--comments 20000] [--database sqlite|postgresql] [--repeat 30] [--plans]
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.answering_list import PASSWORD, fill  # noqa: E402
from bench.harness import machine, portal_database  # noqa: E402

INDEX = "ix_unit_advice_consultation_comment"


def plan(connection, kind: str, statement: str, parameters) -> list[str]:
    """The plan's lines of one statement with the parameters it ran with."""
    prefix = "EXPLAIN QUERY PLAN " if kind == "sqlite" else "EXPLAIN "
    rows = connection.exec_driver_sql(prefix + statement, parameters).all()
    return [f"{'  ' * (row[1] != 0)}{row[3]}" if kind == "sqlite" else row[0] for row in rows]


def full_scan(kind: str, line: str) -> bool:
    """Whether the plan's line reads a whole table (SQLite: or a whole index; a SCAN not of a subquery's rows)."""
    if kind == "sqlite":
        return bool(re.match(r"SCAN (?!CONSTANT|anon_|\()", line.strip()))
    return "Seq Scan" in line


def captured(engine) -> list[tuple[str, object]]:
    """Every statement ``engine`` runs from now on, with its parameters."""
    from sqlalchemy import event

    found: list[tuple[str, object]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):
        if not executemany:
            found.append((statement, parameters))

    return found


def time_advice(app, consultation_id: int, repeat: int) -> tuple[float, float, float, float]:
    from portal.consultations.models import Consultation
    from portal.extensions import db
    from portal.responses.advice import advice_by_unit
    from portal.responses.filters import list_counts

    with app.test_request_context():
        consultation = db.session.get(Consultation, consultation_id)
        counts = list_counts(consultation, questions=False)  # the page's own counts, as it passes them
        advice_by_unit(consultation, counts)  # warm
        times, cpu = [], []
        for _ in range(repeat):
            began, began_cpu = time.perf_counter(), time.process_time()
            advice_by_unit(consultation, counts)
            times.append(time.perf_counter() - began)
            cpu.append(time.process_time() - began_cpu)
        db.session.remove()
    return min(times), statistics.median(times), min(cpu), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--comments", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--plans", action="store_true", help="print the plan of each statement of the answering page")
    args = parser.parse_args()
    from sqlalchemy import text

    from portal import create_app

    kind = args.database
    print(f"{machine()}; {kind}, {args.comments:,} comments")
    with portal_database(kind) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            from portal.extensions import db

            found = fill(app, args.comments)
            engine = db.engine
            advice_rows = db.session.scalar(text("SELECT count(*) FROM unit_advice"))
            db.session.remove()
        print(f"{advice_rows:,} advice rows")
        statements = captured(engine)
        for label, ddl in (("without the index", f"DROP INDEX {INDEX}"),
                           ("with the index", f"CREATE INDEX {INDEX} ON unit_advice (consultation_id, comment_id)")):
            with engine.begin() as connection:
                connection.exec_driver_sql(ddl)
                if kind == "postgresql":  # as autovacuum would after the load; the portal never analyzes SQLite
                    connection.exec_driver_sql("ANALYZE")
            statements.clear()
            least, median, least_cpu, median_cpu = time_advice(app, found["consultation"], args.repeat)
            advice = [s for s in statements if "FROM unit_advice" in s[0]][0]
            print(f"advice_by_unit {label}: {least * 1000:.1f} ms least, {median * 1000:.1f} median; "
                  f"CPU {least_cpu * 1000:.1f} least, {median_cpu * 1000:.1f} median ({args.repeat} runs)")
            with engine.connect() as connection:
                for line in plan(connection, kind, *advice):
                    print(f"    {line}")
        if args.plans:
            client = app.test_client()
            page = client.get("/login").get_data(as_text=True)
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
            client.post("/login", data={"csrf_token": token, "email": "office@bench.example.gov.cn",
                                        "password": PASSWORD})
            statements.clear()
            assert client.get(f"/office/consultations/{found['consultation']}/responses").status_code == 200
            page_statements = list(statements)  # the EXPLAINs below are captured too
            print(f"the answering page: {len(page_statements)} statements")
            with engine.connect() as connection:
                for number, (statement, parameters) in enumerate(page_statements, 1):
                    if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                        print(f"{number:3}. (not a SELECT) {' '.join(statement.split())[:100]}")
                        continue
                    lines = plan(connection, kind, statement, parameters)
                    scans = [line for line in lines if full_scan(kind, line)]
                    print(f"{number:3}. {'FULL SCAN ' if scans else ''}{' '.join(statement.split())[:160]}")
                    for line in lines:
                        print(f"       {line}")


if __name__ == "__main__":
    main()
