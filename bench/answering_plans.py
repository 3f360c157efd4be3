"""The answering list's statements and their query plans, and the units' advice (advice_by_unit) timed alone with and
without the index of unit_advice by consultation (migration 0064).

The world of bench/answering_list.py (seed 003, N received comments, 1 in 17 advised on by a unit); with
``--others K``, K more consultations hold a copy of its comments and advice. On one database: advice_by_unit asked
REPEAT times with ix_unit_advice_consultation_comment dropped, then created again (ANALYZE after each on PostgreSQL),
the least and median time and CPU time printed with the plan of its statement; with ``--plans``, every statement of
the unfiltered answering page (/office/consultations/ID/responses) with its plan (EXPLAIN QUERY PLAN on SQLite,
EXPLAIN on PostgreSQL), a full scan of a table marked.
Run: .venv/bin/python bench/answering_plans.py [--comments 20000] [--database sqlite|postgresql] [--repeat 30]
     [--others 0] [--plans]
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


def add_others(first: int, others: int) -> None:
    """``others`` more consultations (seed 003 imported again), each with a copy of the first one's comments (not in
    its sections, no threads or letters) and of its advice: a table where the consultation is a part, as in use."""
    from sqlalchemy import insert, literal, select, text

    from bench.harness import SEEDS
    from portal.comments.models import Comment
    from portal.drafts.services import import_draft, parse_file
    from portal.extensions import db
    from portal.responses.models import UnitAdvice

    if db.engine.dialect.name == "postgresql":  # a copy outlasts the portal's statement timeout
        db.session.execute(text("SET LOCAL statement_timeout = 0"))
    (path,) = SEEDS.glob("003_*.txt")
    copied = [c for c in Comment.__table__.columns
              if c.name not in ("id", "consultation_id", "draft_id", "section_id", "receipt_number", "parent_id",
                                "form_letter_id", "original_section_id")]
    for number in range(1, others + 1):
        text, parsed = parse_file(path.read_bytes(), path.name)
        consultation = import_draft(parsed.to_dict(), text, path.name)
        db.session.flush()
        prefix = f"{number:03d}-"
        db.session.execute(insert(Comment).from_select(
            [c.name for c in copied] + ["consultation_id", "draft_id", "receipt_number"],
            select(*copied, literal(consultation.id), literal(consultation.current_draft.id),
                   literal(prefix) + Comment.receipt_number).where(Comment.consultation_id == first)))
        copy = Comment.__table__.alias("copy")
        original = Comment.__table__.alias("original")
        advice = [c for c in UnitAdvice.__table__.columns if c.name not in ("id", "comment_id", "consultation_id")]
        db.session.execute(insert(UnitAdvice).from_select(
            [c.name for c in advice] + ["comment_id", "consultation_id"],
            select(*advice, copy.c.id, literal(consultation.id))
            .join(original, original.c.id == UnitAdvice.comment_id)
            .join(copy, copy.c.receipt_number == literal(prefix) + original.c.receipt_number)
            .where(UnitAdvice.consultation_id == first)))
    db.session.commit()


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
    parser.add_argument("--others", type=int, default=0,
                        help="that many more consultations, each with a copy of the comments and advice")
    parser.add_argument("--plans", action="store_true", help="print the plan of each statement of the answering page")
    args = parser.parse_args()
    from sqlalchemy import text

    from portal import create_app

    kind = args.database
    print(f"{machine()}; {kind}, {args.comments:,} comments, {args.others} other consultations like it")
    with portal_database(kind) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            from portal.extensions import db

            found = fill(app, args.comments)
            add_others(found["consultation"], args.others)
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
