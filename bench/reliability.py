"""Reliability, the long run: minutes of concurrent submissions over HTTP while gunicorn workers are
SIGKILLed mid-request and the SMTP server goes down and comes back; then every comment that got a receipt
must be stored exactly once, and every routed mail delivered exactly once. Prints the counts.

The scenario is tests/reliability/scenario.py (the test suite runs it for a few seconds).
Run: .venv/bin/python bench/reliability.py [--database sqlite|postgresql|both] [--seconds 120]
     [--citizens 8] [--kills 6] [--outages 3]
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import machine, portal_database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--citizens", type=int, default=8)
    parser.add_argument("--kills", type=int, default=6)
    parser.add_argument("--outages", type=int, default=3)
    args = parser.parse_args()
    logging.disable(logging.INFO)

    from portal import create_app
    from tests.conftest import SMTPSink
    from tests.reliability.scenario import run

    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.2f}")
    failed = False
    for kind in ("sqlite", "postgresql") if args.database == "both" else (args.database,):
        with portal_database(kind) as url, tempfile.TemporaryDirectory() as instance:
            app = create_app({"SQLALCHEMY_DATABASE_URI": url})
            smtp = SMTPSink()
            smtp.start()
            try:
                outcome = run(app, url, smtp, Path(instance), seconds=args.seconds, citizens=args.citizens,
                              kills=args.kills, outages=args.outages)
            finally:
                smtp.stop()
            print(f"\n{kind}, {args.seconds:.0f} s of load from {args.citizens} concurrent clients:")
            print(outcome.report())
            failed |= not outcome.exactly_once
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
