"""Comment submission over HTTP: gunicorn on 127.0.0.1, wrk (16 connections) in a second process.

Every request is what a browser sends: the session cookie and CSRF token (fetched first by the wrk
script from the section page), a varied comment on a random section; the portal validates it, stores
the comment with its moderation screening (flags), its routing queue row (the outbox event: the mail worker
turns it into the outbox rows, one for each address of the consultation's contact and of the responsible units
and a confirmation request to commenters who left an e-mail) and, when it is public at once, its search queue
row, in one transaction, and answers 303 to the receipt. After the run, the mail worker's routing of those
comments (``route_queued``: their outbox rows) is timed too, in-process.

In the same run, after checking the machine is idle, it measures the limit: a minimal Flask endpoint
that parses a 3-field form and returns 201, served the same way. The comments come from 50,000 citizens:
each request names a random address in X-Forwarded-For and the portal is told it sits behind one proxy
(PORTAL_TRUST_PROXY=1, as behind nginx), so the portal's own comment rate limit (10/minute;100/day) is on
and counts each citizen's comments, as in a real burst; from one address it would refuse all but 10.

Targets (issue 9): SQLite >= 700 accepted comments/s, p99 < 50 ms, >= 0.5 x the limit;
PostgreSQL >= 450/s, p99 < 100 ms, >= 0.3 x the limit.

Run: .venv/bin/python bench/submit_comments.py [--database sqlite|postgresql|both] [--seconds 20]
     [--workers N] [--floor] [--profile] [--in-process] [--instructions [COUNT]]
     (--floor: also the portal's floor, bench/portal_floor.py: the same requests through the portal's stack
     to an endpoint that does no work of its own;
     --profile: cProfile of 300 submissions in-process instead;
     --in-process: the CPU time of a submission through direct WSGI calls, best and median of 5 rounds;
     --instructions: the instructions a submission executes, counted by valgrind's callgrind: repeatable)

gunicorn sync workers: by default 2 on SQLite (one per core: a SQLite worker never waits on a network, and a
third only adds switching) and 5 on PostgreSQL (a worker waits for the server's answers, ~40 % of its time:
2026-12-03, 15 s runs, 3 workers 405/s, 4 507/s, 5 559-705/s, 6 516/s); the limit is measured with 3 (2 or 3
workers give it within 2 %). ``--threads N``: gthread workers instead, for portal and limit (slower for the
portal: 476/s on SQLite and 364/s on PostgreSQL with 2 workers of 4 threads, 2026-12-03).
"""
from __future__ import annotations

import argparse
import gc
import io
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import ROOT, gunicorn, open_consultation, portal_database, wait_until_idle, wrk  # noqa: E402

TARGETS = {"sqlite": (700, 50, 0.5), "postgresql": (450, 100, 0.3)}
DEFAULT_WORKERS = {"sqlite": 2, "postgresql": 5}


def citizen_address(i: int) -> str:
    """The address of the in-process runs' ``i``-th comment (10.x.y.z, as the wrk script's)."""
    return f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"


def comment_form(i: int, token: str, targets: list[int]) -> dict:
    """The in-process runs' ``i``-th comment as its form fields; with BENCH_MULTIPART=1 sent as a browser sends the
    form since it takes attachments (multipart/form-data, the file field empty)."""
    form = {
        "csrf_token": token, "section_id": str(targets[i % len(targets)]), "parent_id": "",
        "stance": "suggest", "body": f"建议在每个社区建设老年食堂，方便老人就近吃饭。第{i}条意见，希望尽快落实。",
        "author_name": "王大爷", "author_contact": f"c{i}@example.com" if i % 4 == 0 else "", "website": "",
        # the form's one-use key, its own for each form a browser is shown (migration 0055)
        "submission_key": f"bench{i:027d}",
    }
    if os.environ.get("BENCH_MULTIPART") == "1":
        form["attachments"] = (io.BytesIO(b""), "", "application/octet-stream")
    return form


def prepare(url: str) -> tuple[int, str, list[int]]:
    """An open consultation (seed 003): its id, a section page, and the sections comments go to."""
    from portal import create_app
    from portal.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        consultation = open_consultation(app)
        sections = consultation.current_draft.sections
        targets = [s.id for s in sections if not s.children]
        page = f"/consultations/{consultation.id}/sections/{sections[3].anchor}"
        consultation_id = consultation.id
        db.session.remove()
        db.engine.dispose()
    return consultation_id, page, targets


