"""Every page at scale: a GET of each page of the portal, as the role that sees it, in a large world.

The world: CONSULTATIONS consultations (the five seeds in turn, ten issuers in turn, deadlines over five years), of
which most are closed (one in fifty open, one unpublished), one in four with 8 comments answered and published; one contested
consultation (seed 003, made as bench/answering_list.py makes it) with COMMENTS comments: form-letter copies, quotes,
proposals, organisations, key questions, files, 300 pending, and here also replies, hidden and spam comments; it is
closed, its answers published (its feedback report, statistics and digest are the large ones), with three meetings and
their sign-ups; a few thousand citizens following consultations, 200 units, 300 accounts, a few thousand audit
entries. The search index is not built (the search page is timed on whatever the backend finds).

Each page is asked REPEAT times in-process (Flask's test client, the role's session) with the portal's page caches
emptied before each request (the cost of the first reader after a change), and the median printed: the time, this
process's CPU time (the portal's Python and, on SQLite, the database's work), the SQL statements it ran. A table
sorted by time; a page whose statements grow with the data shows more statements than its neighbours (N+1).
With ``--warm`` the caches are kept (a page asked again while nothing changed). With ``--profile PATH`` the page is
run once under cProfile and its top functions printed; with ``--slowest PATH``, its slowest statements.

Run: .venv/bin/python bench/page_sweep.py [--database sqlite|postgresql|both] [--consultations 1000]
     [--comments 20000] [--repeat 3] [--only WORD] [--warm] [--profile PATH] [--slowest PATH]
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import re
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.answering_list import PASSWORD, fill  # noqa: E402
from bench.harness import SEEDS, machine, portal_database, timed_statements  # noqa: E402

ISSUERS = ["某某市民政局", "某某市卫生健康委员会", "某某市住房和城乡建设局", "某某市交通运输局", "某某市教育局",
           "某某市生态环境局", "某某市人力资源和社会保障局", "某某市市场监督管理局", "某某市财政局", "某某市司法局"]


def build_world(app, consultations: int, comments: int) -> dict:
    """Fill the database; returns the ids and keys the pages need."""
    from sqlalchemy import insert, select, update

    from portal.accounts.models import User
    from portal.accounts.services import create_user
    from portal.audit.models import AuditEntry
    from portal.citizens.models import Citizen, ConsultationFollow
    from portal.comments.models import Comment
    from portal.consultations.models import Consultation
    from portal.consultations.services import close_due_consultations, publish_consultation
    from portal.core.time import now
    from portal.drafts.services import import_draft, parse_file
    from portal.extensions import db
    from portal.meetings.models import Meeting, MeetingRegistration
    from portal.responses.models import Response
    from portal.units.models import Unit

    found = fill(app, comments)  # the contested consultation, open; made closed below
    big = db.session.get(Consultation, found["consultation"])
    random.seed(11)
    at = now()
    # replies, hidden and spam among its comments
    ids = db.session.scalars(select(Comment.id).where(Comment.consultation_id == big.id,
                                                      Comment.status == "approved").order_by(Comment.id)).all()
    db.session.execute(update(Comment).where(Comment.id.in_(ids[5::41])).values(
        status="hidden", hidden_reason="off_topic", moderated_at=at))
    db.session.execute(update(Comment).where(Comment.id.in_(ids[7::97])).values(status="spam", moderated_at=at))
    parents = ids[::29]
    base = db.session.scalar(select(Comment.section_id).where(Comment.id == parents[0]))
    db.session.execute(insert(Comment), [
        {"consultation_id": big.id, "draft_id": big.current_draft.id, "section_id": base, "parent_id": parent,
         "receipt_number": f"20230102-{n:06d}", "body": "同意楼上的意见，希望尽快落实。", "stance": "support",
         "language": "zh_CN", "status": "approved", "moderation_version": 1, "flags": "",
         "created_at": at - timedelta(days=3), "grouped_at": at, "channel": "web"}
        for n, parent in enumerate(parents)])
    db.session.execute(update(Comment).where(Comment.id.in_(ids[11::53])).values(flags="sensitive"))
    # closed, every answer published
    big.opens_at, big.deadline = at - timedelta(days=40), at - timedelta(days=1)
    db.session.execute(update(Response).where(Response.consultation_id == big.id).values(published_at=at))
    # meetings and their sign-ups
    meetings = []
    for number in range(3):
        meeting = Meeting(consultation_id=big.id, kind="symposium", title=f"座谈会{number + 1}",
                          starts_at=at - timedelta(days=10 - number), ends_at=at - timedelta(days=10 - number, hours=-2),
                          place="市民中心三楼会议室", seats=200, status="scheduled", created_at=at, updated_at=at)
        db.session.add(meeting)
        db.session.flush()
        meetings.append(meeting.id)
        db.session.execute(insert(MeetingRegistration), [
            {"meeting_id": meeting.id, "name": f"居民{n}", "phone": f"138{number}{n:07d}",
             "phone_key": f"138{number}{n:07d}", "statement": "想谈谈社区食堂。", "language": "zh_CN",
             "status": random.choice(["applied", "accepted", "declined"]), "key_hash": f"{number}-{n:061d}",
             "created_at": at} for n in range(300)])
    db.session.commit()

    # the other consultations: the seeds in turn
    parsed = []
    for path in sorted(SEEDS.glob("0*.txt")):
        text, result = parse_file(path.read_bytes(), path.name)
        parsed.append((result.to_dict(), text, path.name))
    units = [u.id for u in db.session.scalars(select(Unit)).all()]
    db.session.execute(insert(Unit), [{"name": f"某某区第{n}办公室", "emails": [f"office{n}@units.example.gov.cn"]}
                                      for n in range(200 - len(units))])
    units = db.session.scalars(select(Unit.id)).all()
    other_ids, open_ids = [], []
    began = time.perf_counter()
    for n in range(consultations - 1):
        data, text, name = parsed[n % len(parsed)]
        data = {**data, "title": f"{data['title'] or name}（第{n}次）"}
        consultation = import_draft(data, text, name)
        consultation.issuer = ISSUERS[n % len(ISSUERS)]
        consultation.owner_unit_id = random.choice(units)
        if n % 50 == 0:  # open now
            publish_consultation(consultation, at - timedelta(days=3), at + timedelta(days=27))
            open_ids.append(consultation.id)
        elif n % 50 == 1:  # not yet published
            pass
        else:  # closed, over five years
            ends = at - timedelta(days=2 + (n * 37) % 1800)
            publish_consultation(consultation, ends - timedelta(days=30), ends)
        other_ids.append(consultation.id)
        if n % 100 == 99:
            db.session.commit()
    db.session.commit()
    filled = time.perf_counter() - began
    print(f"  {consultations - 1} consultations imported in {filled:.1f} s", flush=True)
    # a few comments on one closed consultation in four, answered and published
    rows, number = [], 0
    closed_with_answers = [cid for n, cid in enumerate(other_ids) if n % 4 == 2 and n % 50 > 1]
    drafts = {c.id: (c.current_draft.id, c.current_draft.sections[1].id)
              for c in db.session.scalars(select(Consultation).where(Consultation.id.in_(closed_with_answers)))}
    for cid in closed_with_answers:
        draft_id, section_id = drafts[cid]
        for _ in range(8):
            number += 1
            rows.append({"consultation_id": cid, "draft_id": draft_id, "section_id": section_id,
                         "receipt_number": f"20220101-{number:06d}", "body": "建议把补贴标准再提高一些。",
                         "stance": "suggest", "language": "zh_CN", "status": "approved", "moderation_version": 1,
                         "flags": "", "created_at": at - timedelta(days=30), "grouped_at": at, "channel": "web"})
    if rows:
        db.session.execute(insert(Comment), rows)
    small = db.session.execute(select(Comment.id, Comment.consultation_id).where(
        Comment.consultation_id.in_(closed_with_answers))).all()
    if small:
        db.session.execute(insert(Response), [
            {"comment_id": cid, "consultation_id": consultation_id, "outcome": "not_adopted", "reason": "现行规定已有。",
             "created_at": at, "updated_at": at, "published_at": at} for cid, consultation_id in small])
    # citizens following consultations
    db.session.execute(insert(Citizen), [{"email": f"citizen{n}@example.com", "created_at": at,
                                          "consultation_alerts": n % 3 == 0} for n in range(5000)])
    citizens = db.session.scalars(select(Citizen.id)).all()
    follows = {(c, big.id) for c in citizens[::2]}
    follows |= {(c, random.choice(other_ids)) for c in citizens for _ in range(2)}
    db.session.execute(insert(ConsultationFollow), [{"citizen_id": c, "consultation_id": k, "created_at": at}
                                                    for c, k in follows])
    # accounts
    moderator = create_user("moderator@bench.example.gov.cn", "审核员", PASSWORD, "moderator")
    admin = create_user("admin@bench.example.gov.cn", "管理员", PASSWORD, "admin")
    db.session.execute(insert(User), [  # the hash of the admin's password: one hashing, not 300
        {"email": f"staff{n}@bench.example.gov.cn", "name": f"工作人员{n}", "password_hash": admin.password_hash,
         "role": ("office", "moderator")[n % 2], "unit_id": units[n % len(units)] if n % 2 == 0 else None,
         "active": True, "created_at": at} for n in range(300)])
    db.session.commit()
    # audit entries
    actions = ["approve", "hide", "publish", "extend", "respond", "edit_section", "login"]
    db.session.execute(insert(AuditEntry), [
        {"at": at - timedelta(minutes=n), "actor_id": (moderator.id, admin.id)[n % 2], "actor_label": "bench",
         "action": actions[n % len(actions)], "target_type": "comment", "target_id": ids[n % len(ids)],
         "consultation_id": big.id if n % 2 else random.choice(other_ids), "before": {"status": "pending"},
         "after": {"status": "approved"}, "reason": None} for n in range(5000)])
    db.session.commit()

    close_due_consultations(notify=False)  # as the scheduler's job does each minute: closing summaries stored
    db.session.commit()

    anchors = [s.anchor for s in big.current_draft.sections]
    receipt = db.session.scalar(select(Comment.receipt_number).where(Comment.consultation_id == big.id,
                                                                    Comment.status == "approved").limit(1))
    return {**found, "other": other_ids[2], "open": open_ids[0], "anchors": anchors, "meetings": meetings,
            "receipt": receipt, "year": (at - timedelta(days=400)).year, "issuer": ISSUERS[3]}


def pages(w: dict) -> list[tuple[str, str, str]]:
    """(role, name, path) of every page timed."""
    big, other, open_ = w["consultation"], w["other"], w["open"]
    section = w["anchors"][5]
    return [
        ("public", "home", "/"),
        ("public", "list", "/consultations/"),
        ("public", "list page 20", "/consultations/?page=20"),
        ("public", "list issuer+year", f"/consultations/?issuer={w['issuer']}&year={w['year']}"),
        ("public", "consultation (20k, closed)", f"/consultations/{big}"),
        ("public", "consultation (open, few)", f"/consultations/{open_}"),
        ("public", "consultation (closed, answered)", f"/consultations/{other}"),
        ("public", "section (20k)", f"/consultations/{big}/sections/{section}"),
        ("public", "section page 5 newest (20k)", f"/consultations/{big}/sections/{section}?page=5&order=newest"),
        ("public", "explanatory note", f"/consultations/{big}/explanatory-note"),
        ("public", "version 1", f"/consultations/{big}/versions/1"),
        ("public", "paper form", f"/consultations/{big}/paper-form"),
        ("public", "poster", f"/consultations/{big}/poster"),
        ("public", "statistics (20k)", f"/consultations/{big}/statistics"),
        ("public", "feedback report (20k)", f"/consultations/{big}/feedback"),
        ("public", "feedback report page 10", f"/consultations/{big}/feedback?page=10"),
        ("public", "feedback report (small)", f"/consultations/{other}/feedback"),
        ("public", "meeting", f"/consultations/{big}/meetings/{w['meetings'][0]}"),
        ("public", "receipt", f"/receipts/{w['receipt']}"),
        ("public", "work report", "/consultations/report"),
        ("public", "feed", "/consultations/feed.atom"),
        ("public", "sitemap", "/sitemap.xml"),
        ("public", "sitemap file 1", "/sitemap-1.xml"),
        ("public", "sitemap file 5", "/sitemap-5.xml"),
        ("public", "search", "/search?q=食堂"),
        ("public", "API index", "/api/v1/"),
        ("public", "API consultations", "/api/v1/consultations"),
        ("public", "API consultation", f"/api/v1/consultations/{big}"),
        ("public", "API comments (20k)", f"/api/v1/consultations/{big}/comments"),
        ("public", "API feedback (20k)", f"/api/v1/consultations/{big}/feedback"),
        ("public", "API statistics (20k)", f"/api/v1/consultations/{big}/statistics"),
        ("public", "API report", "/api/v1/report"),
        ("public", "API documentation", "/api/"),
        ("office", "office dashboard", "/office/"),
        ("office", "review page (20k)", f"/office/consultations/{big}"),
        ("office", "answering list (20k)", f"/office/consultations/{big}/responses"),
        ("office", "answering list unanswered", f"/office/consultations/{big}/responses?answer=unanswered"),
        ("office", "digest page (20k)", f"/office/consultations/{big}/digest.csv"),
        ("office", "office audit log (20k)", f"/office/consultations/{big}/audit"),
        ("office", "office meetings", f"/office/consultations/{big}/meetings"),
        ("office", "office meeting sign-ups", f"/office/consultations/{big}/meetings/{w['meetings'][0]}"),
        ("office", "routing", f"/office/consultations/{big}/routing"),
        ("office", "files", f"/office/consultations/{big}/files"),
        ("office", "staff work report", "/office/report"),
        ("moderator", "moderation queue", "/moderation"),
        ("moderator", "queue: one consultation", f"/moderation?consultation={big}"),
        ("moderator", "queue: flag sensitive", "/moderation?flag=sensitive"),
        ("moderator", "queue: approved", "/moderation?view=approved"),
        ("moderator", "queue: approved page 50", "/moderation?view=approved&page=50"),
        ("moderator", "queue: hidden", "/moderation?view=hidden"),
        ("moderator", "queue: spam", "/moderation?view=spam"),
        ("moderator", "queue: words", "/moderation?view=approved&q=食堂"),
        ("admin", "admin home", "/admin/"),
        ("admin", "status page", "/admin/status"),
        ("admin", "accounts", "/admin/users"),
        ("admin", "units", "/admin/units"),
        ("admin", "audit", "/admin/audit"),
        ("admin", "audit page 50", "/admin/audit?page=50"),
        ("admin", "audit one consultation", f"/admin/audit?consultation={big}"),
        ("admin", "outbox", "/admin/outbox"),
        ("admin", "moderation modes", "/admin/moderation-modes"),
        ("admin", "sensitive words", "/admin/sensitive-words/"),
    ]


def clear_caches() -> None:
    """The portal's in-process page caches: each request pays for its page as the first reader would."""
    from portal.api import cache as api_cache
    from portal.comments import page_cache
    from portal.consultations import pages as whole_pages

    from portal.core import tokens
    from portal.reports import services as reports
    from portal.reports import views as report_views

    for cache in (page_cache.cache, whole_pages.cache, api_cache.cache, reports.PLANS, report_views.WORD_REPORTS,
                  tokens._remembered):
        cache.clear()


