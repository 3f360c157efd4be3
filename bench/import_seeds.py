"""Import of each seed: read + parse time, and the full import into a fresh SQLite database.

Target (issue 9): < 200 ms for the largest seed. Prints figures; asserts nothing.
Run: .venv/bin/python bench/import_seeds.py [--repeat 20]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_MS = 200.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from portal import create_app
    from portal.drafts.services import import_draft, parse_file
    from portal.extensions import db

    seeds = sorted((ROOT / "samples").glob("*.txt"))
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db"})
        with app.app_context():
            upgrade()
            print(f"{'seed':<28}{'bytes':>8}{'parse p50 ms':>14}{'import p50 ms':>15}{'vs 200 ms':>11}")
            for path in seeds:
                data = path.read_bytes()
                parse_times, import_times = [], []
                for _ in range(args.repeat):
                    start = time.perf_counter()
                    text, parsed = parse_file(data, path.name)
                    parse_times.append((time.perf_counter() - start) * 1000)
                    start = time.perf_counter()
                    import_draft(parsed.to_dict(), text, path.name)
                    db.session.commit()
                    import_times.append(parse_times[-1] + (time.perf_counter() - start) * 1000)
                p_parse, p_import = statistics.median(parse_times), statistics.median(import_times)
                print(f"{path.name:<28}{len(data):>8}{p_parse:>14.1f}{p_import:>15.1f}{p_import / TARGET_MS:>10.2f}x")
    print(f"(machine: {os.cpu_count()} cores; import = read + parse + store in SQLite + commit)")


if __name__ == "__main__":
    main()
