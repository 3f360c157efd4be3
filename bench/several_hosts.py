"""Several hosts, for real: two gunicorn servers of the portal (hosts A and B: each its own instance folder, as two
machines have) on one PostgreSQL, Redis for the rate limits and the shared page cache, and on each host a mail
worker, a search index worker, a form-letter worker and a scheduler. Then drive them as people do: comments sent to
A and B in turn, staff logged in on one and carrying on on the other, changes made on one and read at once on the
other, rate limits counted across both, each comment's mails sent once, each search change indexed once (the
Whoosh index, in a folder both hosts share, checked against the database afterwards) and each scheduled job run
once per interval. Prints one line a check; exits 1 if any failed.

Run: .venv/bin/python bench/several_hosts.py --database postgresql://postgres@127.0.0.1:5432/DB
     [--ports 5105,5106] [--redis redis://127.0.0.1:6379/13] [--comments 40] [--scheduler-seconds 75]
The database is emptied first (its schema ``public`` dropped): give it one of its own.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = ROOT / ".venv" / "bin"
PASSWORD = "correct horse battery"
RUN = f"{os.getpid()}-{int(time.time())}"  # in the staff's addresses: earlier runs' login counts stay in Redis
ADMIN, MODERATOR, OFFICE = (f"{role}-{RUN}@example.gov.cn" for role in ("admin", "moderator", "office"))


class Forms(HTMLParser):
    """The forms of a page: action → {name: value} of their fields as the browser would send them."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict]] = []
        self._field = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append((a.get("action") or "", {}))
        elif not self.forms:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in ("submit", "file", "checkbox", "radio"):
            self.forms[-1][1][a["name"]] = a.get("value") or ""
        elif tag == "input" and a.get("type") in ("checkbox", "radio") and "checked" in a and a.get("name"):
            self.forms[-1][1][a["name"]] = a.get("value") or "on"
        elif tag == "textarea" and a.get("name"):
            self._field = a["name"]
            self.forms[-1][1][a["name"]] = ""
        elif tag == "select" and a.get("name"):
            self._field = ("select", a["name"])
        elif tag == "option" and isinstance(self._field, tuple) and ("selected" in a
                                                                    or self._field[1] not in self.forms[-1][1]):
            self.forms[-1][1][self._field[1]] = a.get("value", "")

    def handle_data(self, data):
        if isinstance(self._field, str):
            self.forms[-1][1][self._field] += data

    def handle_endtag(self, tag):
        if tag in ("textarea", "select"):
            self._field = None


class Browser:
    """One person's browser: its cookies, sent to whichever host it is pointed at."""

    def __init__(self, hosts: dict[str, str]):
        self.hosts = hosts
        self.session = requests.Session()

    def get(self, host: str, path: str, **kwargs):
        return self.session.get(self.hosts[host] + path, allow_redirects=False, timeout=60, **kwargs)

    def form(self, host: str, path: str, action: str) -> dict:
        page = self.get(host, path)
        assert page.status_code == 200, (host, path, page.status_code)
        parser = Forms()
        parser.feed(page.text)
        for form_action, fields in parser.forms:
            if (form_action or path).split("?")[0].endswith(action):
                return dict(fields)
        raise AssertionError(f"no form {action} on {path}")

    def submit(self, host: str, path: str, action: str, to: str | None = None, files=None, **changes):
        """Fill in the form ``action`` of page ``path`` on ``host`` and send it (to host ``to``, else the same)."""
        fields = self.form(host, path, action)
        fields.update({k: str(v) for k, v in changes.items()})
        return self.session.post(self.hosts[to or host] + action, data=fields, files=files, allow_redirects=False,
                                 timeout=60)

    def login(self, host: str, email: str, password: str = PASSWORD):
        return self.submit(host, "/login", "/login", email=email, password=password)


