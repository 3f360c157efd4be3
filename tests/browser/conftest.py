"""Real-browser tests: Debian's headless Chromium driven by Playwright against the portal on 127.0.0.1.

The portal runs in a werkzeug server thread on a free port, with its own SQLite file, the seeds loaded
and the clock fixed on 20 April 2023 (seed 003 open). Without /usr/bin/chromium or the playwright
package these tests skip with the reason (``./test.sh`` installs both through ``.ci/run`` and the test
extras). Playwright's own browser download is never used.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db
from tests.conftest import SEEDS

CHROMIUM = Path(os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
FIXED_NOW = datetime(2023, 4, 20, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai: seed 003 is open
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1024, "height": 900}


@dataclass
class Portal:
    url: str
    app: Flask
    consultation_id: int
    consultation_title: str

    def cli(self, *args: str) -> str:
        result = self.app.test_cli_runner().invoke(args=list(args))
        assert result.exit_code == 0, result.output
        return result.output

    def approve(self, *receipts: str) -> None:
        self.cli("comments", "approve", *receipts)

    MODERATOR = ("moderator@example.gov.cn", "moderator pass 1")

    def ensure_moderator(self) -> tuple[str, str]:
        """A moderator account (made once) to log in with through the login page."""
        from portal.accounts.models import User
        from portal.accounts.services import create_user

        with self.app.app_context():
            if db.session.scalar(select(User).where(User.email == self.MODERATOR[0])) is None:
                create_user(self.MODERATOR[0], "审核员", self.MODERATOR[1], "moderator")
                db.session.commit()
            db.session.remove()
        return self.MODERATOR


@pytest.fixture(scope="session")
def live_portal(tmp_path_factory):
    database = tmp_path_factory.mktemp("browser") / "portal.db"
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "SECRET_KEY": "browser-tests",
        "CLOCK": lambda: FIXED_NOW,
        "RATELIMIT_ENABLED": False,
        # the comments' own limit (counted from the comments table, per client address: every test's browser is
        # 127.0.0.1): the tests together post more than ten comments a minute (tests/moderation tests the limit)
        "COMMENT_RATE_LIMIT": "1000/minute",
    })
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
    runner = app.test_cli_runner()
    loaded = runner.invoke(args=["consultations", "load-samples", "--dir", str(SEEDS)])
    assert loaded.exit_code == 0, loaded.output
    with app.app_context():
        from portal.comments.services import approve_comment, submit_comment
        from portal.consultations.models import Consultation
        from portal.drafts.models import Draft

        consultation = db.session.scalar(
            select(Consultation).join(Draft, Draft.consultation_id == Consultation.id)
            .where(Draft.source_filename.like("003_%"))
        )
        assert consultation.state() == "open"
        # one approved comment on the whole draft, so that threads and the reply page exist from the start
        approve_comment(submit_comment(consultation, "整体赞成，希望尽快实施。", "support", author_name="李阿姨"))
        # terms explained (术语解释), so that the pages' checks (axe, widths) see their boxes too
        consultation.terms = [{"term": "失能失智", "explanation": "生活不能自理，或者记忆和判断出了问题。"},
                              {"term": "普惠型养老服务", "explanation": "价格不高、大多数老人都用得起的养老服务。"}]
        # key questions (重点问题): their box and the comment form's list, likewise
        consultation.questions = ["补贴标准定为每人每月200元是否合适？", "社区助餐点应当由谁来办？"]
        consultation.question_choices = [["合适", "偏低", "偏高"], None]  # the first offers choices (选择题)
        db.session.commit()
        consultation_id, title = consultation.id, consultation.title
        db.session.remove()

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="portal-server", daemon=True)
    thread.start()
    yield Portal(f"http://127.0.0.1:{server.server_port}", app, consultation_id, title)
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium (`.ci/run` does)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, live_portal):
    """A new page in a fresh context (own cookies): ``open_page(viewport=PHONE, javascript=False)``.

    Violations of the Content-Security-Policy reported by the browser fail the test.
    """
    contexts, csp_errors = [], []

    def open_(viewport=DESKTOP, javascript=True, bypass_csp=False, locale="zh-CN"):
        context = browser.new_context(
            base_url=live_portal.url, viewport=viewport, java_script_enabled=javascript, bypass_csp=bypass_csp,
            locale=locale, is_mobile=viewport["width"] < 600, has_touch=viewport["width"] < 600,
        )
        # a bound against a page that never comes, not a speed check: a loaded 2-core CI machine once took more
        # than 10 s to finish a navigation that takes a fraction of a second alone (2026-12-06)
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not csp_errors, csp_errors


@pytest.fixture
def moderator_page(open_page, live_portal):
    """``moderator_page(viewport=…)``: a new page where a moderator has logged in through the login page and opened
    the moderation queue."""

    def open_(viewport=DESKTOP):
        email, password = live_portal.ensure_moderator()
        page = open_page(viewport=viewport)
        page.goto("/login")
        page.get_by_label("电子邮箱").fill(email)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.goto("/moderation")
        return page

    return open_


def run_axe(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [v for v in results if v["impact"] in ("serious", "critical")]
