"""Import of each seed: read + parse time, and the full import into a fresh SQLite database.

Target (issue 9): < 200 ms for the largest seed. Prints figures; asserts nothing.
Run: .venv/bin/python bench/import_seeds.py [--repeat 20] [--pdf]

``--pdf``: each seed printed to PDF first by Debian's Chromium (Playwright; A4, 16 pt, justified, numbered pages,
as tests/browser/test_pdf_draft.py prints them), then read and imported from the PDF: a draft an office has only as
a PDF.
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
    parser.add_argument("--pdf", action="store_true", help="import each seed printed to PDF by Chromium")
    args = parser.parse_args()

    from flask_migrate import upgrade

    from portal import create_app
    from portal.drafts.services import import_draft, parse_file
    from portal.extensions import db

    seeds = [(path.name, path.read_bytes()) for path in sorted((ROOT / "samples").glob("*.txt"))]
    if args.pdf:
        seeds = [(name.replace(".txt", ".pdf"), data) for name, data in printed(seeds)]
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db"})
        with app.app_context():
            upgrade()
            print(f"{'seed':<28}{'bytes':>8}{'parse p50 ms':>14}{'import p50 ms':>15}{'vs 200 ms':>11}")
            for name, data in seeds:
                parse_times, import_times = [], []
                for _ in range(args.repeat):
                    start = time.perf_counter()
                    text, parsed = parse_file(data, name)
                    parse_times.append((time.perf_counter() - start) * 1000)
                    start = time.perf_counter()
                    import_draft(parsed.to_dict(), text, name)
                    db.session.commit()
                    import_times.append(parse_times[-1] + (time.perf_counter() - start) * 1000)
                p_parse, p_import = statistics.median(parse_times), statistics.median(import_times)
                print(f"{name:<28}{len(data):>8}{p_parse:>14.1f}{p_import:>15.1f}{p_import / TARGET_MS:>10.2f}x")
    print(f"(machine: {os.cpu_count()} cores; import = read + parse + store in SQLite + commit)")


def printed(seeds: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """Each seed's text printed to PDF by Chromium."""
    import html

    from playwright.sync_api import sync_playwright

    out = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium"))
        for name, data in seeds:
            body = "".join(f"<p>{html.escape(line)}</p>" for line in data.decode("utf-8").splitlines() if line.strip())
            page = browser.new_page()
            page.set_content(f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>
                body {{ font-family: "Noto Serif CJK SC", serif; font-size: 16pt; line-height: 1.6; }}
                p {{ margin: 0; text-indent: 2em; text-align: justify; }}</style></head><body>{body}</body></html>""")
            out.append((name, page.pdf(format="A4", display_header_footer=True, header_template="<span></span>",
                                       margin={"top": "25mm", "bottom": "25mm", "left": "28mm", "right": "26mm"},
                                       footer_template='<div style="font-size:12pt;width:100%;text-align:center">'
                                                       '— <span class="pageNumber"></span> —</div>')))
            page.close()
        browser.close()
    return out


if __name__ == "__main__":
    main()