class Cluster:
    """The two hosts' servers and workers, children of this process."""

    def __init__(self, database: str, redis: str, ports: list[int], workdir: Path, smtp_port: int):
        self.processes: list[tuple[str, subprocess.Popen]] = []
        self.workdir = workdir
        self.ports = ports
        shared_index = workdir / "shared-search"
        self.base_env = {
            **os.environ,
            "PORTAL_DATABASE_URL": database,
            "PORTAL_SECRET_KEY": "several-hosts-bench-" + "k" * 40,
            "PORTAL_RATELIMIT_STORAGE_URI": redis,
            "PORTAL_PAGE_CACHE_URL": redis,
            "PORTAL_SEARCH_BACKEND": "whoosh",
            "PORTAL_SEARCH_INDEX_DIR": str(shared_index),
            "PORTAL_MAIL_SERVER": "127.0.0.1",
            "PORTAL_MAIL_PORT": str(smtp_port),
            "PORTAL_MAIL_SUPPRESS_SEND": "0",
            "PORTAL_BASE_URL": f"http://127.0.0.1:{ports[0]}/",
            "PORTAL_COMMENT_RATE_LIMIT": "1000/minute",  # every comment comes from 127.0.0.1
            "PORTAL_MODERATION_BURST_COUNT": "1000",  # (else flagged "burst" and held for a moderator)
            "PORTAL_LOGIN_ADDRESS_FAILURE_LIMIT": "1000/hour",  # the runs of the last hour fail from 127.0.0.1 too
            "FLASK_APP": "wsgi",
        }
        self.index_dir = shared_index

    def env(self, host: str) -> dict:
        instance = self.workdir / f"host-{host}"
        instance.mkdir(exist_ok=True)
        return {**self.base_env, "PORTAL_INSTANCE_PATH": str(instance)}

    def flask(self, *args: str, host: str = "a", check: bool = True) -> str:
        done = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=self.env(host),
                              capture_output=True, text=True, timeout=600)
        if check and done.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)}: {done.stderr[-2000:]}")
        return done.stdout

    def start(self, name: str, host: str, *command: str) -> None:
        log = open(self.workdir / f"{name}.log", "w")
        process = subprocess.Popen(command, cwd=ROOT, env=self.env(host), stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.processes.append((name, process))

    def start_all(self, scheduler_interval: float) -> None:
        for host, port in zip("ab", self.ports):
            self.start(f"web-{host}", host, str(BIN / "gunicorn"), "--workers", "2", "--timeout", "180",
                       "--bind", f"127.0.0.1:{port}", "wsgi:app")
            flask = (str(BIN / "flask"), "--app", "wsgi")
            self.start(f"mail-{host}", host, *flask, "mail", "deliver", "--loop", "--nice", "0")
            self.start(f"search-{host}", host, *flask, "search", "work", "--loop", "--nice", "0")
            self.start(f"group-{host}", host, *flask, "moderation", "group", "--loop", "--nice", "0")
            self.start(f"jobs-{host}", host, *flask, "jobs", "run", "--loop", "--interval", str(scheduler_interval),
                       "--nice", "0")
        for port in self.ports:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if requests.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the server on {port} did not start")
                time.sleep(0.3)

    def stop(self) -> None:
        for _name, process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for _name, process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


class Checks:
    def __init__(self):
        self.results: list[tuple[str, bool, str]] = []

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        self.results.append((name, ok, detail))
        print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}", flush=True)
        return ok

    @property
    def failed(self) -> bool:
        return any(not ok for _n, ok, _d in self.results)