def login(app, email: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"csrf_token": token, "email": email, "password": PASSWORD})
    assert response.status_code in (302, 303), (email, response.status_code)
    return client


def run(kind: str, consultations: int, comments: int, repeat: int, only: str | None, profile: str | None,
        slowest: str | None, warm: bool = False) -> None:
    from portal import create_app

    with portal_database(kind) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            began = time.perf_counter()
            world = build_world(app, consultations, comments)
            from portal.extensions import db

            print(f"{kind}: world built in {time.perf_counter() - began:.0f} s", flush=True)
            engine = db.engine
            db.session.remove()
        statements = timed_statements(engine)

        clients = {"public": app.test_client(), "office": login(app, "office@bench.example.gov.cn"),
                   "moderator": login(app, "moderator@bench.example.gov.cn"),
                   "admin": login(app, "admin@bench.example.gov.cn")}
        rows = []
        for role, name, path in pages(world):
            if only and not any(word in name or word in path for word in only.split(",")):
                continue
            client = clients[role]
            clear_caches()
            client.get(path)  # warm: templates compiled, statements prepared
            times, cpu, counts, sql, status = [], [], [], [], None
            for _ in range(repeat):
                if not warm:
                    clear_caches()
                statements.clear()
                began, began_cpu = time.perf_counter(), time.process_time()
                response = client.get(path)
                times.append(time.perf_counter() - began)
                cpu.append(time.process_time() - began_cpu)
                status = response.status_code
                counts.append(len(statements))
                sql.append(sum(t for _s, t in statements))
            rows.append((statistics.median(times), statistics.median(cpu), statistics.median(counts),
                         statistics.median(sql), status, role, name, path))
            if profile and profile == path:
                clear_caches()
                profiler = cProfile.Profile()
                profiler.enable()
                client.get(path)
                profiler.disable()
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
                print(out.getvalue())
            if slowest and slowest == path:
                clear_caches()
                statements.clear()
                client.get(path)
                print(f"  statements of {path}:")
                for statement, took in sorted(statements, key=lambda s: -s[1])[:15]:
                    print(f"    {took * 1000:7.1f} ms  {' '.join(statement.split())[:200]}")
        print(f"{kind}: {consultations:,} consultations, {comments:,} comments on the contested one; "
              f"median of {repeat}, " + ("caches kept (a page asked again)" if warm else
                                          "caches emptied before each request"))
        print(f"  {'ms':>6} {'CPU ms':>6} {'stmts':>5} {'SQL ms':>6} {'code':>4}  {'role':<9} page")
        for took, cpu_ms, count, sql_ms, status, role, name, path in sorted(rows, key=lambda r: -r[0]):
            print(f"  {took * 1000:6.0f} {cpu_ms * 1000:6.0f} {count:5.0f} {sql_ms * 1000:6.0f} {status:>4}  "
                  f"{role:<9} {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--consultations", type=int, default=1000)
    parser.add_argument("--comments", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", help="time only the pages whose name or path holds this (or one of these "
                        "words, separated by commas)")
    parser.add_argument("--profile", metavar="PATH", help="print a cProfile of this path (as listed)")
    parser.add_argument("--slowest", metavar="PATH", help="print the slowest statements of this path")
    parser.add_argument("--warm", action="store_true",
                        help="keep the portal's caches between the timed requests (a page asked again, unchanged)")
    args = parser.parse_args()
    print(machine())
    for kind in (("sqlite", "postgresql") if args.database == "both" else (args.database,)):
        run(kind, args.consultations, args.comments, args.repeat, args.only, args.profile, args.slowest, args.warm)


if __name__ == "__main__":
    main()