def counts(url: str) -> dict[str, int]:
    import sqlalchemy as sa

    engine = sa.create_engine(url.replace("sqlite:///", "sqlite:///", 1))
    with engine.connect() as connection:
        found = {
            table: connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("comments", "routing_queue", "outbox", "search_queue", "form_letter_bands")
        }
    engine.dispose()
    return found


def portal_env(url: str, instance: str) -> dict:
    """The portal's settings under gunicorn: the database, a secret, one proxy in front (whose X-Forwarded-For
    the wrk script sets) and an instance folder of its own."""
    return {"PORTAL_DATABASE_URL": url, "PORTAL_SECRET_KEY": "bench-secret", "PORTAL_TRUST_PROXY": "1",
            "PORTAL_INSTANCE_PATH": instance}


def script_env(consultation_id: int, page: str, targets: list[int], action: str) -> dict:
    """What bench/submit_comments.lua reads: the page its token comes from, where it posts (``action`` of the
    consultation: ``comments``, or the floor's ``floor``) and the sections its comments go to."""
    return {"BENCH_PAGE": page, "BENCH_POST": f"/consultations/{consultation_id}/{action}",
            "BENCH_SECTIONS": ",".join(map(str, targets))}


def run_portal(kind: str, seconds: int, workers: int, limit: float, threads: int = 1) -> None:
    with portal_database(kind) as url, tempfile.TemporaryDirectory() as instance:
        consultation_id, page, targets = prepare(url)
        env = portal_env(url, instance)
        script = script_env(consultation_id, page, targets, "comments")
        with gunicorn("wsgi:app", env, workers=workers, **worker_class(threads)) as (base, _process):
            wrk(base + page, ROOT / "bench/submit_comments.lua", seconds=3, env=script)  # warm up
            before = counts(url)
            result = wrk(base + page, ROOT / "bench/submit_comments.lua", seconds=seconds, env=script)
            after = counts(url)
        accepted = after["comments"] - before["comments"]
        rate = accepted / result.seconds
        goal_rate, goal_p99, goal_ratio = TARGETS[kind]
        print(f"\n{kind}: {accepted:,} comments accepted in {result.seconds:.1f} s "
              f"({result.requests:,} requests, errors: {result.errors})")
        per = {k: (after[k] - before[k]) / max(accepted, 1)
               for k in ("routing_queue", "outbox", "search_queue", "form_letter_bands")}
        print(f"  per comment: {per['routing_queue']:.2f} routing queue rows, {per['outbox']:.2f} outbox rows, "
              f"{per['search_queue']:.2f} search queue rows, {per['form_letter_bands']:.1f} form-letter band keys")
        print(f"  {rate:,.0f} accepted comments/s (target >= {goal_rate}), p50 {result.p50_ms:.1f} ms, "
              f"p99 {result.p99_ms:.1f} ms (target < {goal_p99}), "
              f"{rate / limit:.2f} x the limit (target >= {goal_ratio})")
        verdict = rate >= goal_rate and result.p99_ms < goal_p99 and rate / limit >= goal_ratio
        print(f"  {'met' if verdict else 'MISSED'}; load average now {os.getloadavg()[0]:.2f}")
        route_all(url)


def run_floor(kind: str, seconds: int, workers: int, limit: float, threads: int = 1) -> None:
    """The portal's floor: the same requests as the submission's, sent to ``bench/portal_floor.py``'s endpoint,
    which passes through the portal's whole stack (session, CSRF, hooks, headers) and does nothing else."""
    with portal_database(kind) as url, tempfile.TemporaryDirectory() as instance:
        consultation_id, page, targets = prepare(url)
        env = portal_env(url, instance)
        script = script_env(consultation_id, page, targets, "floor")
        with gunicorn("bench.portal_floor:app", env, workers=workers, **worker_class(threads)) as (base, _process):
            wrk(base + page, ROOT / "bench/submit_comments.lua", seconds=3, env=script)  # warm up
            result = wrk(base + page, ROOT / "bench/submit_comments.lua", seconds=seconds, env=script)
    print(f"\n{kind}: the portal's floor (its stack, no work of the view): {result.line()}, "
          f"{result.rate / limit:.2f} x the limit; errors: {result.errors}")


