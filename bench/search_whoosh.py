"""Whoosh: index 100,000 generated comments of one consultation, then time queries. Prints figures.

    .venv/bin/python bench/search_whoosh.py [COUNT] [--count COUNT]

``--count 20000`` (or a bare number) for a quick check; 100,000 by default.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.search_corpus import QUERIES, comments  # noqa: E402
from portal.search.analysis import parse_query  # noqa: E402
from portal.search.documents import Document  # noqa: E402
from portal.search.whoosh_backend import WhooshBackend  # noqa: E402


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (a large rebuild uses two processes)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main(count: int) -> None:
    texts = list(comments(count))
    chars = sum(len(t) for t in texts)
    print(f"corpus: {count} comments, {chars / count:.0f} characters on average; cpus: {os.cpu_count()}")
    with tempfile.TemporaryDirectory() as root:
        backend = WhooshBackend(Path(root))
        docs = (Document("comment", i + 1, 1, text) for i, text in enumerate(texts))
        started, cpu = time.perf_counter(), cpu_seconds()
        backend.replace_comments(1, docs)
        seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
        size = sum(f.stat().st_size for f in Path(root).rglob("*") if f.is_file())
        print(f"index: {count} comments in {seconds:.1f} s = {count / seconds:.0f} comments/s wall clock; "
              f"{cpu:.1f} s of CPU (both processes) = {count / cpu:.0f} comments/s per CPU second; {size / 1e6:.0f} MB; "
              f"load average {os.getloadavg()[0]:.1f}")

        started = time.perf_counter()
        backend.update_comments(1, [Document("comment", count + i + 1, 1, t) for i, t in enumerate(texts[:500])], [])
        seconds = time.perf_counter() - started
        print(f"update: a batch of 500 new comments in {seconds:.2f} s (what the worker does)")

        timings, cpu_timings, totals = [], [], {}
        for round_ in range(3):
            for query in QUERIES:
                started, cpu = time.perf_counter(), time.process_time()
                page = backend.search(parse_query(query), [1], ("comment",), 20, 0)
                timings.append((time.perf_counter() - started) * 1000)
                cpu_timings.append((time.process_time() - cpu) * 1000)
                totals[query] = page.total
        timings.sort()
        print(f"query: {len(QUERIES)} queries x 3: p50 {statistics.median(timings):.0f} ms, "
              f"p90 {timings[int(len(timings) * 0.9)]:.0f} ms, max {timings[-1]:.0f} ms wall clock; "
              f"p50 {statistics.median(cpu_timings):.0f} ms of CPU; load average {os.getloadavg()[0]:.1f}")
        print("matches per query:", ", ".join(f"{q} {n}" for q, n in totals.items()))


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count_arg", nargs="?", type=int)
    parser.add_argument("--count", type=int)
    args = parser.parse_args()
    main(args.count or args.count_arg or 100_000)
