"""The limits issue 9 gives, measured on this machine in one run: how far the targets' reference points stand.

Issue 9 measured, on 2-core machines with wrk (16 connections) on the same machine:
- a minimal Flask endpoint that parses a 3-field form and returns 201: ~1,500 req/s (p99 18 ms);
- the same with one SQLite insert (WAL, synchronous=NORMAL): ~1,100/s; with one pooled PostgreSQL insert:
  ~500-650/s;
- raw single-row insert+commit loops: SQLite ~8,000/s; PostgreSQL ~1,000/s on one connection, ~2,600/s on four.

This script measures each of them here, the HTTP ones served as the portal is (gunicorn sync workers on
127.0.0.1: 3 for the minimal endpoint, as the submission benchmark's limit; 2 with SQLite, 5 with PostgreSQL,
as the portal's defaults there), and prints each HTTP figure as a ratio to the minimal endpoint's: the ratios the
submission targets ask of the whole submission (SQLite >= 0.5 x, PostgreSQL >= 0.3 x) set beside what one
insert alone gets. The one-insert endpoint is ``bench/reference_app.py``.

Run: .venv/bin/python bench/reference_limits.py [--database sqlite|postgresql|both] [--seconds 10]
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import POSTGRES_URL, ROOT, gunicorn, wait_until_idle, wrk  # noqa: E402

WORKERS = {"minimal": 3, "sqlite": 2, "postgresql": 5}
TABLE = "reference_rows"


def make_table(url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    key = "INTEGER PRIMARY KEY" if engine.dialect.name == "sqlite" else "BIGSERIAL PRIMARY KEY"
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {TABLE}")
        connection.exec_driver_sql(f"CREATE TABLE {TABLE} (id {key}, body TEXT, stance TEXT, author_name TEXT)")
    engine.dispose()


def drop_table(url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {TABLE}")
    engine.dispose()


def http(app_spec: str, env: dict, workers: int, seconds: int):
    with gunicorn(app_spec, env, workers=workers) as (base, _process):
        wrk(base + "/form", ROOT / "bench/minimal_form.lua", seconds=2)  # warm up
        return wrk(base + "/form", ROOT / "bench/minimal_form.lua", seconds=seconds)


def insert_loop(url: str, seconds: float) -> int:
    """Single-row INSERT + COMMIT on one DBAPI connection for ``seconds``: how many."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    connection = engine.raw_connection()
    if engine.dialect.name == "sqlite":
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA busy_timeout=5000")
    marker = "?" if engine.dialect.name == "sqlite" else "%s"
    sql = f"INSERT INTO {TABLE} (body, stance, author_name) VALUES ({marker}, {marker}, {marker})"
    cursor = connection.cursor()
    done, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        cursor.execute(sql, ("建议增加社区食堂", "suggest", "王"))
        connection.commit()
        done += 1
    connection.close()
    engine.dispose()
    return done


def loops(url: str, connections: int, seconds: float) -> float:
    if connections == 1:
        return insert_loop(url, seconds) / seconds
    with multiprocessing.get_context("spawn").Pool(connections) as pool:
        return sum(pool.starmap(insert_loop, [(url, seconds)] * connections)) / seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    kinds = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    wait_until_idle()
    minimal = http("bench.minimal_app:app", {}, WORKERS["minimal"], args.seconds)
    print(f"minimal Flask, 3-field form, 201 ({WORKERS['minimal']} workers): {minimal.line()}  [1.00 x]", flush=True)
    for kind in kinds:
        with tempfile.TemporaryDirectory(prefix="portal-limits-") as tmp:
            url = f"sqlite:///{tmp}/limits.db" if kind == "sqlite" else POSTGRES_URL
            make_table(url)
            try:
                env = {"REFERENCE_DATABASE_URL": url}
                one = http("bench.reference_app:app", env, WORKERS[kind], args.seconds)
                print(f"the same with one {kind} insert ({WORKERS[kind]} workers): {one.line()}  "
                      f"[{one.rate / minimal.rate:.2f} x]; errors: {one.errors}", flush=True)
                for connections in (1, 4) if kind == "postgresql" else (1,):
                    rate = loops(url, connections, min(args.seconds, 5))
                    print(f"raw {kind} insert+commit loop, {connections} connection(s): {rate:,.0f}/s", flush=True)
            finally:
                drop_table(url)
    print(f"load average now {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