def wait_for(condition, timeout: float = 60.0, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--ports", default="5105,5106")
    parser.add_argument("--comments", type=int, default=40)
    parser.add_argument("--scheduler-seconds", type=float, default=75)
    parser.add_argument("--keep", action="store_true", help="keep the working folder (logs) afterwards")
    args = parser.parse_args()

    from sqlalchemy import create_engine, text

    from tests.conftest import SMTPSink

    url = args.database.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    workdir = Path(tempfile.mkdtemp(prefix="several-hosts-"))
    smtp = SMTPSink()
    smtp.start()
    ports = [int(p) for p in args.ports.split(",")]
    cluster = Cluster(args.database, args.redis, ports, workdir, smtp.port)
    checks = Checks()
    try:
        cluster.flask("db", "upgrade")
        cluster.flask("consultations", "load-samples")
        for role, email in (("admin", ADMIN), ("moderator", MODERATOR)):
            cluster.flask("users", "create", "--role", role, "--email", email, "--name", role, "--password", PASSWORD)
        cluster.start_all(scheduler_interval=1.0)
        scenario(cluster, engine, smtp, checks, args)
    finally:
        cluster.stop()
        smtp.stop()
        engine.dispose()
        if args.keep or checks.failed:
            print(f"logs: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(1 if checks.failed else 0)


def scalar(engine, sql: str, **params):
    from sqlalchemy import text

    with engine.connect() as connection:
        return connection.execute(text(sql), params).scalar()


def rows(engine, sql: str, **params):
    from sqlalchemy import text

    with engine.connect() as connection:
        return list(connection.execute(text(sql), params))


def scenario(cluster: Cluster, engine, smtp, checks: Checks, args) -> None:
    hosts = {host: f"http://127.0.0.1:{port}" for host, port in zip("ab", cluster.ports)}
    consultations = [row[0] for row in rows(engine, "SELECT id FROM consultations WHERE published_at IS NOT NULL "
                                                    "AND deadline > now() ORDER BY id")]
    post_id, pre_id = consultations[0], consultations[1]
    cluster.flask("moderation", "mode", str(post_id), "post")
    admin, moderator = Browser(hosts), Browser(hosts)

    # --- comments sent to A and B in turn, each mailed once ---------------------------------------------------
    citizen = Browser(hosts)
    receipts = []
    for n in range(args.comments):
        host = "ab"[n % 2]
        response = citizen.submit(host, f"/consultations/{post_id}", f"/consultations/{post_id}/comments",
                                  to="ba"[n % 2],  # the form shown by one host, sent to the other
                                  body=f"关于社区养老服务的第{n}条意见，词语多主机{n:03d}。", stance="suggest",
                                  author_name=f"市民{n}", author_contact=f"citizen{n}@example.cn")
        if response.status_code == 429:
            citizen = Browser(hosts)  # a new address is not what the limit counts, but a new session is fresh
            continue
        match = re.search(r"/receipts/([A-Z0-9-]+)", response.headers.get("Location", ""))
        receipts.append(match.group(1) if match else None)
    stored = scalar(engine, "SELECT count(*) FROM comments WHERE consultation_id = :c", c=post_id)
    checks.check("comment forms shown by one host and sent to the other: each stored once, with its own receipt",
                 None not in receipts and len(set(receipts)) == len(receipts) == stored,
                 f"{len(receipts)} receipts, {stored} stored")
    drained = wait_for(lambda: scalar(engine, "SELECT count(*) FROM routing_queue") == 0 and scalar(
        engine, "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')") == 0, timeout=120)
    sent = Counter()
    for recipients, message in smtp.received:
        for recipient in recipients:
            sent[(recipient, str(message["Subject"]))] += 1
    twice = {key: n for key, n in sent.items() if n > 1}
    outbox_sent = scalar(engine, "SELECT count(*) FROM outbox WHERE status = 'sent'")
    checks.check("two mail workers: every comment routed once and every message sent once",
                 drained and not twice and outbox_sent == len(smtp.received),
                 f"{outbox_sent} sent in the outbox, {len(smtp.received)} received, twice: {list(twice)[:3]}")

    # --- form letters: copies of one letter sent to A and B in turn, grouped by two groupers, are one group ---------
    letter = ("我们是某小区的居民，强烈建议在本小区增设社区养老服务站，提供助餐、日间照料和上门护理服务，"
              "并请在规划中预留场地，方便老年人就近享受服务。")
    for n in range(8):
        citizen.submit("ab"[n % 2], f"/consultations/{post_id}", f"/consultations/{post_id}/comments",
                       body=letter, stance="suggest", author_name=f"居民{n}")
    grouped = wait_for(lambda: scalar(engine, "SELECT count(*) FROM comments WHERE grouped_at IS NULL") == 0,
                       timeout=120)
    letters = rows(engine, "SELECT coalesce(form_letter_id, id), count(*) FROM comments WHERE body = :b "
                           "GROUP BY coalesce(form_letter_id, id)", b=letter)  # the first copy is its group's key
    checks.check("two form-letter workers: eight copies sent to A and B in turn are one group", grouped
                 and len(letters) == 1 and letters[0][1] == 8, str(letters))

    # --- files sent with comments: read by the scheduled job of either scheduler, each once ------------------------
    for n in range(4):
        citizen.submit("ab"[n % 2], f"/consultations/{post_id}", f"/consultations/{post_id}/comments",
                       body=f"附件意见{n}。", stance="suggest", author_name=f"附件{n}",
                       files={"attachments": (f"意见{n}.txt", f"附件正文第{n}份：建议增加夜间照护。".encode())})
    read = wait_for(lambda: scalar(engine, "SELECT count(*) FROM comment_attachments WHERE text LIKE '附件正文第%'") == 4,
                    timeout=150)
    checks.check("files sent to A and B are read by the schedulers' job", read and scalar(
        engine, "SELECT count(*) FROM comment_attachments WHERE text_read_at IS NULL") == 0,
        f"{scalar(engine, 'SELECT count(*) FROM comment_attachments WHERE text IS NOT NULL')} of 4 read")

    # --- search: two index workers, one Whoosh index in a shared folder ----------------------------------------
    indexed = wait_for(lambda: scalar(engine, "SELECT count(*) FROM search_queue") == 0, timeout=120)
    found = citizen.get("b", f"/search?q=多主机{args.comments - 1:03d}")
    checks.check("a comment sent to A is found by a search on B", indexed and f"多主机{args.comments - 1:03d}"
                 in re.sub(r"<[^>]+>", "", found.text), f"queue empty: {indexed}")
    search_consistent(cluster, engine, checks, "after the comments")

    # --- staff: log in on A, carry on on B ---------------------------------------------------------------------
    admin.login("a", ADMIN)
    checks.check("logged in on A, the session works on B", admin.get("b", "/admin/users").status_code == 200)
    unit_rows = rows(engine, "SELECT id, name FROM units ORDER BY id")
    # an office account of the unit that owns consultation post_id
    owner = rows(engine, "SELECT owner_unit_id FROM consultations WHERE id = :c", c=post_id)[0][0]
    if owner is None:
        owner = unit_rows[0][0] if unit_rows else None
    if owner is None:
        admin.submit("a", "/admin/units/new", "/admin/units/new", name="测试单位", emails="unit@example.gov.cn")
        owner = scalar(engine, "SELECT id FROM units ORDER BY id DESC LIMIT 1")
        with engine.begin() as connection:
            from sqlalchemy import text
            connection.execute(text("UPDATE consultations SET owner_unit_id = :u"), {"u": owner})
    response = admin.submit("a", "/admin/users/new", "/admin/users/new", email=OFFICE, name="办公室",
                            role="office", unit=owner, password=PASSWORD)
    checks.check("an administrator on A creates an office account", response.status_code in (302, 303),
                 str(response.status_code))
    office = Browser(hosts)
    office.login("b", OFFICE)
    checks.check("the account made on A logs in on B", office.get("b", "/office/").status_code == 200)

    # --- content changed on one host shows on the other at once --------------------------------------------------
    reader = Browser(hosts)
    page = lambda host, path: re.sub(r"\s+", "", reader.get(host, path).text)  # noqa: E731
    for host in "ab":  # both hosts have the pages in memory (and Redis)
        page(host, f"/consultations/{post_id}")
    deadline_row = rows(engine, "SELECT deadline FROM consultations WHERE id = :c", c=post_id)[0][0]
    new_day = (deadline_row.astimezone() + __import__("datetime").timedelta(days=10)).date()
    response = office.submit("a", f"/office/consultations/{post_id}/extend", f"/office/consultations/{post_id}/extend",
                             deadline_date=new_day.isoformat(), deadline_time="23:59", reason="多主机延长测试")
    shown = f"{new_day.month}月{new_day.day}日"
    checks.check("a deadline extended on A shows on B at once",
                 response.status_code in (302, 303) and "延长至" in page("b", f"/consultations/{post_id}")
                 and shown in page("b", f"/consultations/{post_id}"), f"{response.status_code}, looking for {shown}")

    section_id, anchor = rows(engine, "SELECT s.id, s.anchor FROM sections s JOIN drafts d ON d.id = s.draft_id "
                                      "WHERE d.consultation_id = :c ORDER BY s.position LIMIT 1", c=post_id)[0]
    page("b", f"/consultations/{post_id}/sections/{anchor}")
    response = office.submit("b", f"/office/consultations/{post_id}/sections/{section_id}",
                             f"/office/consultations/{post_id}/sections/{section_id}",
                             key_points="这是多主机测试写的要点。")
    checks.check("key points edited on B show on A at once", response.status_code in (302, 303)
                 and "这是多主机测试写的要点" in page("a", f"/consultations/{post_id}/sections/{anchor}"),
                 str(response.status_code))

    # moderation: a pending comment approved on A shows on B; hidden on B, gone from A
    pending = citizen.submit("a", f"/consultations/{pre_id}", f"/consultations/{pre_id}/comments",
                             body="等待审核的多主机意见甲乙丙。", stance="oppose", author_name="王")
    comment_id = scalar(engine, "SELECT id FROM comments WHERE consultation_id = :c ORDER BY id DESC LIMIT 1",
                        c=pre_id)
    version = scalar(engine, "SELECT moderation_version FROM comments WHERE id = :i", i=comment_id)
    for host in "ab":
        page(host, f"/consultations/{pre_id}")
    moderator.login("b", MODERATOR)
    approve = moderator.submit("a", "/moderation", "/moderation/actions", row=f"approve:c-{comment_id}-{version}")
    checks.check("a comment approved on A shows on B at once", pending.status_code == 303
                 and approve.status_code == 303 and "等待审核的多主机意见甲乙丙" in page("b", f"/consultations/{pre_id}"),
                 f"{pending.status_code} {approve.status_code}")
    version = scalar(engine, "SELECT moderation_version FROM comments WHERE id = :i", i=comment_id)
    hide = moderator.submit("b", "/moderation?view=approved", "/moderation/actions",
                            row=f"hide:c-{comment_id}-{version}", reason="off_topic")
    status = scalar(engine, "SELECT status FROM comments WHERE id = :i", i=comment_id)
    checks.check("a comment hidden on B is gone from A at once", status == "hidden"
                 and "等待审核的多主机意见甲乙丙" not in page("a", f"/consultations/{pre_id}"), f"{hide.status_code} {status}")

    # --- a unit's addresses changed on one host: the next comment's mail goes to the new ones ----------------------
    named = rows(engine, "SELECT s.id, s.anchor, s.unit_names FROM sections s JOIN drafts d ON d.id = s.draft_id "
                         "WHERE d.consultation_id = :c ORDER BY s.position", c=post_id)
    named = [(i, a, json_names[0]) for i, a, json_names in
             ((i, a, __import__("json").loads(u) if isinstance(u, str) else u) for i, a, u in named) if json_names]
    if not named:
        checks.check("a unit's addresses changed on one host are used by the next comment's mail", False,
                     "no section names a unit")
    else:
        unit_section, unit_anchor, unit_name = named[0]
        admin.submit("a", "/admin/units/new", "/admin/units/new", name=unit_name, emails="first@unit.example.cn")
        unit_id = scalar(engine, "SELECT id FROM units WHERE name = :n", n=unit_name)
        before = len(smtp.received)

        def comment_to_unit(host, words):
            return citizen.submit(host, f"/consultations/{post_id}/sections/{unit_anchor}",
                                  f"/consultations/{post_id}/comments", body=words, section_id=unit_section,
                                  author_name="李")

        comment_to_unit("b", "第一条给责任单位的意见。")
        wait_for(lambda: scalar(engine, "SELECT count(*) FROM routing_queue") == 0 and scalar(
            engine, "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')") == 0, timeout=60)
        changed = admin.submit("b", f"/admin/units/{unit_id}", f"/admin/units/{unit_id}",
                               emails="second@unit.example.cn")
        comment_to_unit("a", "第二条给责任单位的意见。")
        wait_for(lambda: scalar(engine, "SELECT count(*) FROM routing_queue") == 0 and scalar(
            engine, "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')") == 0, timeout=60)
        to = Counter(r for recipients, _m in smtp.received[before:] for r in recipients)
        checks.check("a unit's addresses changed on B are used by the next comment's mail, sent from either host",
                     changed.status_code in (302, 303) and to["first@unit.example.cn"] == 1
                     and to["second@unit.example.cn"] == 1, f"{changed.status_code} {dict(to)}")

    # --- a draft published on B is open on A at once; a moderation mode set on A holds for comments sent to B --------
    cluster.flask("drafts", "import", str(ROOT / "samples" / "000_05e428a3f359dd90.txt"))
    new_id = scalar(engine, "SELECT max(id) FROM consultations")
    before = reader.get("a", f"/consultations/{new_id}").status_code
    today = __import__("datetime").date.today()
    published = admin.submit("b", f"/office/consultations/{new_id}/publish", f"/office/consultations/{new_id}/publish",
                             opens="now", deadline_date=(today + __import__("datetime").timedelta(days=40)).isoformat(),
                             deadline_time="23:59", comment_visibility="public")
    checks.check("a draft published on B is open on A at once", before == 404 and published.status_code in (302, 303)
                 and reader.get("a", f"/consultations/{new_id}").status_code == 200,
                 f"{before} → {published.status_code} → {reader.get('a', f'/consultations/{new_id}').status_code}")
    for host in "ab":
        page(host, f"/consultations/{new_id}")
    mode = admin.submit("a", "/admin/moderation-modes", f"/admin/moderation-modes/{new_id}", mode="post")
    sent = citizen.submit("b", f"/consultations/{new_id}", f"/consultations/{new_id}/comments",
                          body="先公开后审核的多主机意见丁戊。", stance="support", author_name="赵")
    checks.check("post-moderation set on A: a comment sent to B is public at once on both", mode.status_code == 303
                 and sent.status_code == 303 and all("先公开后审核的多主机意见丁戊" in page(h, f"/consultations/{new_id}")
                                                     for h in "ab"), f"{mode.status_code} {sent.status_code}")

    # --- rate limits: counted across both hosts -----------------------------------------------------------------
    guesser = Browser(hosts)
    nobody = f"nobody-{os.getpid()}-{int(time.time())}@example.gov.cn"  # counts of earlier runs stay in Redis an hour
    codes = [guesser.login("ab"[n % 2], nobody, "wrong-password").status_code for n in range(7)]
    checks.check("wrong logins sent to A and B in turn are limited together (5 a minute)",
                 429 not in codes[:5] and codes[5:] == [429, 429], str(codes))

    # --- a staff member's password and role, and two-step login --------------------------------------------------
    second = Browser(hosts)
    second.login("b", OFFICE)
    response = office.submit("a", "/password", "/password", current_password=PASSWORD,
                             new_password=PASSWORD + "!", repeated_password=PASSWORD + "!")
    checks.check("a password changed on A ends the account's other session on B", response.status_code in (302, 303)
                 and second.get("b", "/office/").status_code in (302, 303), str(response.status_code))
    user_id = scalar(engine, "SELECT id FROM users WHERE email = :email", email=OFFICE)
    response = admin.submit("b", f"/admin/users/{user_id}", f"/admin/users/{user_id}", role="moderator")
    checks.check("a role changed on B: the account's session on A is ended", response.status_code in (302, 303)
                 and office.get("a", "/office/").status_code in (302, 303, 403), str(response.status_code))
    two_factor(hosts, checks)

    # --- search again, after moderation; then the schedulers ----------------------------------------------------
    wait_for(lambda: scalar(engine, "SELECT count(*) FROM search_queue") == 0, timeout=120)
    search_consistent(cluster, engine, checks, "after moderation")
    schedulers(engine, checks, args.scheduler_seconds)


def two_factor(hosts: dict, checks: Checks) -> None:
    import pyotp

    admin = Browser(hosts)
    admin.login("a", ADMIN)
    fields = admin.form("a", "/two-factor", "/two-factor")
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', admin.get("a", "/two-factor").text)
    if not secret:
        checks.check("two-step login turned on on A", False, "no secret on the page")
        return
    secret = secret.group(1).replace(" ", "")
    fields.update(code=pyotp.TOTP(secret).now(), password=PASSWORD)
    response = admin.session.post(hosts["a"] + "/two-factor", data=fields, allow_redirects=False, timeout=60)
    other, third = Browser(hosts), Browser(hosts)
    login = other.login("b", ADMIN)
    checks.check("two-step login turned on on A: a login on B asks for the code",
                 response.status_code in (200, 302, 303) and "/login/code" in login.headers.get("Location", ""),
                 f"{response.status_code} → {login.status_code} {login.headers.get('Location')}")
    time.sleep(30 - time.time() % 30 + 1)  # the next code: the one turning it on was taken
    code = pyotp.TOTP(secret).now()
    third.login("a", ADMIN)
    first = other.submit("b", "/login/code", "/login/code", code=code)
    again = third.submit("a", "/login/code", "/login/code", code=code)
    checks.check("a two-step code taken on B is refused on A", first.status_code in (302, 303)
                 and again.status_code not in (302, 303) and third.get("a", "/admin/users").status_code != 200,
                 f"{first.status_code}, then {again.status_code}")


def search_consistent(cluster: Cluster, engine, checks: Checks, when: str) -> None:
    """The Whoosh index of each consultation's comments holds exactly its approved comments, each once."""
    from whoosh import index as whoosh_index

    from portal.search.whoosh_backend import _hit_ids

    problems = []
    public = rows(engine, "SELECT c.consultation_id, c.id FROM comments c JOIN consultations k ON k.id = "
                          "c.consultation_id WHERE c.status = 'approved' AND k.comment_visibility = 'public'")
    expected: dict[int, set] = {}
    for consultation_id, comment_id in public:
        expected.setdefault(consultation_id, set()).add(comment_id)
    for consultation_id in set(expected) | {int(p.name.split("-")[1]) for p in cluster.index_dir.glob("comments-*")}:
        path = cluster.index_dir / f"comments-{consultation_id}"
        ids = Counter()
        if path.is_dir() and whoosh_index.exists_in(str(path)):
            with whoosh_index.open_dir(str(path)).searcher() as searcher:
                reader = searcher.reader()
                hit_ids = _hit_ids(reader)
                for docnum in reader.all_doc_ids():  # the deleted ones left out
                    ids[hit_ids(docnum)[0]] += 1
        twice = [i for i, n in ids.items() if n > 1]
        if set(ids) != expected.get(consultation_id, set()) or twice:
            problems.append(f"consultation {consultation_id}: index {len(ids)} ({len(twice)} twice), "
                            f"database {len(expected.get(consultation_id, ()))}")
    checks.check(f"the search index matches the database {when}", not problems, "; ".join(problems[:3]))


def schedulers(engine, checks: Checks, seconds: float) -> None:
    """Two schedulers (one a host) for ``seconds``: each job's runs, as job_runs records them, polled."""
    seen = set()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for name, started, runner in rows(engine, "SELECT name, started_at, claimed_by FROM job_runs"):
            if started is not None:
                seen.add((name, started, runner))
        time.sleep(0.2)
    every = {"close-due": 60, "read-attachments": 60}
    runs = Counter(name for name, _s, _r in seen)
    runners = {runner for _n, _s, runner in seen}
    too_often = []
    for name, period in every.items():
        times = sorted(s for n, s, _r in seen if n == name)
        too_often += [name for a, b in zip(times, times[1:]) if (b - a).total_seconds() < period - 0.5]
    checks.check("two schedulers: each job once per interval", not too_often and runs["close-due"] >= 1,
                 f"runs seen {dict(runs)}, by {len(runners)} schedulers, too often: {too_often}")


if __name__ == "__main__":
    main()