def route_all(url: str) -> None:
    """What the mail worker does first with the comments just stored: plan their mails and write their outbox
    rows (``route_queued``, batches of 100 as ``flask mail deliver`` takes them), timed in this process."""
    import time

    from portal import create_app
    from portal.extensions import db
    from portal.routing.queue import route_queued

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    before = counts(url)
    with app.app_context():
        started, cpu = time.perf_counter(), time.process_time()
        routed = 0
        while taken := route_queued(batch=100):
            routed += taken
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        db.session.remove()
        db.engine.dispose()
    rows = counts(url)["outbox"] - before["outbox"]
    print(f"  mail worker: routed {routed:,} comments in {seconds:.1f} s ({routed / max(seconds, 1e-9):,.0f}/s, "
          f"{cpu / max(routed, 1) * 1000:.2f} ms of CPU each), {rows / max(routed, 1):.2f} outbox rows a comment")


def worker_class(threads: int) -> dict:
    """gunicorn's sync workers (one request at a time, a new connection for each), or with ``threads`` > 1 its
    gthread workers (threads, and connections kept alive)."""
    return {"worker_class": "gthread", "threads": threads} if threads > 1 else {}


def measure_limit(seconds: int, workers: int, threads: int = 1) -> float:
    with gunicorn("bench.minimal_app:app", {}, workers=workers, **worker_class(threads)) as (base, _process):
        wrk(base + "/form", ROOT / "bench/minimal_form.lua", seconds=2)
        result = wrk(base + "/form", ROOT / "bench/minimal_form.lua", seconds=seconds)
    print(f"limit (minimal Flask, 3-field form, 201): {result.line()}; errors: {result.errors}")
    return result.rate


def profile(kind: str, count: int = 300) -> None:
    """cProfile of ``count`` submissions through the Flask test client (the same view, no server)."""
    import cProfile
    import pstats
    import re

    from portal import create_app

    with portal_database(kind) as url:
        consultation_id, page, targets = prepare(url)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        gc.freeze()  # as wsgi.py does after start-up
        client = app.test_client()
        html = client.get(page).get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)

        def submit(i: int):
            response = client.post(f"/consultations/{consultation_id}/comments",
                                   environ_base={"REMOTE_ADDR": citizen_address(i)},
                                   data=comment_form(i, token, targets))
            assert response.status_code == 303, response.status_code

        for i in range(50):
            submit(i)
        profiler = cProfile.Profile()
        profiler.enable()
        for i in range(50, 50 + count):
            submit(i)
        profiler.disable()
        stats = pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "cumulative"))
        print(f"{stats.total_tt / count * 1000:.2f} ms per submission (in-process, under the profiler)")
        stats.print_stats(int(os.environ.get("BENCH_LINES", "45")))
        if os.environ.get("BENCH_CALLERS"):  # who calls these (a regular expression of function names)
            stats.print_callers(os.environ["BENCH_CALLERS"])


def in_process(kind: str, count: int = 3000, rounds: int = 5) -> None:
    """CPU time of a submission in-process: direct WSGI calls (no server, no test client), the same requests
    as the wrk script's; best and median of ``rounds`` rounds. Steadier than the HTTP figures on a machine
    whose speed varies, for comparing two versions of the code run in turn. Each round's requests are built
    (werkzeug's EnvironBuilder) before it is timed."""
    import time

    with direct_submissions(kind) as (environs, submit, _app):
        for environ in environs(range(200)):  # warm up
            submit(environ)
        figures, per_round = [], count // rounds
        for n in range(rounds):
            batch = environs(range(200 + n * per_round, 200 + (n + 1) * per_round))
            started = time.process_time()
            for environ in batch:
                submit(environ)
            figures.append((time.process_time() - started) / per_round * 1000)
        figures.sort()
        print(f"{kind}: {figures[0]:.2f} ms of CPU a submission at best, {figures[len(figures) // 2]:.2f} ms median "
              f"({rounds} rounds of {per_round}, in-process)")


