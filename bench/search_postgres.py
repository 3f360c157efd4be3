"""PostgreSQL: index 1,000,000 generated comments of one consultation, then time queries. Prints figures.

    .venv/bin/python bench/search_postgres.py [COUNT] [--gin-present]   (PORTAL_TEST_POSTGRES_URL, default local ``test``)

Works in a schema of its own (dropped afterwards). Token strings are computed by the shared analyser in two
processes and sent with COPY; PostgreSQL parses each into a ``tsvector``. By default the GIN index is built
after the load (what a full reindex of a large consultation can do); ``--gin-present`` loads into the indexed
table, as the worker's everyday inserts do. Queries go through ``PostgresBackend.search``, as the search page does.
"""
from __future__ import annotations

import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.search_corpus import QUERIES, comments  # noqa: E402
from portal.search.analysis import parse_query, token_string  # noqa: E402

URL = os.environ.get("PORTAL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SCHEMA = "bench_search"
CHUNK = 5000
GIN_AFTER = "--gin-present" not in sys.argv  # a full reindex may build the index after loading


def token_rows(start_and_texts):
    start, texts = start_and_texts
    return "".join(f"comment\t{start + i}\t1\t{token_string(t)}\n" for i, t in enumerate(texts))


def main(count: int) -> None:
    engine = sa.create_engine(URL)
    with engine.begin() as c:
        c.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}"))
        c.execute(sa.text(
            f"CREATE TABLE {SCHEMA}.search_documents (id serial PRIMARY KEY, kind varchar(10) NOT NULL, "
            "target_id int NOT NULL, consultation_id int NOT NULL, tokens tsvector NOT NULL, "
            "UNIQUE (kind, target_id))"
        ))
        c.execute(sa.text(f"CREATE INDEX ON {SCHEMA}.search_documents (consultation_id)"))
        if not GIN_AFTER:
            c.execute(sa.text(f"CREATE INDEX ON {SCHEMA}.search_documents USING gin (tokens)"))
    texts = list(comments(count))
    print(f"corpus: {count} comments, {sum(map(len, texts)) / count:.0f} characters on average; cpus: {os.cpu_count()}")
    chunks = [(i + 1, texts[i : i + CHUNK]) for i in range(0, count, CHUNK)]
    started = time.perf_counter()
    raw = engine.raw_connection()
    try:
        with multiprocessing.Pool(2) as pool, raw.cursor() as cursor:
            with cursor.copy(
                f"COPY {SCHEMA}.search_documents (kind, target_id, consultation_id, tokens) FROM STDIN"
            ) as copy:
                for block in pool.imap(token_rows, chunks):
                    copy.write(block)
        raw.commit()
    finally:
        raw.close()
    copied = time.perf_counter() - started
    if GIN_AFTER:
        with engine.begin() as c:
            c.execute(sa.text("SET LOCAL maintenance_work_mem = '256MB'"))
            c.execute(sa.text(f"CREATE INDEX ON {SCHEMA}.search_documents USING gin (tokens)"))
    seconds = time.perf_counter() - started
    how = "COPY, then the GIN index built" if GIN_AFTER else "COPY into the table with its GIN index"
    print(f"index: {count} comments in {seconds:.1f} s = {count / seconds:.0f} comments/s ({how}; COPY took "
          f"{copied:.1f} s); load average {os.getloadavg()[0]:.1f}")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(sa.text(f"VACUUM ANALYZE {SCHEMA}.search_documents"))
        size = c.execute(sa.text(f"SELECT pg_total_relation_size('{SCHEMA}.search_documents')")).scalar_one()
    print(f"table with indexes: {size / 1e6:.0f} MB")

    from flask import Flask

    from portal.extensions import db
    from portal.search.postgres_backend import PostgresBackend

    app = Flask("bench")
    app.config["SQLALCHEMY_DATABASE_URI"] = f"{URL}?options=-csearch_path%3D{SCHEMA}"
    app.config["SEARCH_MAX_CANDIDATES"] = 1000
    db.init_app(app)
    with app.app_context():
        backend = PostgresBackend()
        timings, totals = [], {}
        for _round in range(3):
            for query in QUERIES:
                started = time.perf_counter()
                page = backend.search(parse_query(query), [1], ("comment",), 20, 0)
                timings.append((time.perf_counter() - started) * 1000)
                totals[query] = f"{page.total}{'+' if page.total_is_capped else ''}"
        timings.sort()
        print(f"query: {len(QUERIES)} queries x 3: p50 {statistics.median(timings):.1f} ms, "
              f"p90 {timings[int(len(timings) * 0.9)]:.1f} ms, max {timings[-1]:.1f} ms; "
              f"load average {os.getloadavg()[0]:.1f}")
        print("matches per query (capped at 1000):", ", ".join(f"{q} {n}" for q, n in totals.items()))
        db.session.remove()
    with engine.begin() as c:
        c.execute(sa.text(f"DROP SCHEMA {SCHEMA} CASCADE"))


if __name__ == "__main__":
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    main(int(numbers[0]) if numbers else 1_000_000)
