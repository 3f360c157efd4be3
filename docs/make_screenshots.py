"""Make docs/review.png: the office's review page of a sample draft, as headless Chromium shows it.

    .venv/bin/python docs/make_screenshots.py

Builds the page with the Flask test client (a temporary SQLite database, an office account logged in
through the login form, sample 003 uploaded through the upload form), writes it to a temporary .html file
with the stylesheet beside it, and screenshots that file with /usr/bin/chromium (or $CHROMIUM).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def token(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def review_page_html(workdir: Path) -> str:
    from flask_migrate import upgrade

    from portal import create_app
    from portal.accounts.services import create_user
    from portal.extensions import db
    from portal.units.models import Unit, UnitAlias

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'screens.db'}", "SECRET_KEY": "screens",
                      "TESTING": True})
    with app.app_context():
        upgrade()
        office = Unit(name="市养老服务体系建设工作领导小组办公室", emails=["ylb@example.gov.cn"])
        government = Unit(name="市人民政府办公室", emails=["zfb@example.gov.cn"])
        db.session.add_all([office, government, Unit(name="市民政局", emails=["mz@example.gov.cn"], parent=government),
                            UnitAlias(unit=government, alias="市政府办公室")])
        create_user("li@example.gov.cn", "李麒麟", "screenshot pw 1", "office", office)
        db.session.commit()
    client = app.test_client()
    client.post("/login", data={"csrf_token": token(client, "/login"), "email": "li@example.gov.cn",
                                "password": "screenshot pw 1"})
    sample = next((ROOT / "samples").glob("003_*.txt"))
    with sample.open("rb") as handle:
        response = client.post("/office/upload", data={"csrf_token": token(client, "/office/upload"),
                                                       "file": (handle, "养老服务三年行动方案（征求意见稿）.txt")})
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"]).get_data(as_text=True)


def main() -> None:
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    out = ROOT / "docs" / "review.png"
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        html = review_page_html(workdir)
        shutil.copy(ROOT / "portal" / "static" / "portal.css", workdir / "portal.css")
        html = html.replace('href="/static/portal.css"', 'href="portal.css"')
        html = re.sub(r'<script src="/static/portal.js"[^>]*></script>', "", html)
        page = workdir / "review.html"
        page.write_text(html, encoding="utf-8")
        subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             f"--user-data-dir={workdir / 'profile'}", f"--screenshot={out}", "--window-size=1280,1600",
             page.as_uri()],
            check=True, capture_output=True, timeout=120,
        )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