def instructions(kind: str, count: int = 200) -> None:
    """Instructions a submission executes, counted by valgrind's callgrind: the same in-process requests as
    ``in_process``, only the ``count`` timed ones counted (collection switched on around them with
    callgrind_control), PYTHONHASHSEED fixed. Repeatable to ~0.1 % whatever the machine is doing, so two
    versions of the code can be compared on this noisy machine (apt-get install -y valgrind)."""
    import shutil
    import subprocess

    if shutil.which("valgrind") is None:
        sys.exit("valgrind is missing: apt-get install -y valgrind")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        result = subprocess.run(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
             sys.executable, __file__, "--database", kind, "--counted-child", str(count)],
            env={**os.environ, "PYTHONHASHSEED": "0"}, capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(result.stdout + result.stderr)
        collected = int(next(line for line in result.stderr.splitlines() if "Collected" in line).split()[-1])
    print(f"{kind}: {collected / count / 1e6:.2f} million instructions a submission "
          f"({count} submissions under callgrind, in-process)")


def _counted_child(kind: str, count: int) -> None:
    """Under callgrind (``instructions``): warm up, then count ``count`` submissions."""
    import subprocess

    with direct_submissions(kind) as (environs, submit, _app):
        for environ in environs(range(100)):  # warm up
            submit(environ)
        counted = environs(range(100, 100 + count))  # built before counting
        subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], capture_output=True, check=True)
        for one in counted:
            submit(one)
        subprocess.run(["callgrind_control", "-i", "off", str(os.getpid())], capture_output=True, check=True)


@contextmanager
def direct_submissions(kind: str):
    """A fresh database with an open consultation and the portal's app, for the in-process modes: yields
    ``environs(numbers)`` (the WSGI environs of those comments, as the wrk script sends them, with a reader's
    cookie and CSRF token), ``submit(environ)`` (one direct WSGI call, which must answer 303) and the app."""
    import re

    from werkzeug.test import EnvironBuilder

    from portal import create_app

    with portal_database(kind) as url:
        consultation_id, page, targets = prepare(url)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        gc.freeze()  # as wsgi.py does after start-up
        response = app.test_client().get(page)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.get_data(as_text=True)).group(1)
        cookie = response.headers["Set-Cookie"].split(";")[0]
        statuses = []

        def environs(numbers) -> list[dict]:
            return [EnvironBuilder(f"/consultations/{consultation_id}/comments", method="POST",
                                   headers={"Cookie": cookie}, environ_base={"REMOTE_ADDR": citizen_address(i)},
                                   data=comment_form(i, token, targets)).get_environ() for i in numbers]

        def submit(environ: dict) -> None:
            result = app.wsgi_app(environ, lambda status, headers, exc_info=None: statuses.append(status))
            b"".join(result)
            getattr(result, "close", lambda: None)()
            if not statuses[-1].startswith("303"):
                raise RuntimeError(f"submission answered {statuses[-1]}")

        yield environs, submit, app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn sync workers (default: 2 on SQLite, 5 on PostgreSQL; the limit: 3)")
    parser.add_argument("--threads", type=int, default=1,
                        help="> 1: gunicorn gthread workers with this many threads each (portal and limit)")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--in-process", action="store_true",
                        help="CPU time of a submission through direct WSGI calls instead of the HTTP run")
    parser.add_argument("--instructions", type=int, nargs="?", const=200, default=None, metavar="COUNT",
                        help="instructions a submission executes, counted by callgrind (default 200 submissions)")
    parser.add_argument("--floor", action="store_true",
                        help="also measure the portal's floor (bench/portal_floor.py) in the same run")
    parser.add_argument("--counted-child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    kinds = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    if args.counted_child:
        _counted_child(kinds[0], args.counted_child)
        return
    if args.instructions:
        for kind in kinds:
            instructions(kind, args.instructions)
        return
    if args.profile:
        for kind in kinds:
            profile(kind)
        return
    if args.in_process:
        for kind in kinds:
            in_process(kind)
        return
    wait_until_idle()
    workers = {kind: args.workers or DEFAULT_WORKERS[kind] for kind in kinds}
    kind_of_worker = f"gthread workers ({args.threads} threads each)" if args.threads > 1 else "sync workers"
    print(f"gunicorn: {kind_of_worker} {workers}; wrk: 2 threads, 16 connections; "
          "comments from 50,000 citizens' addresses (X-Forwarded-For), the comment rate limit on")
    limit = measure_limit(args.seconds, args.workers or 3, args.threads)
    for kind in kinds:
        run_portal(kind, args.seconds, workers[kind], limit, args.threads)
        if args.floor:
            run_floor(kind, args.seconds, workers[kind], limit, args.threads)
    measure_limit(args.seconds, args.workers or 3, args.threads)  # again: did the machine stay as it was?


if __name__ == "__main__":
    main()
