"""Shared by the HTTP benchmarks: an idle check, a portal database to load, gunicorn, wrk.

Nothing here asserts on time; the scripts print figures.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
POSTGRES_URL = os.environ.get("PORTAL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SEEDS = ROOT / "samples"


def machine() -> str:
    return f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"


def wait_until_idle(max_load: float = 0.7, timeout: float = 120.0) -> float:
    """Wait (up to ``timeout``) for the 1-minute load average to fall below ``max_load``; say what it was."""
    deadline = time.monotonic() + timeout
    load = os.getloadavg()[0]
    while load >= max_load and time.monotonic() < deadline:
        time.sleep(5)
        load = os.getloadavg()[0]
    state = "idle" if load < max_load else "NOT idle (figures are pessimistic)"
    print(f"machine: {machine()}; load average {load:.2f} before the run: {state}", flush=True)
    return load


def timed_statements(engine) -> list[tuple[str, float]]:
    """A list that every SQL statement ``engine`` runs from now on is appended to, with its time in seconds (clear it
    between two measurements)."""
    from sqlalchemy import event

    statements: list[tuple[str, float]] = []
    started: list[float] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):
        started.append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, time.perf_counter() - started.pop()))

    return statements


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- a database for the portal ------------------------------------------------------------------------

@contextmanager
def portal_database(kind: str):
    """A fresh, migrated portal database: yields its SQLAlchemy URL (SQLite file, or a PostgreSQL schema)."""
    import sqlalchemy as sa

    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="portal-bench-") as tmp:
            url = f"sqlite:///{tmp}/portal.db"
            _migrate(url)
            yield url
        return
    schema = f"portal_bench_{os.getpid()}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    try:
        _migrate(url)
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    from portal import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        from portal.extensions import db

        db.engine.dispose()


def open_consultation(app, seed: str = "003"):
    """Import a seed and publish it, open from now for 30 days; every unit it names gets an address."""
    from datetime import timedelta

    from portal.consultations.services import publish_consultation
    from portal.core.time import now
    from portal.drafts.services import import_draft, parse_file
    from portal.extensions import db
    from portal.units.models import Unit

    (path,) = SEEDS.glob(f"{seed}_*.txt")
    text, parsed = parse_file(path.read_bytes(), path.name)
    consultation = import_draft(parsed.to_dict(), text, path.name)
    publish_consultation(consultation, now() - timedelta(minutes=1), now() + timedelta(days=30))
    names = {name for s in consultation.current_draft.sections for name in s.unit_names or []}
    for number, name in enumerate(sorted(names)):
        db.session.add(Unit(name=name, emails=[f"unit{number}@units.example.gov.cn"]))
    db.session.commit()
    return consultation


# --- gunicorn -----------------------------------------------------------------------------------------

REDIS_URL = os.environ.get("PORTAL_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def rate_limit_storage() -> dict:
    """Several workers must share their rate-limit counts (README, Deployment): Redis when it answers, as in
    a real deployment, which also shares the whole public pages (PORTAL_PAGE_CACHE_URL); else each worker's
    memory (said in the output)."""
    host, port = REDIS_URL.split("//", 1)[1].split("/", 1)[0].split(":")
    try:
        with socket.create_connection((host, int(port)), timeout=1) as probe:
            probe.sendall(b"PING\r\n")
            if probe.recv(16).startswith(b"+PONG"):
                print(f"rate limits and shared pages: Redis at {REDIS_URL}", flush=True)
                return {"PORTAL_RATELIMIT_STORAGE_URI": REDIS_URL, "PORTAL_PAGE_CACHE_URL": REDIS_URL}
    except OSError:
        pass
    print("rate limits: in each worker's memory (no Redis answered)", flush=True)
    return {}

@contextmanager
def gunicorn(app_spec: str, env: dict, workers: int = 3, worker_class: str = "sync", threads: int = 1,
             port: int | None = None):
    """Serve ``app_spec`` (``module:app``) with gunicorn on 127.0.0.1; yields (base URL, process)."""
    port = port or free_port()
    command = [
        str(VENV_BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--worker-class", worker_class, "--threads", str(threads), "--backlog", "2048",
        "--keep-alive", "5", "--log-level", "warning", "--chdir", str(ROOT), app_spec,
    ]
    if app_spec.startswith(("wsgi:", "bench.portal_floor:")):  # the portal
        env = {**rate_limit_storage(), **env}
    process = subprocess.Popen(command, env={**os.environ, **env, "PYTHONPATH": str(ROOT)})
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base, process)
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for(base: str, process, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            urllib.request.urlopen(base + "/", timeout=2).read()  # noqa: S310 (loopback)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer")


# --- wrk ----------------------------------------------------------------------------------------------

@dataclass
class WrkResult:
    requests: int
    seconds: float
    rate: float
    p50_ms: float
    p99_ms: float
    errors: str  # socket errors and non-2xx/3xx responses, as wrk reports them

    def line(self, what: str = "req/s") -> str:
        return f"{self.rate:,.0f} {what}, p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms"


def wrk(url: str, script: Path | None = None, seconds: int = 10, connections: int = 16, threads: int = 2,
        env: dict | None = None) -> WrkResult:
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    command = ["wrk", "--latency", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True,
                            env={**os.environ, **(env or {})}).stdout
    requests_match = re.search(r"(\d+) requests in ([\d.]+)(m?s|m)\b", output)
    seconds_taken = float(requests_match.group(2))
    if requests_match.group(3) == "ms":
        seconds_taken /= 1000
    elif requests_match.group(3) == "m":
        seconds_taken *= 60
    errors = "; ".join(line.strip() for line in output.splitlines()
                       if "Socket errors" in line or "Non-2xx" in line) or "none"
    return WrkResult(
        requests=int(requests_match.group(1)),
        seconds=seconds_taken,
        rate=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=_ms(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),
        p99_ms=_ms(re.search(r"99%\s+([\d.]+\w+)", output).group(1)),
        errors=errors,
    )


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]
